"""HTTP routes for invoices, payments, balances and refunds.

Reads need `customers:read` or the customer's verification token; writes need the token always.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.billing import service
from backend.billing.models import (
    BalanceRead,
    InvoiceCopyRequest,
    InvoiceCopySent,
    InvoiceRead,
    PaymentRead,
    RefundCreate,
    RefundQuote,
    RefundRead,
)
from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import views as idempotency
from backend.idempotency.views import Produced
from backend.identity.service import require_verified, require_verified_email, verified_customer_id
from backend.money import to_cents
from backend.orders import service as orders
from backend.orders.lookups import LookupBudget
from backend.orders.models import OrderOwnerCheck
from backend.orders.views import lookup_budget
from backend.pagination import Page, PageParams, page_params, paginate
from backend.security import (
    CUSTOMER_SELF,
    ORDER_LOOKUP,
    CustomerReader,
    customer_address,
    customer_reader,
    require_scope,
)
from common.api import MAX_ID, id_path
from common.errors import ApiError, not_found

router = APIRouter(tags=["billing"])
SELF = [Depends(require_scope(CUSTOMER_SELF))]

INVOICE_ID = Path(..., regex=r"^INV-\d{4}-\d{4}$", description="invoice number, e.g. INV-2026-0001")


def _page_of(statement: Select, params: PageParams, session: Session, schema: Any) -> Dict[str, Any]:
    page = paginate(statement, params, db_session=session)
    page["items"] = [schema.from_row(row) for row in page["items"]]
    return page


def _readable(reader: CustomerReader, owner_id: Optional[int], session: Session, missing: ApiError) -> None:
    """Only a reader with `customers:read`, or the owner's token; anyone else sees the same 404."""
    if reader.may_read_all:
        return
    if owner_id is None or verified_customer_id(reader.verification_token, db_session=session) != owner_id:
        raise missing


@router.get("/invoices", response_model=Page[InvoiceRead])
def list_invoices(
    customer_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    order_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    params: PageParams = Depends(page_params),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> dict:
    reader.check(customer_id, db_session=session)
    return _page_of(service.invoices_statement(customer_id, order_id), params, session, InvoiceRead)


@router.get("/invoices/{invoice_id}", response_model=InvoiceRead)
def get_invoice(
    *,
    invoice_id: str = INVOICE_ID,
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> InvoiceRead:
    invoice = service.get_invoice(invoice_id, db_session=session)
    _readable(
        reader, invoice.customer_id, session, not_found("invoice_not_found", "No invoice with that number.")
    )
    return InvoiceRead.from_row(invoice)


@router.post(
    "/invoices/{invoice_id}/send-copy", response_model=InvoiceCopySent, status_code=202, dependencies=SELF
)
def send_invoice_copy(
    *,
    invoice_id: str = INVOICE_ID,
    body: InvoiceCopyRequest,
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> InvoiceCopySent:
    """Email a copy to the address on file; needs a verification token for this customer."""
    require_verified(token, body.customer_id, db_session=session)
    sent_to = service.send_invoice_copy(invoice_id, body.customer_id, db_session=session)
    session.commit()
    return InvoiceCopySent(invoice_id=invoice_id, sent_to=sent_to)


@router.get("/payments", response_model=Page[PaymentRead])
def list_payments(
    customer_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    order_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    params: PageParams = Depends(page_params),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> dict:
    reader.check(customer_id, db_session=session)
    return _page_of(service.payments_statement(customer_id, order_id), params, session, PaymentRead)


@router.get("/customers/{customer_id}/balance", response_model=BalanceRead)
def get_balance(
    *,
    customer_id: int = id_path("customer id"),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> dict:
    """Store credit and amount due: an agent's console, or the customer with a verification token."""
    reader.check(customer_id, db_session=session)
    return service.balance(customer_id, db_session=session)


@router.get("/refunds", response_model=Page[RefundRead])
def list_refunds(
    order_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    customer_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    params: PageParams = Depends(page_params),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> dict:
    reader.check(customer_id, db_session=session)
    return _page_of(service.refunds_statement(order_id, customer_id), params, session, RefundRead)


@router.get("/refunds/{refund_id}", response_model=RefundRead)
def get_refund(
    *,
    refund_id: int = id_path("refund id"),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> RefundRead:
    refund = service.get_refund(refund_id, db_session=session)
    _readable(reader, refund.customer_id, session, not_found("refund_not_found", "No refund with that id."))
    return RefundRead.from_row(refund)


@router.post(
    "/orders/{order_id}/refund-status",
    response_model=List[RefundRead],
    dependencies=[Depends(require_scope(ORDER_LOOKUP))],
)
def refund_status(
    *,
    order_id: int = id_path("order id"),
    body: OrderOwnerCheck,
    address: Optional[str] = Depends(customer_address),
    budget: LookupBudget = Depends(lookup_budget),
    session: Session = Depends(db_session),
) -> List[RefundRead]:
    """An order's refunds, newest first, under the same ownership check and budget as an order lookup."""
    order = budget.guard(
        body.email, address, lambda: orders.get_for_email(order_id, body.email, db_session=session)
    )
    return [RefundRead.from_row(refund) for refund in service.list_refunds(order.id, db_session=session)]


@router.post("/orders/{order_id}/refund-quote", response_model=RefundQuote, dependencies=SELF)
def refund_quote(
    *,
    order_id: int = id_path("order id"),
    body: OrderOwnerCheck,
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> RefundQuote:
    """The order total and what can still be refunded, for the verified customer who owns the order."""
    require_verified_email(token, body.email, db_session=session)
    order = orders.get_for_email(order_id, body.email, db_session=session)
    return RefundQuote(**service.refund_quote(order, db_session=session))


@router.post("/refunds", response_model=RefundRead, status_code=201, dependencies=SELF)
def create_refund(
    body: RefundCreate,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Create a refund under the policy; needs an Idempotency-Key and a verification token for the customer."""
    require_verified_email(token, body.email, db_session=session)
    # Checked before the key is claimed, so a refusal here is never replayed to a later, verified retry.
    orders.get_for_email(body.order_id, body.email, db_session=session)
    session.rollback()  # end the read transaction: the key insert must be the first statement of the next
    amount_cents = to_cents(body.amount) if body.amount is not None else None

    def produce() -> Produced:
        refund = service.create_refund(
            body.order_id, body.email, amount_cents, body.reason, db_session=session
        )
        return 201, RefundRead.from_row(refund)

    payload = {"order_id": body.order_id, "email": body.email.lower(), "amount": amount_cents}
    return idempotency.execute(key, "POST /refunds", payload, produce, db_session=session)
