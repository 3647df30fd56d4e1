"""Billing operations: invoices, payments, balances and refunds under the refund policy."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.billing.models import Balance, Invoice, Payment, Refund
from backend.billing.policy import POLICY_URL, decide_refund
from backend.customers import service as customers
from backend.customers.models import Customer
from backend.money import from_cents
from backend.notifications import service as notifications
from backend.orders import service as orders
from backend.orders.models import Order
from common.database import utcnow
from common.errors import not_found, unprocessable
from common.masking import mask_email
from common.redaction import STORE_IDENTIFIERS, redact


def invoices_statement(customer_id: Optional[int] = None, order_id: Optional[int] = None) -> Select:
    """Select invoices, newest first."""
    statement = select(Invoice).order_by(Invoice.issued_at.desc(), Invoice.id.desc())
    if customer_id is not None:
        statement = statement.where(Invoice.customer_id == customer_id)
    if order_id is not None:
        statement = statement.where(Invoice.order_id == order_id)
    return statement


def get_invoice(invoice_id: str, *, db_session: Session) -> Invoice:
    """Return an invoice or raise 404."""
    invoice = db_session.get(Invoice, invoice_id)
    if invoice is None:
        raise not_found("invoice_not_found", "No invoice with that number.")
    return invoice


def send_invoice_copy(invoice_id: str, customer_id: int, *, db_session: Session) -> str:
    """Email a copy of the customer's own invoice to the address on file; return the masked address."""
    invoice = db_session.get(Invoice, invoice_id)
    if invoice is None or invoice.customer_id != customer_id:
        raise not_found("invoice_not_found", "No invoice with that number on this account.")
    customer = customers.get(customer_id, db_session=db_session)
    notifications.send_template(
        channel="email",
        recipient=customer.email,
        template="invoice_copy",
        values={
            "name": customer.name,
            "invoice_id": invoice.id,
            "issued_on": f"{invoice.issued_at:%Y-%m-%d}",
            "amount": from_cents(invoice.amount_cents),
            "currency": invoice.currency,
            "status": invoice.status,
        },
        db_session=db_session,
    )
    db_session.flush()
    return mask_email(customer.email)


def payments_statement(customer_id: Optional[int] = None, order_id: Optional[int] = None) -> Select:
    """Select payments, newest first."""
    statement = select(Payment).order_by(Payment.created_at.desc(), Payment.id.desc())
    if customer_id is not None:
        statement = statement.where(Payment.customer_id == customer_id)
    if order_id is not None:
        statement = statement.where(Payment.order_id == order_id)
    return statement


def balance(customer_id: int, *, db_session: Session) -> dict:
    """Store credit and the sum of open invoices for a customer."""
    customers.get(customer_id, db_session=db_session)
    row = db_session.get(Balance, customer_id)
    due = db_session.execute(
        select(func.coalesce(func.sum(Invoice.amount_cents), 0)).where(
            Invoice.customer_id == customer_id, Invoice.status == "open"
        )
    ).scalar_one()
    return {
        "customer_id": customer_id,
        "store_credit": from_cents(row.store_credit_cents if row else 0),
        "amount_due": from_cents(due),
        "currency": row.currency if row else "USD",
    }


def refunded_cents(order_id: int, *, db_session: Session) -> int:
    """Money already refunded or being refunded on an order."""
    return db_session.execute(
        select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
            Refund.order_id == order_id, Refund.status != "rejected"
        )
    ).scalar_one()


def refunds_statement(order_id: Optional[int] = None, customer_id: Optional[int] = None) -> Select:
    """Select refunds, newest first."""
    statement = select(Refund).order_by(Refund.created_at.desc(), Refund.id.desc())
    if order_id is not None:
        statement = statement.where(Refund.order_id == order_id)
    if customer_id is not None:
        statement = statement.where(Refund.customer_id == customer_id)
    return statement


def list_refunds(order_id: int, *, db_session: Session) -> List[Refund]:
    """All refunds of one order, newest first."""
    return list(db_session.execute(refunds_statement(order_id=order_id)).scalars())


def get_refund(refund_id: int, *, db_session: Session) -> Refund:
    """Return a refund or raise 404."""
    refund = db_session.get(Refund, refund_id)
    if refund is None:
        raise not_found("refund_not_found", "No refund with that id.")
    return refund


def refund_quote(order: Order, *, db_session: Session) -> dict:
    """The order total, what was refunded already and what still can be, under the refund policy."""
    already = refunded_cents(order.id, db_session=db_session)
    decision = decide_refund(
        order_status=order.status,
        delivered_at=order.delivered_at,
        order_total_cents=order.total_cents,
        already_refunded_cents=already,
        requested_cents=None,
        now=utcnow(),
    )
    return {
        "order_id": order.id,
        "order_total": from_cents(order.total_cents),
        "already_refunded": from_cents(already),
        "refundable": from_cents(decision.refundable_cents if decision.eligible else 0),
        "currency": order.currency,
        "eligible": decision.eligible,
        "code": decision.code,
        "policy_url": POLICY_URL,
    }


def _stored_reason(
    reason: Optional[str], customer_id: Optional[int], *, db_session: Session
) -> Optional[str]:
    """The customer's words, fully redacted (the one redactor with their own CRM values), order numbers and
    invoice ids kept: agents read a reason for what went wrong ("arrived broken"), which survives, and no
    policy reads it; a card number or address typed into it has no business in the refunds table."""
    if not reason:
        return reason
    customer = db_session.get(Customer, customer_id) if customer_id is not None else None
    known = (
        [value for value in (customer.name, customer.email, customer.phone, customer.address) if value]
        if customer
        else []
    )
    return redact(reason, known_values=known, keep=STORE_IDENTIFIERS)


def create_refund(
    order_id: int,
    email: str,
    amount_cents: Optional[int],
    reason: Optional[str],
    *,
    db_session: Session,
) -> Refund:
    """Create a pending refund if the policy allows it; otherwise 422 with the policy reason."""
    order = orders.get_for_email(order_id, email, db_session=db_session)
    # Lock the order row on PostgreSQL so two refunds of one order cannot both pass the policy check.
    db_session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    decision = decide_refund(
        order_status=order.status,
        delivered_at=order.delivered_at,
        order_total_cents=order.total_cents,
        already_refunded_cents=refunded_cents(order.id, db_session=db_session),
        requested_cents=amount_cents,
        now=utcnow(),
    )
    if not decision.eligible:
        raise unprocessable(
            decision.code,
            decision.message,
            {
                "policy_url": POLICY_URL,
                "refundable_amount": str(from_cents(decision.refundable_cents)),
            },
        )
    refund = Refund(
        order_id=order.id,
        customer_id=order.customer_id,
        amount_cents=amount_cents if amount_cents is not None else decision.refundable_cents,
        currency=order.currency,
        reason=_stored_reason(reason, order.customer_id, db_session=db_session),
        status="pending",
    )
    db_session.add(refund)
    db_session.flush()
    return refund


def refund_cancelled_order(order: Order, *, db_session: Session) -> None:
    """Refund whatever was paid for an order that is being cancelled (caller commits)."""
    outstanding = order.total_cents - refunded_cents(order.id, db_session=db_session)
    paid = db_session.execute(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.order_id == order.id, Payment.status == "succeeded"
        )
    ).scalar_one()
    amount = min(outstanding, paid)
    if amount > 0:
        db_session.add(
            Refund(
                order_id=order.id,
                customer_id=order.customer_id,
                amount_cents=amount,
                currency=order.currency,
                reason="order cancelled before shipping",
                status="pending",
            )
        )
