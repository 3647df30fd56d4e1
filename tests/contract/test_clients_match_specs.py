"""Every call the shared clients make, checked against the called service's OpenAPI spec while it really
runs: the backend (both credentials), the console's public route, and Rasa's HTTP API.

Each test also checks that it exercised every public method of the clients it covers, so a method added
later without a contract check fails here.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, List, Set

import pytest
import yaml

from backend.app import create_app as create_backend
from clients.backend import BackendApi
from clients.backend.ticketing import NewTicket, TicketMessage
from clients.console import ConsoleClient
from clients.http import HttpTransport, ServiceClient, ServiceRefused
from clients.rasa import RasaClient
from common.settings import ServiceEndpoint, backend_settings
from tests.contract.spec_check import Spec, ValidatingSession
from tests.e2e.helpers import Customer
from tests.support import TOKENS, BackendServer, Factory, start_console, stop_process
from tools.stack import REPO_ROOT, Stack


def public_methods(client_classes: Iterable[type]) -> Set[str]:
    names = set()
    for client_class in client_classes:
        for name, _member in inspect.getmembers(client_class, inspect.isfunction):
            if not name.startswith("_") and name not in dir(ServiceClient) and name != "connect":
                names.add(f"{client_class.__name__}.{name}")
    return names


class Recorder:
    """Notes which client methods a test called."""

    def __init__(self) -> None:
        self.called: Set[str] = set()

    def wrap(self, client: ServiceClient) -> ServiceClient:
        recorder = self
        for name in public_methods([type(client)]):
            method_name = name.split(".", 1)[1]
            original = getattr(client, method_name)

            def traced(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
                recorder.called.add(_name)
                return _original(*args, **kwargs)

            setattr(client, method_name, traced)
        return client


def connect(base_url: str, token: str, spec: Spec, **transport_options: Any) -> tuple:
    session = ValidatingSession(spec)
    transport = HttpTransport(
        ServiceEndpoint(base_url, token, 2, 30), service="under test", session=session, **transport_options
    )
    return transport, session


def backend_spec() -> Spec:
    return Spec(create_backend(backend_settings()).openapi())


def test_backend_clients_send_only_what_the_backend_spec_declares(
    sqlite_backend: BackendServer, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKEND_ACTIONS_TOKEN", TOKENS["actions"])
    monkeypatch.setenv("BACKEND_CONSOLE_TOKEN", TOKENS["console"])
    spec = backend_spec()
    factory = Factory(sqlite_backend, order_id_base=300_000)
    person = factory.customer(
        [
            {"status": "delivered", "total_cents": 5000, "delivered_days_ago": 2},
            {"status": "placed", "total_cents": 100},
            {"status": "delivered", "total_cents": 2500, "delivered_days_ago": 1},
            {"status": "placed", "total_cents": 1500, "size": "M"},
            {"status": "delivered", "total_cents": 900, "delivered_days_ago": 1},
        ],
        store_credit_cents=500,
    )
    delivered, placed, lost, unshipped, kept = person.order_ids
    recorder = Recorder()
    sessions: List[ValidatingSession] = []

    def api(credential: str) -> BackendApi:
        transport, session = connect(sqlite_backend.base_url, TOKENS[credential], spec)
        sessions.append(session)
        built = BackendApi(*(cls(transport) for cls in _api_classes()))
        for client in (
            built.crm,
            built.orders,
            built.billing,
            built.ticketing,
            built.identity,
            built.assist,
            built.privacy,
        ):
            recorder.wrap(client)
        return built

    actions, console = api("actions"), api("console")
    challenge = actions.identity.send_code(email=person.email, idempotency_key="c-send")
    token = actions.identity.check_code(
        challenge.challenge_id, sqlite_backend.latest_code(person.email), idempotency_key="c-check"
    ).token
    actions.orders.lookup(delivered, person.email, client_address="198.18.0.9")
    actions.billing.refund_status(delivered, person.email, client_address="198.18.0.9")
    actions.billing.balance(person.id, verification_token=token)
    invoices = actions.billing.invoices(person.id, verification_token=token)
    actions.billing.send_invoice_copy(invoices[0].id, person.id, verification_token=token)
    actions.billing.payments(person.id, verification_token=token)
    actions.billing.refund_quote(delivered, person.email, verification_token=token)
    actions.orders.claim_missing_parcel(
        lost,
        person.email,
        conversation_id="contract",
        messages=[TicketMessage("customer", "it never came")],
        idempotency_key="c-7",
        client_address="198.18.0.9",
    )
    actions.billing.request_refund(
        delivered, person.email, None, "contract", verification_token=token, idempotency_key="c-1"
    )
    actions.orders.cancel(
        placed, person.email, verification_token=token, idempotency_key="c-2", client_address="198.18.0.9"
    )
    actions.crm.update_address(
        person.id, "3 Contract Road, Testville, 1, US", verification_token=token, idempotency_key="c-3"
    )
    actions.crm.request_email_change(
        person.id, "new-contract@example.org", verification_token=token, idempotency_key="c-4"
    )
    actions.crm.request_password_reset(person.id, verification_token=token)
    actions.crm.link_channel(person.id, "telegram", "telegram:424242", verification_token=token)
    actions.crm.request_deletion(
        person.id, "contract-conversation", verification_token=token, idempotency_key="c-5"
    )
    actions.crm.request_data_copy(
        person.id,
        verification_token=token,
        conversation_id="contract-conversation",
        idempotency_key="c-data-copy",
    )
    ticket_id = actions.ticketing.create_ticket(
        NewTicket(
            subject="Contract",
            category="handoff",
            customer_id=person.id,
            customer_email=person.email,
            conversation_id="contract",
            messages=[TicketMessage("customer", "hi")],
        ),
        idempotency_key="c-6",
        verification_token=token,
    )
    actions.ticketing.rate(ticket_id, 5)
    console.crm.get_customer(person.id)
    assert [link.identity for link in console.crm.channel_links(person.id)] == ["telegram:424242"]
    console.orders.customer_orders(person.id)
    assert any(ticket.id == ticket_id for ticket in console.ticketing.open_handoffs())
    console.ticketing.ticket(ticket_id)
    console.ticketing.customer_tickets(person.id)
    found = console.ticketing.search(
        status="open",
        reason="user_requested",
        customer_email=person.email[:8],
        created_from=datetime(2020, 1, 1),
        created_to=datetime(2100, 1, 1),
        text="Contract",
        ids=[ticket_id],
    )
    assert [ticket.id for ticket in found.items] == [] and found.total == 0  # no escalation reason on it
    console.ticketing.claim(ticket_id, "alice")
    console.ticketing.add_message(ticket_id, "agent", "On it")
    # Acting for the ticket's verified customer, as its assignee.
    line = next(order for order in console.orders.customer_orders(person.id) if order.id == unshipped).items[
        0
    ]
    assert line.size == "M"
    why = {"agent": "alice", "reason": "contract"}
    changed = console.assist.change_item_size(
        ticket_id, unshipped, line.id, "L", idempotency_key="c-8", **why
    )
    assert changed.items[0].size == "L" and changed.items[0].unit_price == Decimal("15.00")
    tee = next(product for product in console.assist.products() if product.sku == "SKU-TEE-16")
    swapped = console.assist.swap_item(
        ticket_id, unshipped, line.id, tee.sku, "S", idempotency_key="c-12", **why
    )
    assert (swapped.items[0].sku, swapped.items[0].size, swapped.total) == (tee.sku, "S", tee.unit_price)
    assert (
        console.assist.cancel_order(ticket_id, unshipped, idempotency_key="c-9", **why).status == "cancelled"
    )
    assert console.assist.refund(
        ticket_id, kept, Decimal("4.50"), idempotency_key="c-10", **why
    ).amount == Decimal("4.50")
    invoice = console.billing.customer_invoices(person.id)[0]
    assert "*" in console.assist.resend_invoice(ticket_id, invoice.id, idempotency_key="c-11", **why)
    console.ticketing.email_customer(ticket_id, "Reply", "Here you go")
    console.ticketing.reassign(ticket_id, expected_assignee="alice", assignee="bob")
    console.ticketing.resolve(ticket_id, "bob")
    # The rights of access and erasure, on a customer of their own (the erasure anonymises them).
    leaving = factory.customer([{"status": "placed", "total_cents": 700}], with_phone=True)
    assert console.privacy.find_customer(email=leaving.email) == leaving.id
    assert console.privacy.find_customer(phone=leaving.phone) == leaving.id
    assert console.privacy.find_customer(email="nobody-contract@example.org") is None
    assert [order["id"] for order in console.privacy.export(leaving.id)["orders"]] == leaving.order_ids
    receipt = console.privacy.erase(leaving.id, "contract-erasure")
    assert console.privacy.erase(leaving.id, "contract-erasure") == receipt
    assert ("backend.customers", "anonymised", 1) in [(s.store, s.action, s.rows) for s in receipt.stores]
    with pytest.raises(ServiceRefused) as refused:
        actions.privacy.export(leaving.id)
    assert refused.value.status == 403
    problems = [problem for session in sessions for problem in session.problems]
    assert not problems, problems
    backend_methods = public_methods(_api_classes())
    assert recorder.called == backend_methods, backend_methods - recorder.called


def _api_classes() -> list:
    from clients.backend.assist import AssistClient
    from clients.backend.billing import BillingClient
    from clients.backend.crm import CrmClient
    from clients.backend.identity import IdentityClient
    from clients.backend.orders import OrdersClient
    from clients.backend.privacy import PrivacyClient
    from clients.backend.ticketing import TicketingClient

    return [
        CrmClient,
        OrdersClient,
        BillingClient,
        TicketingClient,
        IdentityClient,
        AssistClient,
        PrivacyClient,
    ]


def test_the_console_client_matches_the_consoles_spec(sqlite_backend: BackendServer, tmp_path: Path) -> None:
    console_server = start_console(sqlite_backend, tmp_path)
    try:
        import requests

        spec = Spec(requests.get(f"{console_server.base_url}/openapi.json", timeout=10).json())
        transport, session = connect(console_server.base_url, "", spec)
        client = Recorder()
        console = client.wrap(ConsoleClient(transport))
        console.availability()
        console.availability(1)
    finally:
        stop_process(console_server.process)
    assert not session.problems, session.problems
    assert client.called == public_methods([ConsoleClient])


@pytest.mark.e2e
def test_the_rasa_client_matches_the_routes_rasa_serves(stack: Stack) -> None:
    spec = Spec(yaml.safe_load((REPO_ROOT / "clients" / "specs" / "rasa-http-api.yml").read_text()))
    transport, session = connect(stack.config.rasa_url, stack.config.rasa_api_token, spec, auth_in_query=True)
    recorder = Recorder()
    rasa = recorder.wrap(RasaClient(transport))
    customer = Customer(stack)
    customer.say_text("hi")
    assert rasa.tracker(customer.sender)["sender_id"] == customer.sender
    assert rasa.status()["model_id"]
    assert rasa.parse("where is my order 10042?")["intent"]["name"] == "check_order_status"
    rasa.append(customer.sender, [{"event": "slot", "name": "handoff_ticket_id", "value": "1"}])
    rasa.append(
        customer.sender,
        [{"event": "bot", "text": "Hello from the contract test", "metadata": {"agent": "Alice"}}],
        deliver=True,
    )
    rasa.run_action(customer.sender, "action_listen")
    assert rasa.connected(customer.sender) is False
    # Signals to the customer's web chat (nobody is connected here: the route takes them all the same).
    rasa.agent_typing(customer.sender, "Alice")
    rasa.agent_read(customer.sender, ["m-contract-1"])
    assert not session.problems, session.problems
    assert recorder.called == public_methods([RasaClient])
    # Rasa really takes these: a parameter it ignored would have left no trace.
    events = rasa.tracker(customer.sender)["events"]
    assert any(event.get("text") == "Hello from the contract test" for event in events)
    with pytest.raises(ServiceRefused):
        RasaClient(
            HttpTransport(
                ServiceEndpoint(stack.config.rasa_url, "wrong", 2, 10), service="x", auth_in_query=True
            )
        ).tracker(customer.sender)
