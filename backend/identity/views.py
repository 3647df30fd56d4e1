"""HTTP routes for step-up verification."""

from __future__ import annotations

from typing import Optional

import pyotp
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import views as idempotency
from backend.idempotency.views import Outcome
from backend.identity import service
from backend.identity.models import (
    AuthenticatorEnrolled,
    ChallengeCheck,
    ChallengeCreate,
    ChallengeCreated,
    VerificationResult,
)
from backend.security import CUSTOMER_SELF, IDENTITY, require_scope
from common.api import id_path

router = APIRouter(tags=["identity"])

CHALLENGE_ID = Path(..., regex=r"^[0-9a-f]{32}$", description="id returned when the code was sent")


def policy(request: Request) -> service.VerificationPolicy:
    return request.app.state.verification_policy


@router.post(
    "/verifications",
    response_model=ChallengeCreated,
    status_code=201,
    dependencies=[Depends(require_scope(IDENTITY))],
)
def create_challenge(
    body: ChallengeCreate,
    key: Optional[str] = Depends(idempotency_key),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Send a one-time code to the email or phone on file (the answer looks the same for unknown ones).

    With an Idempotency-Key, a retry of the same request gets the first challenge back: no second code is
    sent and none is counted toward the codes-per-15-minutes limits.
    """

    def produce() -> Outcome:
        challenge, sent_to = service.create_challenge(
            body.email, body.phone, body.channel, db_session=session
        )
        created = ChallengeCreated(
            challenge_id=challenge.id,
            channel=challenge.channel,
            sent_to=sent_to,
            expires_at=challenge.expires_at,
        )
        return 201, created

    return idempotency.execute(
        key, "POST /verifications", body.dict(), produce, db_session=session, required=False
    )


@router.post(
    "/verifications/{challenge_id}/check",
    response_model=VerificationResult,
    dependencies=[Depends(require_scope(IDENTITY))],
)
def check_challenge(
    *,
    challenge_id: str = CHALLENGE_ID,
    body: ChallengeCheck,
    key: Optional[str] = Depends(idempotency_key),
    rules: service.VerificationPolicy = Depends(policy),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Check a code or authenticator TOTP; success returns a token valid for 15 minutes.

    With an Idempotency-Key, a retry of the same request gets the first verdict back: the same token, or
    the same refusal without counting the wrong code twice.
    """

    def produce() -> Outcome:
        result = service.check_challenge(challenge_id, body.code, rules, db_session=session)
        if result.refusal is not None:
            return result.refusal  # returned, not raised: the wrong attempt it counted must be committed
        assert result.token_row is not None and result.token is not None
        verified = VerificationResult(
            verified=True,
            customer_id=result.token_row.customer_id,
            token=result.token,
            expires_at=result.token_row.expires_at,
        )
        return 200, verified

    payload = {"challenge_id": challenge_id, "code": body.code}
    return idempotency.execute(
        key, "POST /verifications/check", payload, produce, db_session=session, required=False
    )


@router.post(
    "/customers/{customer_id}/authenticator",
    response_model=AuthenticatorEnrolled,
    status_code=201,
    dependencies=[Depends(require_scope(CUSTOMER_SELF))],
)
def enroll_authenticator(
    *,
    customer_id: int = id_path("customer id"),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> AuthenticatorEnrolled:
    """Enrol an authenticator app; needs a verification token for this customer."""
    service.require_verified(token, customer_id, db_session=session)
    authenticator = service.enroll_authenticator(customer_id, db_session=session)
    session.commit()
    uri = pyotp.TOTP(authenticator.secret).provisioning_uri(name=str(customer_id), issuer_name="Frontdesk")
    return AuthenticatorEnrolled(customer_id=customer_id, secret=authenticator.secret, provisioning_uri=uri)
