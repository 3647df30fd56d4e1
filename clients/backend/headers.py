"""Request headers the backend reads besides the caller's credential."""

from __future__ import annotations

from typing import Dict, Optional

VERIFICATION_HEADER = "X-Verification-Token"
CLIENT_ADDRESS_HEADER = "X-Client-Address"


def customer_headers(
    *, verification_token: Optional[str] = None, client_address: Optional[str] = None
) -> Dict[str, str]:
    """The end customer's proof of identity and address, for the calls that act for them."""
    headers = {}
    if verification_token:
        headers[VERIFICATION_HEADER] = verification_token
    if client_address:
        headers[CLIENT_ADDRESS_HEADER] = client_address
    return headers
