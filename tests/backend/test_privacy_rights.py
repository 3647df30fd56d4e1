"""The rights of access and erasure in the backend (backend/privacy/), over HTTP on SQLite and PostgreSQL:
the export holds the customer's rows and no one else's; the erasure leaves their email, name, phone and
address in no table (but the one confirmation email), keeps invoices without identity, counts what it did,
and a repeat changes nothing. Only the console's credential may do any of it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import pytest
from sqlalchemy import MetaData, func, select

from backend.billing.models import Invoice, Refund
from backend.customers.models import Customer
from backend.idempotency.models import IdempotencyKey
from backend.notifications.models import OutboxMessage
from backend.notifications.service import clear_recipient, recipient_hash
from backend.tickets.models import Ticket, TicketMessage
from tests.support import BackendServer, Factory, new_key, verified

DELIVERED_AND_PLACED = [
    {"status": "delivered", "total_cents": 4200, "delivered_days_ago": 3},
    {"status": "placed", "total_cents": 1500},
]


@dataclass
class Person:
    """A customer with data in every table of the backend, and the values that identify them."""

    id: int
    email: str
    name: str
    phone: str
    address: str
    new_email: str
    telegram: str
    order_ids: List[int]
    ticket_ids: List[int]

    def identifying(self) -> Dict[str, str]:
        return {
            "email": self.email,
            "name": self.name,
            "phone": self.phone,
            "phone digits": self.phone.lstrip("+"),
            "address": self.address,
            "new email": self.new_email,
            "telegram": self.telegram,
        }


def seed_person(server: BackendServer, factory: Factory) -> Person:
    made = factory.customer(DELIVERED_AND_PLACED, store_credit_cents=300, with_phone=True)
    tag = uuid.uuid4().hex[:8]
    name, address = f"Ada Erasure{tag}", f"{tag} Forget-Me Lane, Privacyville, 4242, US"
    with server.session_factory() as session:
        session.get(Customer, made.id).name = name
        session.add(
            Refund(
                order_id=made.order_ids[0],
                customer_id=made.id,
                amount_cents=1000,
                reason=f"Arrived damaged, call {made.phone}",
                status="processed",
            )
        )
        session.commit()
    token = server.verify(made.email)  # a challenge, a token and an outbox code
    customer_path = f"/v1/customers/{made.id}"
    changed = server.patch(customer_path, json={"address": address}, headers=verified(token, new_key()))
    assert changed.status_code == 200, changed.text
    telegram = f"telegram:{uuid.uuid4().int % 10**9}"
    linked = server.put(
        f"{customer_path}/channel-links",
        json={"channel": "telegram", "identity": telegram},
        headers=verified(token),
    )
    assert linked.status_code == 200, linked.text
    new_email = f"new-{tag}@example.net"
    asked = server.post(
        f"{customer_path}/email-change", json={"new_email": new_email}, headers=verified(token)
    )
    assert asked.status_code == 202, asked.text
    reset = server.post("/v1/password-resets", json={"customer_id": made.id}, headers=verified(token))
    assert reset.status_code == 202, reset.text
    words = f"I am {name}, {address}, phone {made.phone}, mail {made.email}"
    ticket_ids = []
    for customer_id in (made.id, None):  # a verified ticket, and one an unverified chat opened with the email
        opened = server.post(
            "/v1/tickets",
            json={
                "subject": f"Help for {name}",
                "category": "handoff",
                "customer_id": customer_id,
                "customer_email": made.email,
                "conversation_id": f"privacy-{tag}",
                "details": {"new_address": address},
                "messages": [{"author": "customer", "body": words}, {"author": "bot", "body": "A person"}],
            },
            headers={"Idempotency-Key": new_key()},
        )
        assert opened.status_code == 201, opened.text
        ticket_ids.append(opened.json()["id"])
    return Person(
        made.id, made.email, name, made.phone or "", address, new_email, telegram, made.order_ids, ticket_ids
    )


@pytest.fixture
def person(backend_server: BackendServer, factory: Factory) -> Person:
    return seed_person(backend_server, factory)


@pytest.fixture
def bystander(backend_server: BackendServer, factory: Factory) -> Person:
    return seed_person(backend_server, factory)


def sent_to(session: Any, address: str) -> str:
    """The keyed hash outbox rows are found by (their address is sealed)."""
    return recipient_hash(address, db_session=session)


def export(server: BackendServer, customer_id: int) -> Dict[str, Any]:
    answer = server.get(f"/v1/privacy/customers/{customer_id}/export", as_="console")
    assert answer.status_code == 200, answer.text
    return answer.json()


def erase(server: BackendServer, customer_id: int, request_id: str, as_: str = "console") -> Any:
    return server.post(
        f"/v1/privacy/customers/{customer_id}/erasure", json={"request_id": request_id}, as_=as_
    )


def clear_text_hits(server: BackendServer, needles: Dict[str, str]) -> List[Tuple[str, str, Any]]:
    """(table, what, row) for every row of every table of the backend's database holding a needle."""
    engine = server.session_factory.kw["bind"]
    metadata = MetaData()
    metadata.reflect(bind=engine)
    hits = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                text = " ".join(str(value) for value in row if value is not None).lower()
                hits += [
                    (table.name, what, dict(row._mapping))
                    for what, value in needles.items()
                    if value.lower() in text
                ]
    return hits


def test_lookup_finds_the_customer_by_email_or_phone_in_a_body(
    backend_server: BackendServer, person: Person
) -> None:
    for body in ({"email": person.email.upper()}, {"phone": person.phone}):
        found = backend_server.post("/v1/privacy/customers/lookup", json=body, as_="console")
        assert (found.status_code, found.json()) == (200, {"customer_id": person.id}), found.text
    unknown = backend_server.post(
        "/v1/privacy/customers/lookup", json={"email": "nobody-x@example.org"}, as_="console"
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "customer_not_found")
    for bad in (
        {},
        {"email": person.email, "phone": person.phone},
        {"email": "not an email"},
        {"phone": "abc"},
    ):
        refused = backend_server.post("/v1/privacy/customers/lookup", json=bad, as_="console")
        assert refused.status_code == 422, (bad, refused.text)


def test_the_export_holds_the_customers_rows_and_no_one_elses(
    backend_server: BackendServer, person: Person, bystander: Person
) -> None:
    document = export(backend_server, person.id)
    assert document["format"] == "frontdesk.backend.customer-export/1" and document["generated_at"]
    customer = document["customer"]
    assert (customer["email"], customer["name"], customer["phone"], customer["address"]) == (
        person.email,
        person.name,
        person.phone,
        person.address,
    )
    assert [order["id"] for order in document["orders"]] == person.order_ids
    assert [len(order["items"]) for order in document["orders"]] == [1, 1]
    assert document["orders"][0]["total"] == "42.00"
    assert {invoice["order_id"] for invoice in document["invoices"]} == set(person.order_ids)
    assert len(document["payments"]) == 2 and document["store_credit_cents"] == 300
    assert [refund["reason"] for refund in document["refunds"]] == [f"Arrived damaged, call {person.phone}"]
    # The unverified ticket opened with the same email kept nothing of theirs (a masked address, a redacted
    # transcript), so nothing about it is theirs to export.
    verified_ticket, unverified_ticket = person.ticket_ids
    assert [ticket["id"] for ticket in document["tickets"]] == [verified_ticket]
    with backend_server.session_factory() as session:
        unverified = session.get(Ticket, unverified_ticket)
        kept = " ".join(
            [unverified.customer_email, unverified.details_json, *(m.body for m in unverified.messages)]
        )
    assert all(value.lower() not in kept.lower() for value in person.identifying().values()), kept
    assert all(len(ticket["messages"]) == 2 for ticket in document["tickets"])
    templates = {message["template"] for message in document["outbox_messages"]}
    assert {
        "verification_code",
        "email_change_confirm",
        "email_change_requested",
        "password_reset",
    } <= templates
    assert {message["recipient"] for message in document["outbox_messages"]} == {
        person.email,
        person.new_email,
    }
    verification = document["verification"]
    assert len(verification["challenges"]) == 1 and len(verification["tokens"]) == 1
    assert [link["identity"] for link in document["channel_links"]] == [person.telegram]
    assert {request["kind"] for request in document["account_requests"]} == {"password_reset", "email_change"}
    assert document["erasure"] is None
    text = json.dumps(document)
    assert "code_hash" not in text and "token_hash" not in text and "secret" not in text
    for what, value in bystander.identifying().items():
        assert value.lower() not in text.lower(), what
    for order_id in bystander.order_ids:
        assert str(order_id) not in text
    assert customer_ids_in(document) == {person.id}  # the ticket opened with the email only kept none of it
    missing = backend_server.get("/v1/privacy/customers/2000000000/export", as_="console")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "customer_not_found")


def customer_ids_in(value: Any) -> set:
    """Every `customer_id` anywhere in a JSON document."""
    if isinstance(value, dict):
        found = {value["customer_id"]} if "customer_id" in value else set()
        return found.union(*(customer_ids_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(customer_ids_in(item) for item in value))
    return set()


def rows_before(server: BackendServer, person: Person) -> Dict[str, int]:
    with server.session_factory() as session:

        def count(model: Any, *conditions: Any) -> int:
            return session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one()

        return {
            "ticket_messages": count(TicketMessage, TicketMessage.ticket_id == person.ticket_ids[0]),
            "outbox_messages": count(
                OutboxMessage,
                OutboxMessage.recipient_hash.in_(
                    [sent_to(session, person.email), sent_to(session, person.new_email)]
                ),
            ),
            "idempotency_keys": count(IdempotencyKey, IdempotencyKey.response_body.contains(person.email)),
        }


def test_the_erasure_leaves_the_customer_nowhere_but_the_confirmation(
    backend_server: BackendServer, person: Person, bystander: Person
) -> None:
    bystanders_export = export(backend_server, bystander.id)
    before = rows_before(backend_server, person)
    request_id = f"erasure-{uuid.uuid4().hex[:12]}"
    answer = erase(backend_server, person.id, request_id)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    print("erasure receipt:", json.dumps(receipt, indent=2))
    assert (receipt["request_id"], receipt["customer_id"]) == (request_id, person.id)
    done = {store["store"]: (store["action"], store["rows"]) for store in receipt["stores"]}
    assert done == {
        "backend.customers": ("anonymised", 1),
        "backend.orders": ("anonymised", 2),
        "backend.order_items": ("retained", 2),
        "backend.payments": ("anonymised", 2),
        "backend.invoices": ("retained", 2),
        "backend.refunds": ("anonymised", 1),
        "backend.balances": ("retained", 1),
        "backend.tickets": ("anonymised", 1),
        "backend.ticket_messages": ("redacted", before["ticket_messages"]),
        "backend.outbox_messages": ("deleted", before["outbox_messages"]),
        "backend.channel_links": ("deleted", 1),
        "backend.verification_tokens": ("deleted", 1),
        "backend.verification_challenges": ("deleted", 1),
        "backend.authenticators": ("deleted", 0),
        "backend.verification_lockouts": ("deleted", 0),
        "backend.password_reset_requests": ("deleted", 1),
        "backend.email_change_requests": ("deleted", 1),
        "backend.idempotency_keys": ("deleted", before["idempotency_keys"]),
    }
    assert before["ticket_messages"] == 2 and before["outbox_messages"] >= 4

    # Nothing left in clear, not even the confirmation's address (sealed until delivered, masked).
    hits = clear_text_hits(backend_server, person.identifying())
    assert hits == [], hits
    with backend_server.session_factory() as session:
        row = session.execute(
            select(OutboxMessage).where(OutboxMessage.recipient_hash == sent_to(session, person.email))
        ).scalar_one()
        assert (clear_recipient(row, db_session=session), row.template) == (
            person.email,
            "privacy_erasure_done",
        )
        assert "backend.customers: anonymised, 1" in row.body and request_id in row.body

    with backend_server.session_factory() as session:
        customer = session.get(Customer, person.id)
        assert (customer.name, customer.email, customer.phone, customer.address) == (
            "Erased customer",
            f"erased-{person.id}@erased.invalid",
            None,
            None,
        )
        invoices = session.execute(select(Invoice).where(Invoice.customer_id == person.id)).scalars().all()
        assert sorted(invoice.order_id for invoice in invoices) == sorted(person.order_ids)
        assert (
            session.execute(select(Refund.reason).where(Refund.customer_id == person.id)).scalar_one()
            == "[erased]"
        )
        tickets = session.execute(select(Ticket).where(Ticket.id == person.ticket_ids[0])).scalars().all()
        assert {(ticket.customer_email, ticket.details_json) for ticket in tickets} == {(None, "{}")}
        assert {message.body for ticket in tickets for message in ticket.messages} == {"[erased]"}
    # What was kept is still there to export: the anonymous sales records and the receipt.
    after = export(backend_server, person.id)
    assert [order["id"] for order in after["orders"]] == person.order_ids
    assert after["erasure"] == receipt and after["customer"]["name"] == "Erased customer"
    unchanged = export(backend_server, bystander.id)
    assert {**unchanged, "generated_at": None} == {**bystanders_export, "generated_at": None}

    # The same request again: the same receipt, nothing changed, no second email.
    again = erase(backend_server, person.id, request_id)
    assert (again.status_code, again.json()) == (200, receipt)
    assert clear_text_hits(backend_server, person.identifying()) == hits
    other_id = erase(backend_server, person.id, f"{request_id}-again")
    assert (other_id.status_code, other_id.json()["error"]["code"]) == (409, "customer_already_erased")
    assert other_id.json()["error"]["details"] == {"request_id": request_id}
    reused = erase(backend_server, bystander.id, request_id)
    assert (reused.status_code, reused.json()["error"]["code"]) == (422, "request_id_reused")
    assert export(backend_server, bystander.id)["erasure"] is None
