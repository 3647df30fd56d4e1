"""Database engines and sessions for every service that keeps tables (backend, console, action server).

SQLAlchemy 1.4 in 2.0 style (`future=True`). SQLite gets its folder created, foreign keys and WAL switched
on; other databases get pre-ping so a restarted server does not fail the first request.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from common.env import choice


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


# How Rasa's own SQLite files (tracker store, event broker) sync a commit: see serving_sqlite_engine.
SQLITE_SYNCHRONOUS_VARIABLE = "RASA_SQLITE_SYNCHRONOUS"
SQLITE_SYNCHRONOUS_MODES = ("NORMAL", "FULL")


def serving_sqlite_engine(url: Any) -> Engine:
    """An engine for a SQLite file Rasa writes on every customer message (the local tracker store and event
    broker), in SQLAlchemy 1.x style as Rasa's stores use it.

    Two costs of Rasa's own engine are gone (bench/SERVING.md, step 7): SQLAlchemy 1.4 opens and closes a new
    connection for every session on a SQLite file, and each commit waited for the disk. Here connections
    are pooled, the journal is WAL and `synchronous` is NORMAL by default: a commit is then durable when the
    process is killed (even with kill -9) but not when the machine loses power, where the last commits may
    be lost. RASA_SQLITE_SYNCHRONOUS=FULL syncs every commit again. Production stores in PostgreSQL."""
    synchronous = choice(SQLITE_SYNCHRONOUS_VARIABLE, SQLITE_SYNCHRONOUS_MODES, default="NORMAL")
    engine = create_engine(
        make_url(url),
        poolclass=QueuePool,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _serving_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    return engine


def pool_rasa_sqlite_store(store: Any) -> None:
    """Give a Rasa SQL store (tracker store or event broker: `engine` and `sessionmaker` attributes) the
    serving engine above when it writes to SQLite; any other database keeps Rasa's engine."""
    engine: Engine = store.engine
    if engine.dialect.name == "sqlite":
        store.engine = serving_sqlite_engine(engine.url)
        store.sessionmaker = sessionmaker(bind=store.engine)


def make_session_factory(engine: Engine) -> sessionmaker:
    """2.0-style sessions whose objects stay readable after commit."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)
