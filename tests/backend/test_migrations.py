"""Schema migrations apply, roll back and re-apply on each database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from backend import migrations
from tests.conftest import postgres_schema

TABLES = {
    "customers",
    "password_reset_requests",
    "orders",
    "order_items",
    "invoices",
    "payments",
    "balances",
    "refunds",
    "tickets",
    "ticket_messages",
    "outbox_messages",
}


def round_trip(url: str) -> None:
    migrations.upgrade(url)
    engine = create_engine(url, future=True)
    assert set(inspect(engine).get_table_names()) >= TABLES
    migrations.downgrade(url, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrations.upgrade(url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_sqlite_round_trip(tmp_path) -> None:
    round_trip(f"sqlite:///{tmp_path}/migrations.db")


@pytest.mark.postgres
def test_postgres_round_trip() -> None:
    with postgres_schema("frontdesk_migrations") as database_url:
        round_trip(database_url)
