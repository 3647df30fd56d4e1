"""Idempotent execution (Stripe semantics) enforced by the database, not by process memory.

This is part of the HTTP layer (it answers with a JSONResponse and commits), which is why it lives in
views.py: the routes that change something call execute(), and execute() commits for them.

The key row is inserted in the same transaction as the change it protects. A concurrent duplicate blocks
on that insert until the first transaction ends, then finds the stored result and replays it; a crash
rolls back the key and the change together, so a retry runs again from clean.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Optional, Tuple

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.idempotency.models import IdempotencyKey
from common.errors import ApiError, error_body

MAX_KEY_LENGTH = 200
# What a view's work returns: the status and the body to answer (and to replay for retries).
Produced = Tuple[int, BaseModel]
REPLAY_HEADER = "Idempotent-Replayed"


def fingerprint(operation: str, payload: Any) -> str:
    """A stable hash of what was asked, to tell a retry from a different request reusing a key."""
    return hashlib.sha256(
        f"{operation}\n{json.dumps(payload, sort_keys=True, default=str)}".encode()
    ).hexdigest()


def _encode(result: BaseModel) -> Any:
    # Through the model's own JSON encoders, so money stays an exact string.
    return json.loads(result.json())


def _replay(row: IdempotencyKey, request_hash: str) -> JSONResponse:
    if row.request_hash != request_hash:
        raise ApiError(
            422, "idempotency_key_reused", "This Idempotency-Key was already used for a different request."
        )
    return JSONResponse(
        json.loads(row.response_body), status_code=row.status_code, headers={REPLAY_HEADER: "true"}
    )


def execute(
    key: Optional[str],
    operation: str,
    payload: Any,
    produce: Callable[[], Produced],
    *,
    db_session: Session,
    required: bool = True,
) -> JSONResponse:
    """Run `produce` at most once per key and answer every retry with the first result."""
    if key is None or not key.strip():
        if required:
            raise ApiError(400, "idempotency_key_required", "This operation needs an Idempotency-Key header.")
        status, result = produce()
        db_session.commit()
        return JSONResponse(_encode(result), status_code=status)
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            422, "idempotency_key_invalid", f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters."
        )
    request_hash = fingerprint(operation, payload)
    row = IdempotencyKey(key=key, request_hash=request_hash, status_code=0, response_body="")
    db_session.add(row)
    try:
        db_session.flush()  # the first statement of the transaction: it takes the write lock
    except IntegrityError:
        db_session.rollback()
        existing = db_session.get(IdempotencyKey, key)
        if existing is None:  # the first request failed and rolled back meanwhile: nothing to replay
            raise ApiError(409, "request_in_progress", "A request with this key is being retried; try again.")
        return _replay(existing, request_hash)
    try:
        status, result = produce()
    except ApiError as exc:
        db_session.rollback()
        _store_refusal(key, request_hash, exc, db_session=db_session)
        raise
    except Exception:
        db_session.rollback()
        raise
    body = _encode(result)
    row.status_code = status
    row.response_body = json.dumps(body)
    db_session.commit()
    return JSONResponse(body, status_code=status)


def _store_refusal(key: str, request_hash: str, exc: ApiError, *, db_session: Session) -> None:
    """Refusals are results too: a retry gets the same 4xx instead of a second evaluation."""
    if exc.status_code >= 500 or exc.status_code in (409, 429):
        return
    db_session.add(
        IdempotencyKey(
            key=key,
            request_hash=request_hash,
            status_code=exc.status_code,
            response_body=json.dumps(error_body(exc.code, exc.message, exc.details)),
        )
    )
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
