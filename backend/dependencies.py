"""Request-scoped dependencies shared by the domain routers."""

from __future__ import annotations

from typing import Iterator, Optional

from fastapi import Header, Request
from sqlalchemy.orm import Session


def db_session(request: Request) -> Iterator[Session]:
    """One database session per request, closed afterwards; the route commits what it changes."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def idempotency_key(
    key: Optional[str] = Header(
        None, alias="Idempotency-Key", max_length=200, description="retry-safe request id"
    ),
) -> Optional[str]:
    """The client's Idempotency-Key header."""
    return key


def verification_token(
    token: Optional[str] = Header(
        None, alias="X-Verification-Token", max_length=200, description="from /check"
    ),
) -> Optional[str]:
    """The step-up verification token the customer earned with a one-time code."""
    return token
