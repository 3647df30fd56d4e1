"""Client for step-up verification: send a one-time code, check it, get a short-lived token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from clients.http import ServiceClient


@dataclass(frozen=True)
class Challenge:
    challenge_id: str
    sent_to: str


@dataclass(frozen=True)
class Verification:
    customer_id: int
    token: str
    expires_at: str


class IdentityClient(ServiceClient):
    api_name = "identity"

    def send_code(self, *, email: Optional[str] = None, phone: Optional[str] = None) -> Challenge:
        """Send a code by email or SMS to the address on file (unknown ones get an identical-looking decoy)."""
        body = self._call("POST", "/v1/verifications", json={"email": email} if email else {"phone": phone})
        return Challenge(body["challenge_id"], body["sent_to"])

    def check_code(self, challenge_id: str, code: str) -> Verification:
        """The backend's verdict on a code: a token, or ServiceRefused (invalid, locked, expired, used)."""
        body = self._call("POST", f"/v1/verifications/{challenge_id}/check", json={"code": code})
        return Verification(body["customer_id"], body["token"], body["expires_at"])
