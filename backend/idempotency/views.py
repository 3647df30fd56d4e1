"""Idempotent execution (Stripe semantics) enforced by the database, not by process memory.

This is part of the HTTP layer (it answers with a JSONResponse and commits), which is why it lives in
views.py: the routes that change something call execute(), and execute() commits for them.

The key row is inserted in the same transaction as the change it protects. A concurrent duplicate blocks
on that insert until the first transaction ends, then finds the stored result and replays it; a crash
rolls back the key and the change together, so a retry runs again from clean.

At rest a row says nothing about the request or its answer (a customer record, a ticket's transcript): its
key is a keyed hash of the Idempotency-Key, its request hash is keyed too, and the response is sealed
(AES-GCM, backend/sealing.py) with a key derived from the Idempotency-Key and the storage secret. Only a
retry carrying the Idempotency-Key opens it; the database with the secret does not.

A refusal usually undoes the work (the view raises ApiError). Some refusals must keep it: a wrong one-time
code is counted against the code and the customer's budget, so the check *returns* its ApiError instead of
raising it, and execute() commits that work together with the stored refusal, in one transaction. A retry
with the same key then replays the refusal without counting the wrong code a second time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple, Union

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend import sealing
from backend.idempotency.models import IdempotencyKey
from common.errors import ApiError, error_body

MAX_KEY_LENGTH = 200
# What a view's work returns: the status and the body to answer (and to replay for retries).
Produced = Tuple[int, BaseModel]
# Or a refusal that keeps the work done before it (a counted wrong code): returned, not raised.
Outcome = Union[Produced, ApiError]
REPLAY_HEADER = "Idempotent-Replayed"


def fingerprint(operation: str, payload: Any) -> str:
    """A stable hash of what was asked, to tell a retry from a different request reusing a key."""
    return hashlib.sha256(
        f"{operation}\n{json.dumps(payload, sort_keys=True, default=str)}".encode()
    ).hexdigest()


def _encode(result: BaseModel) -> Any:
    # Through the model's own JSON encoders, so money stays an exact string.
    return json.loads(result.json())


@dataclass(frozen=True)
class StoredKey:
    """How one Idempotency-Key is stored: the row's key, and the key that seals its response."""

    row_key: str
    sealing_key: bytes

    @classmethod
    def of(cls, key: str, *, db_session: Optional[Session]) -> StoredKey:
        secret = sealing.storage_secret(db_session)
        lookup = sealing.derive(secret, "idempotency-lookup", key).hex()
        return cls(row_key=f"h-{lookup}", sealing_key=sealing.derive(secret, "idempotency-body", key))

    def request_hash(self, operation: str, payload: Any) -> str:
        # Keyed, so the hash of a request with a guessable payload (an email, an order) cannot be matched.
        return self.keyed(fingerprint(operation, payload))

    def keyed(self, plain_fingerprint: str) -> str:
        return hmac.new(self.sealing_key, plain_fingerprint.encode(), hashlib.sha256).hexdigest()

    def seal(self, body: Any) -> str:
        return sealing.seal(self.sealing_key, json.dumps(body))

    def open(self, row: IdempotencyKey) -> Any:
        return json.loads(sealing.open_sealed(self.sealing_key, row.response_body))


def _replay(row: IdempotencyKey, stored: StoredKey, request_hash: str) -> JSONResponse:
    if row.request_hash != request_hash:
        raise ApiError(
            422, "idempotency_key_reused", "This Idempotency-Key was already used for a different request."
        )
    return JSONResponse(stored.open(row), status_code=row.status_code, headers={REPLAY_HEADER: "true"})


def execute(
    key: Optional[str],
    operation: str,
    payload: Any,
    produce: Callable[[], Outcome],
    *,
    db_session: Session,
    required: bool = True,
) -> JSONResponse:
    """Run `produce` at most once per key and answer every retry with the first result.

    A raised ApiError rolls `produce`'s work back; a returned one keeps it (see the module's docstring).
    """
    if key is None or not key.strip():
        if required:
            raise ApiError(400, "idempotency_key_required", "This operation needs an Idempotency-Key header.")
        outcome = produce()
        db_session.commit()
        if isinstance(outcome, ApiError):
            raise outcome
        status, result = outcome
        return JSONResponse(_encode(result), status_code=status)
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            422, "idempotency_key_invalid", f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters."
        )
    stored = StoredKey.of(key, db_session=db_session)
    request_hash = stored.request_hash(operation, payload)
    row = IdempotencyKey(key=stored.row_key, request_hash=request_hash, status_code=0, response_body="")
    db_session.add(row)
    try:
        db_session.flush()  # the first statement of the transaction: it takes the write lock
    except IntegrityError:
        db_session.rollback()
        existing = db_session.get(IdempotencyKey, stored.row_key)
        if existing is None:  # the first request failed and rolled back meanwhile: nothing to replay
            raise ApiError(409, "request_in_progress", "A request with this key is being retried; try again.")
        return _replay(existing, stored, request_hash)
    try:
        outcome = produce()
    except ApiError as exc:
        db_session.rollback()
        _store_refusal(stored, request_hash, exc, db_session=db_session)
        raise
    except Exception:
        db_session.rollback()
        raise
    if isinstance(outcome, ApiError):
        _keep_refusal(row, stored, outcome, db_session=db_session)
        raise outcome
    status, result = outcome
    body = _encode(result)
    row.status_code = status
    row.response_body = stored.seal(body)
    db_session.commit()
    return JSONResponse(body, status_code=status)


def _replayable(exc: ApiError) -> bool:
    """Refusals are results too, except those a later retry may not meet (busy, rate-limited, failing)."""
    return exc.status_code < 500 and exc.status_code not in (409, 429)


def _keep_refusal(row: IdempotencyKey, stored: StoredKey, exc: ApiError, *, db_session: Session) -> None:
    """Commit the work that led to a returned refusal, with the refusal stored for retries when replayable."""
    if _replayable(exc):
        row.status_code = exc.status_code
        row.response_body = stored.seal(error_body(exc.code, exc.message, exc.details))
    else:
        db_session.delete(row)
    db_session.commit()


def _store_refusal(stored: StoredKey, request_hash: str, exc: ApiError, *, db_session: Session) -> None:
    """Refusals are results too: a retry gets the same 4xx instead of a second evaluation."""
    if not _replayable(exc):
        return
    db_session.add(
        IdempotencyKey(
            key=stored.row_key,
            request_hash=request_hash,
            status_code=exc.status_code,
            response_body=stored.seal(error_body(exc.code, exc.message, exc.details)),
        )
    )
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
