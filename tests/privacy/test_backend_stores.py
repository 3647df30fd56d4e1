"""The backend's secondary stores keep no secret and no personal data in clear (issue 14).

Against the real backend process on each database, reading the rows themselves:
- outbox_messages: codes and reset links are only sealed until a relay delivers them, then gone; the kept
  body has placeholders;
- idempotency_keys: a replay still answers the original response, but the row holds no key, email, name,
  address or transcript in clear;
- tickets: transcripts and details keep no one-time code, card number, IBAN or token, and keep the email.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from sqlalchemy import create_engine, text

from backend import migrations, sealing
from backend.idempotency.models import IdempotencyKey
from backend.idempotency.views import StoredKey
from backend.notifications import service as notifications
from backend.notifications.models import OutboxMessage
from common.masking import mask_email
from tests.support import BackendServer, Factory, new_key, start_backend, stop_backend, verified

PLACED = [{"status": "placed", "total_cents": 4200}]
CARD = "4111 1111 1111 1111"
IBAN = "DE89 3704 0044 0532 0130 00"
LINK_TOKEN = "Zq3xR7pL0aW9mN2bV5cT8yK1"


def outbox_rows(server: BackendServer, recipient: str) -> List[OutboxMessage]:
    with server.session_factory() as session:
        return list(
            session.query(OutboxMessage)
            .filter(OutboxMessage.recipient_hash == recipient_hash(server, recipient))
            .order_by(OutboxMessage.id)
        )


def recipient_hash(server: BackendServer, recipient: str) -> str:
    with server.session_factory() as session:
        return notifications.recipient_hash(recipient, db_session=session)


def row_text(server: BackendServer, table: str, where: str, **values: Any) -> str:
    """Every column of the matching rows, as one string to search."""
    with server.session_factory() as session:
        rows = session.execute(text(f"SELECT * FROM {table} WHERE {where}"), values).all()
    return " ".join(str(value) for row in rows for value in row)


def test_a_code_is_sealed_until_delivered_and_then_kept_only_redacted(tmp_path: Path) -> None:
    # A backend of its own: delivering drains the whole outbox, which other tests still read codes from.
    server = start_backend(f"sqlite:///{tmp_path}/backend.db", tmp_path / "backend.log", "sqlite")
    try:
        customer = Factory(server, order_id_base=300_000).customer(PLACED)
        token = server.verify(customer.email)
        code = server.latest_code(customer.email)  # the development reader still shows the message as sent
        reset = server.post("/v1/password-resets", json={"email": customer.email}, headers=verified(token))
        assert reset.status_code == 202
        code_row, reset_row = outbox_rows(server, customer.email)[-2:]
        assert code not in code_row.body and "[CODE]" in code_row.body
        assert "[LINK]" in reset_row.body and "token=" not in reset_row.body
        for row in (code_row, reset_row):
            assert sealing.is_sealed(row.sealed_body) and row.delivered_at is None
        by_hash = {"r": recipient_hash(server, customer.email)}
        before = row_text(server, "outbox_messages", "recipient_hash = :r", **by_hash)
        assert code not in before and customer.email not in before  # the address is sealed and masked
        assert all(row.recipient == mask_email(customer.email) for row in (code_row, reset_row))

        delivered: Dict[int, Tuple[str, str]] = {}
        with server.session_factory() as session:
            count = notifications.deliver_pending(
                lambda message, recipient, body: delivered.__setitem__(message.id, (recipient, body)),
                db_session=session,
            )
        assert count >= 2
        assert delivered[code_row.id] == (
            customer.email,
            delivered[code_row.id][1],
        )  # the relay got the address
        assert code in delivered[code_row.id][1]  # and the clear text
        assert re.search(r"reset-password\?token=\S{20,}", delivered[reset_row.id][1])
        after = row_text(server, "outbox_messages", "recipient_hash = :r", **by_hash)
        assert code not in after and "token=" not in after and "sealed-v1:" not in after
        assert customer.email not in after
        shown = server.get("/v1/outbox", params={"recipient": customer.email}).json()["items"]
        assert all(item["delivered_at"] for item in shown) and code not in json.dumps(shown)
        assert {item["recipient"] for item in shown} == {mask_email(customer.email)}
        assert server.get("/v1/outbox", params={"recipient": customer.email}).status_code == 200
    finally:
        stop_backend(server)


def test_a_send_that_fails_keeps_the_message_sealed_for_the_next_round(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(PLACED)
    assert backend_server.post("/v1/verifications", json={"email": customer.email}).status_code == 201

    def refuse(message: OutboxMessage, recipient: str, body: str) -> None:
        raise ConnectionError("relay down")

    with backend_server.session_factory() as session, pytest.raises(ConnectionError):
        notifications.deliver_pending(refuse, db_session=session)
    assert all(sealing.is_sealed(row.sealed_body) for row in outbox_rows(backend_server, customer.email))
    backend_server.latest_code(customer.email)  # still readable as sent


def test_an_idempotent_replay_answers_the_original_but_the_row_reveals_nothing(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(PLACED)
    token, key = backend_server.verify(customer.email), new_key()
    address = "77 Privacy Street, Sealton, 40404, US"
    first = backend_server.patch(
        f"/v1/customers/{customer.id}", json={"address": address}, headers=verified(token, key)
    )
    replay = backend_server.patch(
        f"/v1/customers/{customer.id}", json={"address": address}, headers=verified(token, key)
    )
    assert first.status_code == replay.status_code == 200
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == first.json()
    assert first.json()["address"] == address and first.json()["email"] == customer.email

    stored = StoredKey.of(key, db_session=None)
    everything = row_text(backend_server, "idempotency_keys", "key = :k", k=stored.row_key)
    assert everything, "the key row was stored under its keyed hash"
    for secret in (key, customer.email, address, "Sealton", "Test Customer"):
        assert secret not in everything
    with backend_server.session_factory() as session:
        row = session.get(IdempotencyKey, stored.row_key)
        assert row is not None and stored.open(row) == first.json()
        # The storage secret alone opens nothing: the body's key needs the Idempotency-Key too.
        wrong = StoredKey.of(new_key(), db_session=None)
        with pytest.raises(sealing.SealBroken):
            wrong.open(row)


def test_a_ticket_replay_keeps_no_transcript_in_the_key_row(backend_server: BackendServer) -> None:
    key = new_key()
    body = {
        "subject": "Help",
        "customer_email": "ticket.person@example.org",
        "messages": [{"author": "customer", "body": "my name is Priya Raman and I need help"}],
    }
    first = backend_server.post("/v1/tickets", json=body, headers={"Idempotency-Key": key})
    replay = backend_server.post("/v1/tickets", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and replay.json()["id"] == first.json()["id"]
    stored = row_text(
        backend_server, "idempotency_keys", "key = :k", k=StoredKey.of(key, db_session=None).row_key
    )
    assert stored and "Priya" not in stored and "ticket.person@example.org" not in stored


def test_ticket_transcripts_and_details_keep_no_codes_cards_ibans_or_tokens(
    backend_server: BackendServer,
) -> None:
    created = backend_server.post(
        "/v1/tickets",
        json={
            "subject": "Payment problem",
            "customer_email": "card.person@example.org",
            "details": {"complaint": f"charged on {CARD}", "refund_to": IBAN},
            "messages": [
                {"author": "customer", "body": "my code is 482913"},
                {"author": "customer", "body": f"card {CARD}, IBAN {IBAN}"},
                {"author": "customer", "body": f"the link said token={LINK_TOKEN}"},
                {"author": "customer", "body": "write to card.person@example.org about order 10043"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    added = backend_server.post(
        f"/v1/tickets/{ticket_id}/messages", json={"author": "customer", "body": f"again: {CARD}"}
    )
    assert added.status_code == 201
    stored = row_text(backend_server, "tickets", "id = :i", i=ticket_id) + row_text(
        backend_server, "ticket_messages", "ticket_id = :i", i=ticket_id
    )
    for secret in ("482913", CARD, IBAN, LINK_TOKEN, CARD.replace(" ", "")):
        assert secret not in stored, secret
    # What the agent needs to act stays: the order. The address typed on an unverified ticket is not theirs
    # to keep: masked on the ticket, [EMAIL] in the transcript.
    assert "card.person@example.org" not in stored and "10043" in stored
    assert backend_server.get(f"/v1/tickets/{ticket_id}").json()["customer_email"] == "c***@example.org"
    bodies = [
        message["body"] for message in backend_server.get(f"/v1/tickets/{ticket_id}").json()["messages"]
    ]
    assert "[CARD]" in bodies[1] and "[IBAN]" in bodies[1] and "[TOKEN]" in bodies[2]


def test_rows_written_before_the_sealing_migration_are_sealed_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/legacy.db"
    migrations.upgrade(url, "0006")
    engine = create_engine(url)
    legacy_body = {"id": 7, "email": "legacy@example.org", "name": "Lena Legacy"}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO idempotency_keys (key, request_hash, status_code, response_body, created_at) "
                "VALUES ('legacy-key', 'abc', 200, :body, CURRENT_TIMESTAMP)"
            ),
            {"body": json.dumps(legacy_body)},
        )
        connection.execute(
            text(
                "INSERT INTO outbox_messages (channel, recipient, template, subject, body, created_at) VALUES "
                "('email', 'legacy@example.org', 'verification_code', 'Code', "
                "'Your Frontdesk verification code is 913482.', CURRENT_TIMESTAMP)"
            )
        )
    migrations.upgrade(url)
    with engine.connect() as connection:
        key_row = connection.execute(
            text("SELECT key, request_hash, response_body FROM idempotency_keys")
        ).one()
        outbox = connection.execute(
            text("SELECT body, sealed_body, recipient, recipient_hash, sealed_recipient FROM outbox_messages")
        ).one()
    engine.dispose()
    assert "legacy" not in " ".join(key_row) and "Lena" not in " ".join(key_row)
    stored = StoredKey.of("legacy-key", db_session=None)
    assert (key_row.key, key_row.request_hash) == (stored.row_key, stored.keyed("abc"))
    assert json.loads(sealing.open_sealed(stored.sealing_key, key_row.response_body)) == legacy_body
    assert "913482" not in outbox.body
    clear = sealing.open_sealed(sealing.derive(sealing.storage_secret(), "outbox-body"), outbox.sealed_body)
    assert "913482" in clear
    # Migration 0009: the address is masked, sealed until delivery, and still found by its keyed hash.
    assert outbox.recipient == "l***@example.org"
    assert outbox.recipient_hash == notifications.recipient_hash("Legacy@example.org ", db_session=None)
    opened = sealing.open_sealed(notifications.outbox_key(None), outbox.sealed_recipient)
    assert opened == "legacy@example.org"


def test_a_refund_reason_is_stored_redacted_with_the_order_kept(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer([{"status": "delivered", "total_cents": 5000, "delivered_days_ago": 3}])
    (order_id,) = customer.order_ids
    token = backend_server.verify(customer.email)
    # The store's order numbers have 5 digits (the factory's test orders have 6, which read as a code).
    reason = f"like order 10043 it arrived broken, put it back on my card {CARD} or call {customer.email}"
    made = backend_server.post(
        "/v1/refunds",
        json={"order_id": order_id, "email": customer.email, "amount": "10.00", "reason": reason},
        headers=verified(token, new_key()),
    )
    assert made.status_code == 201, made.text
    stored = row_text(backend_server, "refunds", "order_id = :o", o=order_id)
    assert CARD not in stored and CARD.replace(" ", "") not in stored and customer.email not in stored
    assert "like order 10043 it arrived broken" in stored and "[CARD]" in stored and "[EMAIL]" in stored
