"""Request-scoped dependencies shared by the domain routers."""

from __future__ import annotations

from typing import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def db_session(request: Request) -> Iterator[Session]:
    """One database session per request, closed afterwards."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()
