"""HTTP routes for an agent acting for a customer (scope `orders:assist`, the console's credential).

Each route names the ticket: the backend checks the ticket is open, assigned to the acting agent and names a
verified customer who owns the order or invoice. Each needs an Idempotency-Key; refusals by policy are the
bot's own: 409 for an order that has shipped, 422 for a refund outside the refund policy.
"""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend import flows
from backend.assist import service
from backend.assist.models import AgentAction, AgentRefund, CatalogueRead, ItemSwap, ProductRead, SizeChange
from backend.billing import service as billing
from backend.billing.models import InvoiceCopySent, RefundRead
from backend.billing.views import INVOICE_ID
from backend.customers import service as customers
from backend.dependencies import db_session, idempotency_key
from backend.idempotency import views as idempotency
from backend.idempotency.views import Produced
from backend.money import from_cents, to_cents
from backend.orders import catalogue
from backend.orders.models import OrderRead
from backend.security import ORDERS_ASSIST, require_scope
from common.api import id_path

router = APIRouter(tags=["assist"], dependencies=[Depends(require_scope(ORDERS_ASSIST))])
TICKET = "ticket id"


@router.post("/tickets/{ticket_id}/assist/orders/{order_id}/cancel", response_model=OrderRead)
def cancel_order(
    *,
    ticket_id: int = id_path(TICKET),
    order_id: int = id_path("order id"),
    body: AgentAction,
    key: Optional[str] = Depends(idempotency_key),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Cancel an order that has not shipped, refunding what was paid (409 once it has shipped)."""
    service.check_order(ticket_id, order_id, body.agent, db_session=session)
    session.rollback()  # the key insert must open the next transaction

    def produce() -> Produced:
        ticket = service.ticket_for(ticket_id, body.agent, db_session=session)
        order = flows.cancel_order(
            service.customer_order(ticket, order_id, db_session=session), db_session=session
        )
        service.note(ticket, body.agent, f"cancelled order {order.id}", body.reason, db_session=session)
        return 200, OrderRead.from_row(order)

    operation = f"POST /tickets/{ticket_id}/assist/orders/{order_id}/cancel"
    return idempotency.execute(key, operation, body.dict(), produce, db_session=session)


@router.post("/tickets/{ticket_id}/assist/orders/{order_id}/items/{item_id}/size", response_model=OrderRead)
def change_item_size(
    *,
    ticket_id: int = id_path(TICKET),
    order_id: int = id_path("order id"),
    item_id: int = id_path("order item id"),
    body: SizeChange,
    key: Optional[str] = Depends(idempotency_key),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Change the size of one item of an order that has not shipped (409 once it has shipped)."""
    service.check_order(ticket_id, order_id, body.agent, db_session=session)
    session.rollback()

    def produce() -> Produced:
        order = service.change_size(
            ticket_id, order_id, item_id, body.size, body.agent, body.reason, db_session=session
        )
        return 200, OrderRead.from_row(order)

    operation = f"POST /tickets/{ticket_id}/assist/orders/{order_id}/items/{item_id}/size"
    return idempotency.execute(key, operation, body.dict(), produce, db_session=session)


@router.get("/assist/products", response_model=CatalogueRead)
def products() -> CatalogueRead:
    """What the store sells, with prices and sizes: the products an item can be swapped for."""
    return CatalogueRead(
        products=[
            ProductRead(
                sku=product.sku,
                name=product.name,
                unit_price=from_cents(product.unit_price_cents),
                currency=catalogue.CATALOGUE_CURRENCY,
                sizes=product.sizes,
            )
            for product in catalogue.PRODUCTS
        ]
    )


@router.post("/tickets/{ticket_id}/assist/orders/{order_id}/items/{item_id}/swap", response_model=OrderRead)
def swap_item(
    *,
    ticket_id: int = id_path(TICKET),
    order_id: int = id_path("order id"),
    item_id: int = id_path("order item id"),
    body: ItemSwap,
    key: Optional[str] = Depends(idempotency_key),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Swap an item of an unshipped order for another product at the same price (409 once shipped; 422 for a
    product not sold, at another price, or in a size it is not sold in)."""
    service.check_order(ticket_id, order_id, body.agent, db_session=session)
    session.rollback()

    def produce() -> Produced:
        order = service.swap_item(
            ticket_id, order_id, item_id, body.sku, body.size, body.agent, body.reason, db_session=session
        )
        return 200, OrderRead.from_row(order)

    operation = f"POST /tickets/{ticket_id}/assist/orders/{order_id}/items/{item_id}/swap"
    return idempotency.execute(key, operation, body.dict(), produce, db_session=session)


@router.post("/tickets/{ticket_id}/assist/refunds", response_model=RefundRead, status_code=201)
def refund(
    *,
    ticket_id: int = id_path(TICKET),
    body: AgentRefund,
    key: Optional[str] = Depends(idempotency_key),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Refund a delivered order within the refund policy (422 with the policy's reason otherwise)."""
    service.check_order(ticket_id, body.order_id, body.agent, db_session=session)
    session.rollback()
    amount_cents = to_cents(body.amount) if body.amount is not None else None

    def produce() -> Produced:
        ticket = service.ticket_for(ticket_id, body.agent, db_session=session)
        order = service.customer_order(ticket, body.order_id, db_session=session)
        email = customers.get(order.customer_id, db_session=session).email
        made = billing.create_refund(order.id, email, amount_cents, body.reason, db_session=session)
        did = f"refunded {from_cents(made.amount_cents)} {made.currency} on order {order.id}"
        service.note(ticket, body.agent, did, body.reason, db_session=session)
        return 201, RefundRead.from_row(made)

    payload = {"order_id": body.order_id, "amount": amount_cents, "agent": body.agent, "reason": body.reason}
    return idempotency.execute(
        key, f"POST /tickets/{ticket_id}/assist/refunds", payload, produce, db_session=session
    )


@router.post("/tickets/{ticket_id}/assist/invoices/{invoice_id}/send-copy", response_model=InvoiceCopySent)
def resend_invoice(
    *,
    ticket_id: int = id_path(TICKET),
    invoice_id: str = INVOICE_ID,
    body: AgentAction,
    key: Optional[str] = Depends(idempotency_key),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Email the customer a copy of one of their invoices, to the address on file (404 for anybody else's)."""
    service.ticket_for(ticket_id, body.agent, db_session=session)
    session.rollback()

    def produce() -> Produced:
        ticket = service.ticket_for(ticket_id, body.agent, db_session=session)
        assert ticket.customer_id is not None  # ticket_for refuses tickets without a verified customer
        sent_to = billing.send_invoice_copy(invoice_id, ticket.customer_id, db_session=session)
        service.note(
            ticket, body.agent, f"sent a copy of invoice {invoice_id}", body.reason, db_session=session
        )
        return 200, InvoiceCopySent(invoice_id=invoice_id, sent_to=sent_to)

    operation = f"POST /tickets/{ticket_id}/assist/invoices/{invoice_id}/send-copy"
    return idempotency.execute(key, operation, body.dict(), produce, db_session=session)
