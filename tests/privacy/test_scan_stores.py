"""The privacy scan's reading rules on stores made here (real SQLite files and logs, no stack): the normalised
forms it recognises, the allowed places, what a code must look like, and the bytes a deleted row leaves."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path
from typing import List

import pytest
import rasa.shared.core.events  # noqa: F401 - Rasa's pika broker uses it without importing it
from sqlalchemy import text

from common.database import make_engine
from common.redaction import CARD, CODE, EMAIL, NAME, PHONE
from privacy.scan import BROKER_PLACE, main, scan
from privacy.scan_broker import BrokerTap
from privacy.scan_stores import KnownString
from tests.analytics.test_consumer import (  # the RabbitMQ fixture and Rasa's own pika broker
    RABBITMQ_URL,
    publish_with_rasa,
    rabbitmq_queue,  # noqa: F401 - a fixture
)
from tests.support import postgres_schema

KNOWN: List[KnownString] = [
    KnownString(NAME, "Ottoline Vasquez-Thornbury"),
    KnownString(EMAIL, "ottoline.5be1@example.net"),
    KnownString(PHONE, "+14155550142"),
    KnownString(CARD, "4539 1488 0343 6467"),
    KnownString(CODE, "482913"),
]


def database(path: Path, statements: List[str]) -> None:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def test_normalised_forms_are_found_and_each_store_is_named(tmp_path: Path) -> None:
    database(
        tmp_path / "console.db",
        [
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, stamp REAL)",
            # Lowercase name, the card's digits without spaces, the phone as people write it.
            "INSERT INTO notes (body) VALUES ('call ottoline vasquez-thornbury on +1 (415) 555-0142')",
            "INSERT INTO notes (body) VALUES ('card 4539148803436467')",
            # A code inside a longer number or a timestamp's fraction is not the code.
            "INSERT INTO notes (body, stamp) VALUES ('order 14829130', 1764492345.482913)",
        ],
    )
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "backend.log").write_text(
        "GET /v1/customers?email=ottoline.5be1%40example.net 200\nthe code is 482913.\nnothing here\n"
    )
    result = scan(tmp_path, KNOWN)
    outside = result.outside()
    assert outside["console.db:notes.body"] == {NAME: 1, PHONE: 1, CARD: 1}
    assert outside["logs/backend.log"] == {EMAIL: 1, CODE: 1}
    assert result.leaks() == 5


def test_only_the_customer_record_and_a_verified_contact_are_allowed(tmp_path: Path) -> None:
    database(
        tmp_path / "backend.db",
        [
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT)",
            "INSERT INTO customers VALUES (1, 'Ottoline Vasquez-Thornbury', 'ottoline.5be1@example.net', "
            "'+14155550142')",
            "CREATE TABLE tickets (id INTEGER PRIMARY KEY, customer_id INTEGER, customer_email TEXT, "
            "details_json TEXT)",
            "INSERT INTO tickets VALUES (1, 1, 'ottoline.5be1@example.net', '{}')",
            # Typed, never verified: a claim, not a contact address; and the details hold the phone.
            "INSERT INTO tickets VALUES (2, NULL, 'ottoline.5be1@example.net', '{\"phone\": \"+14155550142\"}')",
        ],
    )
    result = scan(tmp_path, KNOWN)
    assert result.outside() == {
        "backend.db:tickets.customer_email": {EMAIL: 1},
        "backend.db:tickets.details_json": {PHONE: 1},
    }
    assert set(result.allowed()) == {
        "backend.db:customers.name [the backend's customer record]",
        "backend.db:customers.email [the backend's customer record]",
        "backend.db:customers.phone [the backend's customer record]",
        "backend.db:tickets.customer_email [contact address on a verified ticket]",
    }


def test_a_postgresql_database_is_read_like_a_file(tmp_path: Path) -> None:
    with postgres_schema("privacy_scan") as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT)"))
            connection.execute(text("CREATE TABLE outbox_messages (id INTEGER PRIMARY KEY, body BYTEA)"))
            connection.execute(text("INSERT INTO customers VALUES (1, 'ottoline.5be1@example.net')"))
            connection.execute(
                text("INSERT INTO outbox_messages VALUES (1, :body)"), {"body": b"code 482913"}
            )
        engine.dispose()
        result = scan(tmp_path, KNOWN, databases={"backend": url})
    assert result.outside() == {"backend:outbox_messages.body": {CODE: 1}}
    assert set(result.allowed()) == {"backend:customers.email [the backend's customer record]"}


def test_a_deleted_row_still_on_disk_is_a_leak_until_the_page_is_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    database(
        path,
        [
            "PRAGMA secure_delete=OFF",
            "CREATE TABLE events (id INTEGER PRIMARY KEY, data TEXT)",
            'INSERT INTO events (data) VALUES (\'{"text": "I am Ottoline Vasquez-Thornbury"}\')',
            "DELETE FROM events",
        ],
    )
    assert scan(tmp_path, KNOWN).outside() == {"tracker.db (bytes outside live rows)": {NAME: 1}}
    database(path, ["VACUUM"])
    assert scan(tmp_path, KNOWN).leaks() == 0


def test_the_command_prints_the_table_and_fails_on_a_leak(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    var_dir = tmp_path / "var"
    (var_dir / "logs").mkdir(parents=True)
    (var_dir / "logs" / "rasa.log").write_text("user said 4539-1488-0343-6467\n")
    strings = tmp_path / "strings.json"
    strings.write_text(json.dumps({"strings": [{"kind": k.kind, "value": k.value} for k in KNOWN]}))
    assert (
        main(["--var-dir", str(var_dir), "--strings", str(strings), "--json", str(tmp_path / "out.json")])
        == 1
    )
    printed = capsys.readouterr().out
    assert "logs/rasa.log" in printed and "TOTAL outside the allowed places" in printed
    assert json.loads((tmp_path / "out.json").read_text())["outside_allowed"] == {"logs/rasa.log": {CARD: 1}}
    (var_dir / "logs" / "rasa.log").write_text("user said [CARD]\n")
    assert main(["--var-dir", str(var_dir), "--strings", str(strings)]) == 0


def test_rabbitmq_events_are_copied_for_the_scan_while_the_consumer_takes_them(
    tmp_path: Path,
    rabbitmq_queue: str,  # noqa: F811 - the fixture imported above
) -> None:
    tap = BrokerTap(RABBITMQ_URL, queue=f"privacy_scan_test_{uuid.uuid4().hex[:8]}")
    tap.open()
    user_said = {
        "event": "user",
        "sender_id": "c1",
        "text": "I am Ottoline Vasquez-Thornbury",
        "timestamp": 1.0,
    }
    asyncio.run(publish_with_rasa(rabbitmq_queue, [user_said, {"event": "action", "name": "action_listen"}]))
    copied = tap.drain()
    assert len(copied) == 2
    result = scan(tmp_path, KNOWN, broker_messages=copied)
    assert result.outside() == {BROKER_PLACE: {NAME: 1}}
    assert tap.drain() == []  # read once: the tap's queue is gone with its copies
