"""Step-up verification: issue one-time codes, check them (or a TOTP), and honour the tokens they earn."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta
from typing import Optional, Tuple

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.customers import service as customers
from backend.customers.models import Customer
from backend.database import utcnow
from backend.errors import ApiError, not_found
from backend.identity.models import Authenticator, VerificationChallenge, VerificationToken
from backend.notifications import service as notifications

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 3
CODES_PER_WINDOW = 3
CODE_WINDOW = timedelta(minutes=15)


def token_lifetime() -> timedelta:
    """How long a verification lasts (15 minutes; tests may shorten it)."""
    return timedelta(seconds=int(os.environ.get("VERIFICATION_TOKEN_TTL_SECONDS", "900")))


def _hash(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def mask(identifier: str) -> str:
    """j***@example.com or ******4567: recognisable to its owner only."""
    if "@" in identifier:
        local, _, domain = identifier.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = "".join(ch for ch in identifier if ch.isdigit())
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def _find_customer(email: Optional[str], phone: Optional[str], *, db_session: Session) -> Optional[Customer]:
    if email is not None:
        return customers.get_by_email(email, db_session=db_session)
    wanted = "".join(ch for ch in phone or "" if ch.isdigit())
    for customer in db_session.execute(select(Customer).where(Customer.phone.is_not(None))).scalars():
        if "".join(ch for ch in customer.phone if ch.isdigit()) == wanted:
            return customer
    return None


def create_challenge(
    email: Optional[str], phone: Optional[str], channel: Optional[str], *, db_session: Session
) -> Tuple[VerificationChallenge, str, bool]:
    """Send a 6-digit code to the email or phone on file; unknown identifiers get an identical decoy."""
    identifier = (
        customers.normalise_email(email) if email else "".join(ch for ch in phone or "" if ch.isdigit())
    )
    identifier_hash = _hash("identifier", identifier)
    now = utcnow()
    recent = db_session.execute(
        select(func.count())
        .select_from(VerificationChallenge)
        .where(
            VerificationChallenge.identifier_hash == identifier_hash,
            VerificationChallenge.created_at > now - CODE_WINDOW,
        )
    ).scalar_one()
    if recent >= CODES_PER_WINDOW:
        raise ApiError(429, "too_many_codes", "Too many codes were requested; wait 15 minutes and try again.")
    customer = _find_customer(email, phone, db_session=db_session)
    channel = channel or ("email" if email else "sms")
    challenge_id = secrets.token_hex(16)
    code = f"{secrets.randbelow(1_000_000):06d}"
    challenge = VerificationChallenge(
        id=challenge_id,
        customer_id=customer.id if customer else None,
        identifier_hash=identifier_hash,
        channel=channel,
        code_hash=_hash(challenge_id, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    db_session.add(challenge)
    destination = identifier
    if customer is not None:
        destination = customer.email if channel == "email" else (customer.phone or "")
        if destination:
            notifications.enqueue(
                channel=channel,
                recipient=destination,
                template="verification_code",
                subject="Your verification code",
                body=f"Your Frontdesk verification code is {code}. It expires in 5 minutes. "
                "Never share it: our staff will never ask you for it.",
                db_session=db_session,
            )
    has_authenticator = customer is not None and db_session.get(Authenticator, customer.id) is not None
    db_session.flush()
    return challenge, mask(destination or identifier), has_authenticator


def _totp_matches(customer_id: int, code: str, *, db_session: Session) -> bool:
    """A current TOTP from the customer's app, accepted once per time step (no replay in its window)."""
    authenticator = db_session.get(Authenticator, customer_id)
    if authenticator is None or not code.isdigit():
        return False
    timecode = pyotp.TOTP(authenticator.secret).verify_and_get_timecode(code, valid_window=1)
    if not timecode or timecode <= authenticator.last_timecode:
        return False
    authenticator.last_timecode = timecode
    return True


def check_challenge(challenge_id: str, code: str, *, db_session: Session) -> Tuple[VerificationToken, str]:
    """Verify a code: 3 attempts, 5 minutes, single use. Returns the token row and the token itself."""
    challenge = db_session.execute(
        select(VerificationChallenge).where(VerificationChallenge.id == challenge_id).with_for_update()
    ).scalar_one_or_none()
    if challenge is None:
        raise not_found("challenge_not_found", "No verification with that id.")
    if challenge.status == "verified":
        raise ApiError(409, "code_already_used", "This code was already used; ask for a new one.")
    if challenge.status == "locked":
        raise ApiError(423, "challenge_locked", "Too many wrong codes; ask for a new one.")
    now = utcnow()
    if now > challenge.expires_at:
        raise ApiError(410, "code_expired", "The code has expired; ask for a new one.")
    code = code.strip().replace(" ", "")
    correct = challenge.customer_id is not None and (
        secrets.compare_digest(challenge.code_hash, _hash(challenge.id, code))
        or _totp_matches(challenge.customer_id, code, db_session=db_session)
    )
    if not correct:
        challenge.attempts += 1
        if challenge.attempts >= MAX_ATTEMPTS:
            challenge.status = "locked"
            db_session.commit()
            raise ApiError(423, "challenge_locked", "Too many wrong codes; ask for a new one.")
        db_session.commit()
        raise ApiError(
            422,
            "code_invalid",
            "That code is not right.",
            {"attempts_left": MAX_ATTEMPTS - challenge.attempts},
        )
    challenge.status = "verified"
    challenge.used_at = now
    token = secrets.token_urlsafe(32)
    row = VerificationToken(
        token_hash=_hash("token", token),
        customer_id=challenge.customer_id,
        challenge_id=challenge.id,
        created_at=now,
        expires_at=now + token_lifetime(),
    )
    db_session.add(row)
    db_session.flush()
    return row, token


def require_verified(token: Optional[str], customer_id: int, *, db_session: Session) -> None:
    """Refuse unless the token is a live verification that this backend issued for this customer."""
    if token:
        row = db_session.get(VerificationToken, _hash("token", token))
        if row is not None and row.customer_id == customer_id and utcnow() < row.expires_at:
            return
    raise ApiError(403, "verification_required", "This operation needs a fresh identity verification.")


def enroll_authenticator(customer_id: int, *, db_session: Session) -> Authenticator:
    """Give the customer a new TOTP secret (replacing any earlier one)."""
    customers.get(customer_id, db_session=db_session)
    authenticator = db_session.get(Authenticator, customer_id)
    if authenticator is None:
        authenticator = Authenticator(customer_id=customer_id, secret=pyotp.random_base32(), last_timecode=0)
        db_session.add(authenticator)
    else:
        authenticator.secret = pyotp.random_base32()
        authenticator.last_timecode = 0
    db_session.flush()
    return authenticator
