"""Session ids that this server issued, signed so nobody can make one up or take another channel's.

A wire id is `<prefix><32 hex>.<signature>`: the part before the dot is the Rasa sender id (the tracker's
name), the signature an HMAC-SHA256 of it with CHANNEL_SESSION_SECRET. The prefix names the channel
(`wc-` web chat, `rest-` REST), and is inside the signed part, so an id from one channel is refused by
every other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from typing import Any, Optional

SIGNATURE_CHARACTERS = 22  # 132 bits of the HMAC: far beyond guessing, and keeps the id short


class SessionSigner:
    def __init__(self, secret: str, prefix: str) -> None:
        self.secret = secret.encode("utf-8")
        self.prefix = prefix
        self.pattern = re.compile(
            re.escape(prefix) + r"[0-9a-f]{32}\.[A-Za-z0-9_-]{%d}" % SIGNATURE_CHARACTERS
        )

    def signature(self, sender_id: str) -> str:
        digest = hmac.new(self.secret, sender_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:SIGNATURE_CHARACTERS]

    def issue(self) -> str:
        sender_id = f"{self.prefix}{uuid.uuid4().hex}"
        return f"{sender_id}.{self.signature(sender_id)}"

    def verify(self, wire_id: Any) -> Optional[str]:
        """The sender id inside a wire id this server signed for this channel, or None for anything else."""
        if not isinstance(wire_id, str) or not self.pattern.fullmatch(wire_id):
            return None
        sender_id, signature = wire_id.split(".", 1)
        if not hmac.compare_digest(self.signature(sender_id), signature):
            return None
        return sender_id
