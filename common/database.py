"""Database engines and sessions for every service that keeps tables (backend, console, action server).

SQLAlchemy 1.4 in 2.0 style (`future=True`). SQLite gets its folder created, foreign keys and WAL switched
on; other databases get pre-ping so a restarted server does not fail the first request.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker


def utcnow() -> datetime:
    """Current UTC time as a naive datetime (the same on SQLite and PostgreSQL)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def make_engine(database_url: str, **options: Any) -> Engine:
    """An engine for the URL."""
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, future=True, pool_pre_ping=True, **options)
    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        database_url, future=True, connect_args={"check_same_thread": False, "timeout": 30}, **options
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker:
    """2.0-style sessions whose objects stay readable after commit."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)
