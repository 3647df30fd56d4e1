"""Step-up verification: one-time codes, authenticator apps (TOTP) and the short-lived tokens they earn."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, EmailStr, root_validator
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from backend.database import Base
from common.database import utcnow
from common.fields import OneTimeCode, PhoneText

Channel = Literal["email", "sms"]


class VerificationChallenge(Base):
    __tablename__ = "verification_challenges"

    id = Column(String(32), primary_key=True)
    # NULL for a decoy challenge: an unknown email or phone gets one too, so nothing reveals an account.
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=True, index=True)
    # Issuing is rate-limited per email or phone typed, known or not, so limits reveal nothing either.
    identifier_hash = Column(String(64), nullable=False, index=True)
    channel = Column(String(10), nullable=False)
    code_hash = Column(String(64), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    status = Column(String(10), nullable=False, default="pending")  # pending | verified | locked
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime, nullable=True)


class VerificationToken(Base):
    __tablename__ = "verification_tokens"

    token_hash = Column(String(64), primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    challenge_id = Column(
        String(32), ForeignKey("verification_challenges.id", ondelete="CASCADE"), nullable=False
    )
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class Authenticator(Base):
    __tablename__ = "authenticators"

    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    secret = Column(String(64), nullable=False)
    # The last TOTP time step accepted: a code is good once, never again inside its 30-second window.
    last_timecode = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class VerificationLockout(Base):
    """Too many wrong codes for one customer, whichever identifier or channel they came through."""

    __tablename__ = "verification_lockouts"

    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    locked_until = Column(DateTime, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ChallengeCreate(BaseModel):
    email: Optional[EmailStr] = None
    phone: Optional[PhoneText] = None
    channel: Optional[Channel] = None

    @root_validator(skip_on_failure=True)
    def _one_identifier(cls, values: dict) -> dict:  # noqa: N805
        if (values.get("email") is None) == (values.get("phone") is None):
            raise ValueError("give exactly one of email or phone")
        return values


class ChallengeCreated(BaseModel):
    """The same fields and shapes whether or not the identifier has an account (nothing to enumerate)."""

    challenge_id: str
    channel: str
    sent_to: str
    expires_at: datetime


class ChallengeCheck(BaseModel):
    code: OneTimeCode


class VerificationResult(BaseModel):
    verified: bool
    customer_id: int
    token: str
    expires_at: datetime


class AuthenticatorEnrolled(BaseModel):
    customer_id: int
    secret: str
    provisioning_uri: str
