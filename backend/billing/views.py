"""HTTP routes for invoices, payments, balances and refunds."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.billing import service
from backend.billing.models import (
    BalanceRead,
    InvoiceCopyRequest,
    InvoiceCopySent,
    InvoiceRead,
    PaymentRead,
    RefundCreate,
    RefundRead,
)
from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import service as idempotency
from backend.identity.service import require_verified
from backend.ids import MAX_ID, id_path
from backend.money import to_cents
from backend.orders import service as orders
from backend.pagination import Page, PageParams, page_params, paginate

router = APIRouter(tags=["billing"])

INVOICE_ID = Path(..., regex=r"^INV-\d{4}-\d{4}$", description="invoice number, e.g. INV-2026-0001")


def _page_of(statement, params: PageParams, session: Session, schema) -> dict:
    page = paginate(statement, params, db_session=session)
    page["items"] = [schema.from_row(row) for row in page["items"]]
    return page


@router.get("/invoices", response_model=Page[InvoiceRead])
def list_invoices(
    customer_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    order_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    return _page_of(service.invoices_statement(customer_id, order_id), params, session, InvoiceRead)


@router.get("/invoices/{invoice_id}", response_model=InvoiceRead)
def get_invoice(*, invoice_id: str = INVOICE_ID, session: Session = Depends(db_session)) -> InvoiceRead:
    return InvoiceRead.from_row(service.get_invoice(invoice_id, db_session=session))


@router.post("/invoices/{invoice_id}/send-copy", response_model=InvoiceCopySent, status_code=202)
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
    session: Session = Depends(db_session),
) -> dict:
    return _page_of(service.payments_statement(customer_id, order_id), params, session, PaymentRead)


@router.get("/customers/{customer_id}/balance", response_model=BalanceRead)
def get_balance(
    *,
    customer_id: int = id_path("customer id"),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> dict:
    """Store credit and amount due; needs a verification token for this customer."""
    require_verified(token, customer_id, db_session=session)
    return service.balance(customer_id, db_session=session)


@router.get("/refunds", response_model=Page[RefundRead])
def list_refunds(
    order_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    customer_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    return _page_of(service.refunds_statement(order_id, customer_id), params, session, RefundRead)


@router.get("/refunds/{refund_id}", response_model=RefundRead)
def get_refund(
    *, refund_id: int = id_path("refund id"), session: Session = Depends(db_session)
) -> RefundRead:
    return RefundRead.from_row(service.get_refund(refund_id, db_session=session))


@router.post("/refunds", response_model=RefundRead, status_code=201)
def create_refund(
    body: RefundCreate,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Create a refund under the policy; needs an Idempotency-Key and a verification token for the customer."""
    order = orders.get_for_email(body.order_id, body.email, db_session=session)
    # Checked before the key is claimed, so a refusal here is never replayed to a later, verified retry.
    require_verified(token, order.customer_id, db_session=session)
    session.rollback()  # end the read transaction: the key insert must be the first statement of the next
    amount_cents = to_cents(body.amount) if body.amount is not None else None

    def produce():
        refund = service.create_refund(
            body.order_id, body.email, amount_cents, body.reason, db_session=session
        )
        return 201, RefundRead.from_row(refund)

    payload = {"order_id": body.order_id, "email": body.email.lower(), "amount": amount_cents}
    return idempotency.execute(key, "POST /refunds", payload, produce, db_session=session)
