"""Schema migrations apply, roll back and re-apply on each database, and build exactly the tables and columns
the models declare (so a model change without a migration fails here)."""

from __future__ import annotations

from typing import Dict, Set

import pytest
from sqlalchemy import create_engine, inspect

import backend.models  # noqa: F401 - registers every table on Base.metadata
from backend import migrations
from backend.database import Base
from tests.support import postgres_schema

MODEL_COLUMNS: Dict[str, Set[str]] = {
    name: {column.name for column in table.columns} for name, table in Base.metadata.tables.items()
}


def migrated_columns(url: str) -> Dict[str, Set[str]]:
    engine = create_engine(url, future=True)
    inspector = inspect(engine)
    found = {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }
    engine.dispose()
    return found


def round_trip(url: str) -> None:
    migrations.upgrade(url)
    assert migrated_columns(url) == MODEL_COLUMNS
    migrations.downgrade(url, "base")
    assert migrated_columns(url) == {}
    migrations.upgrade(url)
    assert migrated_columns(url) == MODEL_COLUMNS


def test_the_models_name_every_domains_tables() -> None:
    # Not an empty comparison: verification, idempotency and lockouts (migrations 0002, 0004) included.
    assert {
        "customers",
        "verification_challenges",
        "verification_tokens",
        "authenticators",
        "verification_lockouts",
        "email_change_requests",
        "idempotency_keys",
        "tickets",
        "ticket_messages",
        "outbox_messages",
    } <= set(MODEL_COLUMNS)


def test_sqlite_round_trip(tmp_path) -> None:
    round_trip(f"sqlite:///{tmp_path}/migrations.db")


@pytest.mark.postgres
def test_postgres_round_trip() -> None:
    with postgres_schema("frontdesk_migrations") as database_url:
        round_trip(database_url)
