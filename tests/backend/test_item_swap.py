"""Swapping an item for another product from the console (backend/assist/, backend/orders/catalogue.py): only on
an unshipped order, only for a product the store sells at the same price (no money moves), idempotent, noted."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

import pytest

from backend.orders.catalogue import BY_SKU
from backend.orders.policy import decide_item_swap
from tests.backend.test_assist import act, claimed_ticket, item_of, notes
from tests.support import BackendServer, Factory, MadeCustomer, new_key

TEE = BY_SKU["SKU-TEE-16"]  # Linen T-shirt, 15.00, garment sizes


@pytest.mark.parametrize(
    ("status", "price", "current", "size", "code"),
    [
        ("placed", 1500, "SKU-T", "L", "swappable"),
        ("placed", 1500, "SKU-TEE-16", "L", "same_product"),
        ("placed", 1600, "SKU-T", "L", "price_differs"),
        ("placed", 1500, "SKU-T", None, "size_not_sold"),
        ("placed", 1500, "SKU-T", "XXXL", "size_not_sold"),
        ("shipped", 1500, "SKU-T", "L", "order_already_shipped"),
    ],
)
def test_swap_policy(status: str, price: int, current: str, size: Optional[str], code: str) -> None:
    decision = decide_item_swap(
        order_status=status,
        order_currency="USD",
        unit_price_cents=price,
        current_sku=current,
        target=TEE,
        size=size,
    )
    assert (decision.allowed, decision.code) == (code == "swappable", code)


def test_the_catalogue_lists_products_with_prices_and_only_for_the_console(
    backend_server: BackendServer,
) -> None:
    listed = backend_server.get("/v1/assist/products", as_="console")
    assert listed.status_code == 200, listed.text
    tee = next(p for p in listed.json()["products"] if p["sku"] == TEE.sku)
    assert (Decimal(str(tee["unit_price"])), tee["currency"], "L" in tee["sizes"]) == (
        Decimal("15"),
        "USD",
        True,
    )
    assert backend_server.get("/v1/assist/products", as_="actions").status_code == 403


@pytest.fixture
def person(factory: Factory) -> MadeCustomer:
    return factory.customer(
        [
            {"status": "placed", "total_cents": 1500, "size": "M"},
            {"status": "shipped", "total_cents": 1500, "size": "S"},
            {"status": "placed", "total_cents": 1600, "size": "M"},
        ]
    )


def test_a_swap_applies_at_the_same_price_before_shipping_and_is_refused_otherwise(
    backend_server: BackendServer, person: MadeCustomer
) -> None:
    placed, shipped, dearer = person.order_ids
    ticket_id = claimed_ticket(backend_server, person.id)
    item = item_of(backend_server, placed)
    path = f"/v1/tickets/{ticket_id}/assist/orders/{placed}/items/{item['id']}/swap"
    body = {"agent": "alice", "reason": "Customer prefers linen", "sku": TEE.sku, "size": "L"}
    key = new_key()
    swapped = act(backend_server, path, body, key)
    assert swapped.status_code == 200, swapped.text
    assert swapped.json()["total"] in ("15.00", 15.0, "15.0")
    stored = item_of(backend_server, placed)
    assert (stored["sku"], stored["name"], stored["size"]) == (TEE.sku, TEE.name, "L")
    assert Decimal(str(stored["unit_price"])) == Decimal("15.00")
    replayed = act(backend_server, path, body, key)
    assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.json() == swapped.json()
    assert notes(backend_server, ticket_id) == [
        f"alice swapped Test item for Linen T-shirt (SKU-TEE-16, size L) on order {placed}, same price. "
        "Reason: Customer prefers linen"
    ]

    def refused(order_id: int, **change: object) -> tuple:
        line = item_of(backend_server, order_id)
        answer = act(
            backend_server,
            f"/v1/tickets/{ticket_id}/assist/orders/{order_id}/items/{line['id']}/swap",
            {**body, **change},
        )
        return answer.status_code, answer.json()["error"]["code"]

    assert refused(shipped) == (409, "order_already_shipped")
    assert refused(dearer) == (422, "price_differs")
    assert refused(placed, sku="SKU-NOPE-99") == (422, "product_not_sold")
    assert refused(placed, sku="SKU-CAP-10", size="XL") == (422, "size_not_sold")
    assert refused(placed, sku="SKU-LAMP-18") == (422, "price_differs")
    assert (
        item_of(backend_server, shipped)["sku"] == "SKU-T"
        and item_of(backend_server, dearer)["sku"] == "SKU-T"
    )
    assert len(notes(backend_server, ticket_id)) == 1


def test_only_the_assignee_may_swap(backend_server: BackendServer, person: MadeCustomer) -> None:
    placed = person.order_ids[0]
    ticket_id = claimed_ticket(backend_server, person.id, agent="bob")
    item = item_of(backend_server, placed)
    answer = act(
        backend_server,
        f"/v1/tickets/{ticket_id}/assist/orders/{placed}/items/{item['id']}/swap",
        {"agent": "alice", "reason": "Not mine", "sku": TEE.sku, "size": "L"},
    )
    assert answer.status_code == 403 and item_of(backend_server, placed)["sku"] == "SKU-T"
