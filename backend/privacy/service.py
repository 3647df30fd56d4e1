"""The rights of access and erasure over the backend's stores: find a customer, export, erase.

Which rows are "the customer's": rows carrying their customer id, tickets opened with their email address
(an unverified conversation that gave it), and outbox messages sent to their addresses (backend/privacy/
stores.py). Orders store no address of their own: they ship to the profile's address.

What the erasure does to each table is in backend/privacy/erasure.py; the ledger of erasures, which makes
a repeated request safe, is backend/privacy/models.py:Erasure.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.billing.models import (
    Balance,
    Invoice,
    InvoiceRead,
    Payment,
    PaymentRead,
    Refund,
    RefundRead,
)
from backend.customers import service as customers
from backend.customers.models import (
    ChannelLink,
    ChannelLinkRead,
    Customer,
    CustomerRead,
    EmailChangeRequest,
    PasswordResetRequest,
)
from backend.customers.phones import normalise_phone
from backend.identity.models import (
    Authenticator,
    VerificationChallenge,
    VerificationLockout,
    VerificationToken,
)
from backend.notifications import service as notifications
from backend.notifications.models import OutboxMessage
from backend.orders.models import Order, OrderRead
from backend.privacy import erasure
from backend.privacy.models import (
    ChallengeRecord,
    CustomerExport,
    Erasure,
    ErasureReceipt,
    RequestRecord,
    TokenRecord,
    VerificationRecords,
)
from backend.privacy.stores import customer_addresses, outbox_to, tickets_of
from backend.tickets.models import Ticket, TicketRead
from common.database import utcnow
from common.errors import conflict, not_found, unprocessable


def find_customer(*, email: Optional[str], phone: Optional[str], db_session: Session) -> int:
    """The id of the one customer with this email or phone, or 404 (privacy/erasure requests name a person)."""
    if email is not None:
        statement = select(Customer.id).where(func.lower(Customer.email) == customers.normalise_email(email))
    else:
        e164 = normalise_phone(phone)
        if e164 is None:
            raise not_found("customer_not_found", "No customer with that email or phone.")
        statement = select(Customer.id).where(Customer.phone == e164)
    found = list(db_session.execute(statement.limit(2)).scalars())
    if len(found) != 1:
        raise not_found("customer_not_found", "No customer with that email or phone.")
    return int(found[0])


def export(customer_id: int, *, db_session: Session) -> CustomerExport:
    """Everything the backend stores about one customer, as one JSON document with stable keys:

    - `format` ("frontdesk.backend.customer-export/1") and `generated_at` (UTC);
    - `customer`: the profile (id, name, email, phone, address, created_at);
    - `orders` with their `items` (orders ship to the profile's address: they store none of their own),
      `payments`, `invoices`, `refunds` (amounts as exact strings) and `store_credit_cents`;
    - `tickets` with their `messages`: linked to the account or opened with its email;
    - `outbox_messages`: every email and SMS to the customer's addresses, bodies as stored (one-time codes
      and links are stored replaced by "[CODE]" / "[LINK]");
    - `verification`: challenges, tokens earned, authenticator enrolment and lockout, never a code, token
      or authenticator secret (stored hashed or not exported);
    - `account_requests`: password resets and email changes (the new address, never the link);
    - `channel_links`: linked Slack and Telegram accounts;
    - `erasure`: the receipt, if this customer was erased (then the rest is what was kept, anonymised).
    """
    customer = customers.get(customer_id, db_session=db_session)

    def rows_of(model: Any, *conditions: Any) -> list:
        return _rows(model, *conditions, db_session=db_session)

    balance = db_session.get(Balance, customer_id)
    lockout = db_session.get(VerificationLockout, customer_id)
    authenticator = db_session.get(Authenticator, customer_id)
    erasure = recorded_for_customer(customer_id, db_session=db_session)
    return CustomerExport(
        generated_at=utcnow(),
        customer=CustomerRead.from_orm(customer),
        orders=[OrderRead.from_row(row) for row in rows_of(Order, Order.customer_id == customer_id)],
        payments=[PaymentRead.from_row(row) for row in rows_of(Payment, Payment.customer_id == customer_id)],
        invoices=[InvoiceRead.from_row(row) for row in rows_of(Invoice, Invoice.customer_id == customer_id)],
        refunds=[RefundRead.from_row(row) for row in rows_of(Refund, Refund.customer_id == customer_id)],
        store_credit_cents=balance.store_credit_cents if balance else None,
        tickets=[TicketRead.from_row(row) for row in rows_of(Ticket, tickets_of(customer))],
        outbox_messages=[
            notifications.as_read(row, with_clear_body=False, db_session=db_session)
            for row in rows_of(
                OutboxMessage,
                outbox_to(customer_addresses(customer, db_session=db_session), db_session=db_session),
            )
        ],
        verification=VerificationRecords(
            challenges=[
                ChallengeRecord.from_orm(row)
                for row in rows_of(VerificationChallenge, VerificationChallenge.customer_id == customer_id)
            ],
            tokens=[
                TokenRecord.from_orm(row)
                for row in rows_of(VerificationToken, VerificationToken.customer_id == customer_id)
            ],
            authenticator_enrolled_at=authenticator.created_at if authenticator else None,
            locked_until=lockout.locked_until if lockout else None,
        ),
        account_requests=_account_requests(customer_id, db_session=db_session),
        channel_links=[
            ChannelLinkRead.from_orm(row)
            for row in rows_of(ChannelLink, ChannelLink.customer_id == customer_id)
        ],
        erasure=erasure,
    )


def _rows(model: Any, *conditions: Any, db_session: Session) -> list:
    """Rows of a table in key order (so an export of the same data is the same document)."""
    key = model.__mapper__.primary_key[0]
    return list(db_session.execute(select(model).where(*conditions).order_by(key)).scalars())


def _account_requests(customer_id: int, *, db_session: Session) -> List[RequestRecord]:
    resets = _rows(
        PasswordResetRequest, PasswordResetRequest.customer_id == customer_id, db_session=db_session
    )
    changes = _rows(EmailChangeRequest, EmailChangeRequest.customer_id == customer_id, db_session=db_session)
    return [
        RequestRecord(
            kind="password_reset",
            new_email=None,
            created_at=row.created_at,
            expires_at=row.expires_at,
            completed_at=row.used_at,
        )
        for row in resets
    ] + [
        RequestRecord(
            kind="email_change",
            new_email=row.new_email,
            created_at=row.created_at,
            expires_at=row.expires_at,
            completed_at=row.confirmed_at,
        )
        for row in changes
    ]


def _receipt_of(row: Erasure) -> ErasureReceipt:
    return ErasureReceipt.parse_obj(json.loads(row.receipt_json))


def recorded_for_customer(customer_id: int, *, db_session: Session) -> Optional[ErasureReceipt]:
    row = db_session.execute(select(Erasure).where(Erasure.customer_id == customer_id)).scalar_one_or_none()
    return _receipt_of(row) if row is not None else None


def recorded_erasure(customer_id: int, request_id: str, *, db_session: Session) -> Optional[ErasureReceipt]:
    """The receipt of an erasure already done under this request id (None if there is none).

    The same id for another customer is refused (422), and so is a new id for a customer already erased
    (409, naming the first request, whose receipt a repeat of it shows again)."""
    row = db_session.get(Erasure, request_id)
    if row is not None:
        if row.customer_id != customer_id:
            raise unprocessable(
                "request_id_reused", "This request id was already used to erase another customer."
            )
        return _receipt_of(row)
    earlier = db_session.execute(
        select(Erasure.request_id).where(Erasure.customer_id == customer_id)
    ).scalar_one_or_none()
    if earlier is not None:
        raise conflict(
            "customer_already_erased",
            "This customer was already erased; repeat that request to see its receipt.",
            {"request_id": earlier},
        )
    return None


def erase(customer_id: int, request_id: str, *, db_session: Session) -> ErasureReceipt:
    """Erase or anonymise the customer in every table (backend/privacy/erasure.py) and return the receipt;
    a repeated request id returns the first receipt and changes nothing."""
    customers.get(customer_id, db_session=db_session)  # 404 first: an unknown customer has no ledger
    done = recorded_erasure(customer_id, request_id, db_session=db_session)
    if done is not None:
        return done
    ledger = Erasure(request_id=request_id, customer_id=customer_id, erased_at=utcnow())
    db_session.add(ledger)
    # The ledger row first: a concurrent request with this id (or for this customer) waits on it, then
    # fails its insert, and its view answers with this receipt (or 409).
    db_session.flush()
    stores = erasure.erase_everywhere(
        customer_id, request_id, erased_at=ledger.erased_at, db_session=db_session
    )
    receipt = ErasureReceipt(
        request_id=request_id, customer_id=customer_id, erased_at=ledger.erased_at, stores=stores
    )
    ledger.receipt_json = receipt.json()
    db_session.flush()
    return receipt
