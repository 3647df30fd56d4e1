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

    def send_code(
        self, *, email: Optional[str] = None, phone: Optional[str] = None, idempotency_key: str
    ) -> Challenge:
        """Send a code by email or SMS to the address on file (unknown ones get an identical-looking decoy).

        A retry with the same key gets the first challenge back; no second code is sent.
        """
        body = self._call(
            "POST",
            "/v1/verifications",
            json={"email": email} if email else {"phone": phone},
            idempotency_key=idempotency_key,
        )
        return Challenge(body["challenge_id"], body["sent_to"])

    def check_code(self, challenge_id: str, code: str, *, idempotency_key: str) -> Verification:
        """The backend's verdict on a code: a token, or ServiceRefused (invalid, locked, expired, used).

        A retry with the same key gets the first verdict back (a wrong code is counted once).
        """
        body = self._call(
            "POST",
            f"/v1/verifications/{challenge_id}/check",
            json={"code": code},
            idempotency_key=idempotency_key,
        )
        return Verification(body["customer_id"], body["token"], body["expires_at"])
