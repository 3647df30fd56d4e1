"""Who is on the other end of a request: the peer address, or the header our own proxy sets.

Behind nginx (deploy/nginx.conf) every request carries `X-Real-IP`, which nginx overwrites with the
address it saw; the first hop of `X-Forwarded-For` is written by the client and proves nothing. With
FRONTDESK_TRUST_PROXY unset the peer address is used and the header is ignored.
"""

from __future__ import annotations

import ipaddress
from typing import Mapping, Optional

PROXY_HEADER = "X-Real-IP"
UNKNOWN = "unknown"


def client_address(peer: Optional[str], headers: Mapping[str, str], *, trust_proxy: bool) -> str:
    """The customer's address as this service can know it."""
    if trust_proxy:
        claimed = _valid(headers.get(PROXY_HEADER) or headers.get(PROXY_HEADER.lower()))
        if claimed:
            return claimed
    return _valid(peer) or UNKNOWN


def _valid(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
