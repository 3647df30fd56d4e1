"""What an erasure does to each backend table, keeping only what the law requires.

- Kept for bookkeeping, with the person's identity removed: invoices, payments (the card's last digits
  cleared), refunds (the customer's reason replaced), the store-credit balance, and orders with their items
  as anonymous sales records (the carrier's tracking number cleared: at the carrier it leads to a name and an
  address). Their identity was the customer record, which stays as an anonymised row so every foreign key
  holds: "Erased customer", a unique undeliverable `erased-<id>@erased.invalid`, no phone, no address.
- Tickets stay for the support statistics: every message body becomes "[erased]", the contact email and
  the details go, and any of the customer's values in a subject is replaced. The conversation id stays: a
  random id, the key the tracker store's own erasure (outside the backend) finds the conversation by.
- Deleted: outbox messages to the customer's addresses, channel links, verification challenges, tokens,
  authenticator, lockout, password resets, email changes, and idempotency keys whose stored answer holds
  their email or phone in clear. (Sealed answers, backend/sealing.py, open only with the client's key and
  go with the idempotency retention.)

Before the customer row is anonymised, one confirmation email is queued to their address (emails.yml
`privacy_erasure_done`), listing the receipt's stores: the only row left with their address.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Iterable, List

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from backend.billing.models import Balance, Invoice, Payment, Refund
from backend.customers import service as customers
from backend.customers.models import ChannelLink, Customer, EmailChangeRequest, PasswordResetRequest
from backend.idempotency.models import IdempotencyKey
from backend.identity.models import (
    Authenticator,
    VerificationChallenge,
    VerificationLockout,
    VerificationToken,
)
from backend.notifications import service as notifications
from backend.notifications.models import OutboxMessage
from backend.orders.models import Order, OrderItem
from backend.privacy.models import StoreAction
from backend.privacy.stores import customer_addresses, outbox_to, tickets_of
from backend.tickets.models import Ticket, TicketMessage

ERASED_TEXT = "[erased]"
ERASED_NAME = "Erased customer"
ERASED_EMAIL_DOMAIN = "erased.invalid"  # .invalid never resolves (RFC 2606): nothing is ever delivered


def erased_email(customer_id: int) -> str:
    return f"erased-{customer_id}@{ERASED_EMAIL_DOMAIN}"


def _count(db_session: Session, model: Any, *conditions: Any) -> int:
    return int(db_session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one())


def _run(db_session: Session, statement: Any) -> int:
    """Run a bulk UPDATE or DELETE and return the rows it touched (the session's objects are not synced:
    the only one loaded is the customer, changed last)."""
    return int(db_session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0)


def _store(table: str, action: str, rows: int) -> StoreAction:
    return StoreAction(store=f"backend.{table}", action=action, rows=rows)  # type: ignore[arg-type]


def _without_values(text: str, values: Iterable[str]) -> str:
    for value in values:
        text = re.sub(re.escape(value), ERASED_TEXT, text, flags=re.IGNORECASE)
    return text


def erase_everywhere(
    customer_id: int, request_id: str, *, erased_at: datetime, db_session: Session
) -> List[StoreAction]:
    """Carry out the erasure in every table (the caller holds the ledger row); return what each store did."""
    customer = customers.get(customer_id, db_session=db_session)
    known_values = [
        value for value in (customer.email, customer.phone, customer.name, customer.address) if value
    ]
    addresses = customer_addresses(customer, db_session=db_session)
    stores = _bookkeeping(customer_id, db_session=db_session)
    stores += _tickets(customer, known_values, db_session=db_session)
    stores.append(
        _store(
            "outbox_messages",
            "deleted",
            _run(db_session, delete(OutboxMessage).where(outbox_to(addresses, db_session=db_session))),
        )
    )
    stores += _account_security(customer_id, db_session=db_session)
    clear_values = [value for value in (customer.email, customer.phone) if value]
    stores.append(
        _store(
            "idempotency_keys",
            "deleted",
            _run(
                db_session,
                delete(IdempotencyKey).where(
                    or_(
                        *(
                            IdempotencyKey.response_body.contains(value, autoescape=True)
                            for value in clear_values
                        )
                    )
                ),
            ),
        )
    )
    stores.insert(0, _store("customers", "anonymised", 1))
    _confirm(customer, request_id, erased_at, stores, db_session=db_session)
    customer.name = ERASED_NAME
    customer.email = erased_email(customer.id)
    customer.phone = None
    customer.address = None
    db_session.flush()
    return stores


def _bookkeeping(customer_id: int, *, db_session: Session) -> List[StoreAction]:
    """Orders, payments, invoices, refunds and balances stay, without anything that points at the person."""
    orders = _run(
        db_session, update(Order).where(Order.customer_id == customer_id).values(tracking_number=None)
    )
    items = _count(
        db_session,
        OrderItem,
        OrderItem.order_id.in_(select(Order.id).where(Order.customer_id == customer_id)),
    )
    payments = _run(
        db_session, update(Payment).where(Payment.customer_id == customer_id).values(card_last4=None)
    )
    _run(
        db_session,
        update(Refund)
        .where(Refund.customer_id == customer_id, Refund.reason.isnot(None))
        .values(reason=ERASED_TEXT),
    )
    return [
        _store("orders", "anonymised", orders),
        _store("order_items", "retained", items),
        _store("payments", "anonymised", payments),
        _store("invoices", "retained", _count(db_session, Invoice, Invoice.customer_id == customer_id)),
        _store("refunds", "anonymised", _count(db_session, Refund, Refund.customer_id == customer_id)),
        _store("balances", "retained", _count(db_session, Balance, Balance.customer_id == customer_id)),
    ]


def _tickets(customer: Customer, known_values: List[str], *, db_session: Session) -> List[StoreAction]:
    tickets = list(db_session.execute(select(Ticket.id, Ticket.subject).where(tickets_of(customer))))
    ids = [ticket_id for ticket_id, _subject in tickets]
    if not ids:
        return [_store("tickets", "anonymised", 0), _store("ticket_messages", "redacted", 0)]
    for ticket_id, subject in tickets:
        _run(
            db_session,
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(
                subject=_without_values(subject, known_values),
                customer_email=None,
                details_json="{}",
                updated_at=Ticket.updated_at,  # not "now": the ticket's last activity stays what it was
            ),
        )
    messages = _run(
        db_session, update(TicketMessage).where(TicketMessage.ticket_id.in_(ids)).values(body=ERASED_TEXT)
    )
    return [_store("tickets", "anonymised", len(ids)), _store("ticket_messages", "redacted", messages)]


def _account_security(customer_id: int, *, db_session: Session) -> List[StoreAction]:
    """Links, verification and account requests go entirely (tokens before the challenges they point at)."""
    stores = []
    for table, model in (
        ("channel_links", ChannelLink),
        ("verification_tokens", VerificationToken),
        ("verification_challenges", VerificationChallenge),
        ("authenticators", Authenticator),
        ("verification_lockouts", VerificationLockout),
        ("password_reset_requests", PasswordResetRequest),
        ("email_change_requests", EmailChangeRequest),
    ):
        deleted = _run(db_session, delete(model).where(model.customer_id == customer_id))
        stores.append(_store(table, "deleted", deleted))
    return stores


def _confirm(
    customer: Customer,
    request_id: str,
    erased_at: datetime,
    stores: List[StoreAction],
    *,
    db_session: Session,
) -> None:
    """The one email the customer gets about it, to the address on file before it goes."""
    listed = "\n".join(f"- {store.store}: {store.action}, {store.rows}" for store in stores)
    notifications.send_template(
        channel="email",
        recipient=customer.email,
        template="privacy_erasure_done",
        values={"request_id": request_id, "erased_on": erased_at.date().isoformat(), "stores": listed},
        db_session=db_session,
    )
