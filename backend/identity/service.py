"""Step-up verification: issue one-time codes, check them (or a TOTP), and honour the tokens they earn.

Nothing here may tell an attacker whether an identifier has an account: unknown emails and phones get a
decoy challenge that looks the same and never succeeds, and a locked-out customer's challenges behave
exactly like decoys (the real customer is told by email instead).

Limits: 3 codes per 15 minutes per identifier and per customer (email and phone together); 3 wrong
attempts per code; a budget of wrong codes per customer across every identifier and channel, after which
verification is locked for a while and the customer is emailed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, List, Optional, Tuple

import pyotp
from limits import parse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.customers import service as customers
from backend.customers.models import Customer
from backend.customers.phones import normalise_phone
from backend.identity.models import (
    Authenticator,
    VerificationChallenge,
    VerificationLockout,
    VerificationToken,
)
from backend.notifications import service as notifications
from common.batches import count_rows, delete_batch
from common.database import utcnow
from common.errors import ApiError, not_found
from common.masking import mask_identifier
from common.security_events import security_event

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 3
CODES_PER_WINDOW = 3
CODE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class VerificationPolicy:
    token_lifetime: timedelta
    failures_per_customer: int
    failure_window: timedelta
    lockout: timedelta

    @classmethod
    def from_settings(
        cls, *, token_ttl_seconds: int, failures: str, lockout_minutes: int
    ) -> VerificationPolicy:
        budget = parse(failures)
        return cls(
            token_lifetime=timedelta(seconds=token_ttl_seconds),
            failures_per_customer=budget.amount,
            failure_window=timedelta(seconds=budget.get_expiry()),
            lockout=timedelta(minutes=lockout_minutes),
        )


@dataclass(frozen=True)
class CheckResult:
    """A verified token, or the refusal to answer with (recorded attempts are committed either way)."""

    token_row: Optional[VerificationToken] = None
    token: Optional[str] = None
    refusal: Optional[ApiError] = None


def _hash(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def identifier_of(email: Optional[str], phone: Optional[str]) -> str:
    """The identifier in one canonical form: a lower-cased email or an E.164 phone number."""
    if email:
        return customers.normalise_email(email)
    return normalise_phone(phone) or "".join(ch for ch in phone or "" if ch.isdigit() or ch == "+")


def accounts_for(email: Optional[str], phone: Optional[str], *, db_session: Session) -> List[Customer]:
    """Every account the identifier could mean (more than one must never verify)."""
    if email:
        statement = select(Customer).where(func.lower(Customer.email) == customers.normalise_email(email))
    else:
        e164 = normalise_phone(phone)
        if e164 is None:
            return []
        statement = select(Customer).where(Customer.phone == e164)
    return list(db_session.execute(statement.limit(2)).scalars())


def _recent_challenges(*conditions: Any, since: datetime, db_session: Session) -> int:
    return db_session.execute(
        select(func.count())
        .select_from(VerificationChallenge)
        .where(*conditions, VerificationChallenge.created_at > since)
    ).scalar_one()


def _locked(customer_id: int, *, db_session: Session) -> bool:
    lockout = db_session.get(VerificationLockout, customer_id)
    return lockout is not None and lockout.locked_until > utcnow()


def create_challenge(
    email: Optional[str], phone: Optional[str], channel: Optional[str], *, db_session: Session
) -> Tuple[VerificationChallenge, str]:
    """Send a 6-digit code to the email or phone on file; unknown identifiers get an identical decoy."""
    identifier = identifier_of(email, phone)
    identifier_hash = _hash("identifier", identifier)
    now = utcnow()
    since = now - CODE_WINDOW
    if (
        _recent_challenges(
            VerificationChallenge.identifier_hash == identifier_hash, since=since, db_session=db_session
        )
        >= CODES_PER_WINDOW
    ):
        raise ApiError(429, "too_many_codes", "Too many codes were requested; wait 15 minutes and try again.")
    accounts = accounts_for(email, phone, db_session=db_session)
    if len(accounts) > 1:
        security_event("identifier_ambiguous", identifier_hash=identifier_hash[:16], accounts=len(accounts))
        raise ApiError(
            409, "identifier_ambiguous", "This identifier cannot verify anyone; a person will help."
        )
    customer = accounts[0] if accounts else None
    if (
        customer is not None
        and _recent_challenges(
            VerificationChallenge.customer_id == customer.id, since=since, db_session=db_session
        )
        >= CODES_PER_WINDOW
    ):
        raise ApiError(429, "too_many_codes", "Too many codes were requested; wait 15 minutes and try again.")
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
        # A locked-out customer was told by email; sending codes to them now would only help the guesser.
        if destination and not _locked(customer.id, db_session=db_session):
            notifications.send_template(
                channel=channel,
                recipient=destination,
                template="verification_code",
                values={"code": code},
                db_session=db_session,
            )
    db_session.flush()
    return challenge, mask_identifier(destination or identifier)


def _totp_matches(customer_id: int, code: str, *, db_session: Session) -> bool:
    """The current TOTP from the customer's app (no neighbouring step), accepted once per time step."""
    authenticator = db_session.get(Authenticator, customer_id)
    if authenticator is None or not code.isdigit():
        return False
    timecode = pyotp.TOTP(authenticator.secret).verify_and_get_timecode(code, valid_window=0)
    if not timecode or timecode <= authenticator.last_timecode:
        return False
    authenticator.last_timecode = timecode
    return True


def _failures_in_window(customer_id: int, window: timedelta, *, db_session: Session) -> int:
    return db_session.execute(
        select(func.coalesce(func.sum(VerificationChallenge.attempts), 0)).where(
            VerificationChallenge.customer_id == customer_id,
            VerificationChallenge.created_at > utcnow() - window,
        )
    ).scalar_one()


def _record_failure(
    challenge: VerificationChallenge, policy: VerificationPolicy, *, db_session: Session
) -> None:
    """Count a wrong code; lock the customer out (and tell them) once their budget is spent."""
    challenge.attempts += 1
    if challenge.attempts >= MAX_ATTEMPTS:
        challenge.status = "locked"
    db_session.flush()
    customer_id = challenge.customer_id
    if customer_id is None or _locked(customer_id, db_session=db_session):
        return
    if (
        _failures_in_window(customer_id, policy.failure_window, db_session=db_session)
        < policy.failures_per_customer
    ):
        return
    now = utcnow()
    lockout = db_session.get(VerificationLockout, customer_id)
    if lockout is None:
        lockout = VerificationLockout(
            customer_id=customer_id, locked_until=now + policy.lockout, created_at=now
        )
        db_session.add(lockout)
    else:
        lockout.locked_until, lockout.created_at = now + policy.lockout, now
    customer = db_session.get(Customer, customer_id)
    if customer is not None:
        notifications.send_template(
            channel="email",
            recipient=customer.email,
            template="verification_locked",
            values={"name": customer.name, "minutes": int(policy.lockout.total_seconds() // 60)},
            db_session=db_session,
        )
    security_event(
        "verification_locked", customer_id=customer_id, minutes=policy.lockout.total_seconds() / 60
    )
    db_session.flush()


def check_challenge(
    challenge_id: str, code: str, policy: VerificationPolicy, *, db_session: Session
) -> CheckResult:
    """Verify a code: 3 attempts, 5 minutes, single use, and never while the customer is locked out."""
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
    correct = (
        challenge.customer_id is not None
        and not _locked(challenge.customer_id, db_session=db_session)
        and (
            secrets.compare_digest(challenge.code_hash, _hash(challenge.id, code))
            or _totp_matches(challenge.customer_id, code, db_session=db_session)
        )
    )
    if not correct:
        _record_failure(challenge, policy, db_session=db_session)
        if challenge.status == "locked":
            return CheckResult(
                refusal=ApiError(423, "challenge_locked", "Too many wrong codes; ask for a new one.")
            )
        return CheckResult(
            refusal=ApiError(
                422,
                "code_invalid",
                "That code is not right.",
                {"attempts_left": MAX_ATTEMPTS - challenge.attempts},
            )
        )
    challenge.status = "verified"
    challenge.used_at = now
    token = secrets.token_urlsafe(32)
    row = VerificationToken(
        token_hash=_hash("token", token),
        customer_id=challenge.customer_id,
        challenge_id=challenge.id,
        created_at=now,
        expires_at=now + policy.token_lifetime,
    )
    db_session.add(row)
    db_session.flush()
    return CheckResult(token_row=row, token=token)


def verified_customer_id(token: Optional[str], *, db_session: Session) -> Optional[int]:
    """The customer a live token was issued for, if the token is live."""
    if not token:
        return None
    row = db_session.get(VerificationToken, _hash("token", token))
    if row is None or utcnow() >= row.expires_at:
        return None
    return row.customer_id


def require_verified(token: Optional[str], customer_id: int, *, db_session: Session) -> None:
    """Refuse unless the token is a live verification that this backend issued for this customer."""
    if verified_customer_id(token, db_session=db_session) != customer_id:
        raise ApiError(403, "verification_required", "This operation needs a fresh identity verification.")


def require_verified_email(token: Optional[str], email: str, *, db_session: Session) -> int:
    """Refuse unless the token is live and the email is the verified customer's own; return the customer.

    The token is checked first, so a refusal never says who owns an email or an order.
    """
    customer_id = verified_customer_id(token, db_session=db_session)
    customer = customers.get(customer_id, db_session=db_session) if customer_id else None
    if customer is None or customers.normalise_email(customer.email) != customers.normalise_email(email):
        raise ApiError(403, "verification_required", "This operation needs a fresh identity verification.")
    return customer.id


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


# Retention (privacy/retention.py): codes, tokens and lockouts go once they expired before the cutoff. The
# cutoff must lie further back than the failure budget's window, which counts recent challenges' attempts.
def _expired_verification(cutoff: datetime) -> List[Tuple[Any, Any]]:
    """(key, condition) per table, tokens first: a challenge goes with its tokens, never before them."""
    staying_token = select(VerificationToken.token_hash).where(
        VerificationToken.challenge_id == VerificationChallenge.id, VerificationToken.expires_at >= cutoff
    )
    return [
        (VerificationToken.token_hash, VerificationToken.expires_at < cutoff),
        (VerificationChallenge.id, (VerificationChallenge.expires_at < cutoff) & ~staying_token.exists()),
        (VerificationLockout.customer_id, VerificationLockout.locked_until < cutoff),
    ]


def count_expired_verification(cutoff: datetime, *, db_session: Session) -> int:
    return sum(
        count_rows(key, condition, db_session=db_session) for key, condition in _expired_verification(cutoff)
    )


def delete_expired_verification(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of expired tokens, then challenges, then lockouts; the caller commits."""
    for key, condition in _expired_verification(cutoff):
        deleted = delete_batch(key, condition, batch_size=batch_size, db_session=db_session)
        if deleted:
            return deleted
    return 0
