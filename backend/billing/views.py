"""HTTP routes for invoices, payments, balances and refunds."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Path, Query, status
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
from backend.dependencies import db_session
from backend.ids import id_path
from backend.money import to_cents
from backend.pagination import Page, PageParams, page_params, paginate

router = APIRouter(tags=["billing"])

INVOICE_ID = Path(..., regex=r"^INV-\d{4}-\d{4}$", description="invoice number, e.g. INV-2026-0001")


def _page_of(statement, params: PageParams, session: Session, schema) -> dict:
    page = paginate(statement, params, db_session=session)
    page["items"] = [schema.from_row(row) for row in page["items"]]
    return page


@router.get("/invoices", response_model=Page[InvoiceRead])
def list_invoices(
    customer_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    order_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    return _page_of(service.invoices_statement(customer_id, order_id), params, session, InvoiceRead)


@router.get("/invoices/{invoice_id}", response_model=InvoiceRead)
def get_invoice(*, invoice_id: str = INVOICE_ID, session: Session = Depends(db_session)) -> InvoiceRead:
    return InvoiceRead.from_row(service.get_invoice(invoice_id, db_session=session))


@router.post(
    "/invoices/{invoice_id}/send-copy",
    response_model=InvoiceCopySent,
    status_code=status.HTTP_202_ACCEPTED,
)
def send_invoice_copy(
    *,
    invoice_id: str = INVOICE_ID,
    body: InvoiceCopyRequest,
    session: Session = Depends(db_session),
) -> InvoiceCopySent:
    sent_to = service.send_invoice_copy(invoice_id, body.customer_id, db_session=session)
    return InvoiceCopySent(invoice_id=invoice_id, sent_to=sent_to)


@router.get("/payments", response_model=Page[PaymentRead])
def list_payments(
    customer_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    order_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    return _page_of(service.payments_statement(customer_id, order_id), params, session, PaymentRead)


@router.get("/customers/{customer_id}/balance", response_model=BalanceRead)
def get_balance(*, customer_id: int = id_path("customer id"), session: Session = Depends(db_session)) -> dict:
    return service.balance(customer_id, db_session=session)


@router.get("/refunds", response_model=Page[RefundRead])
def list_refunds(
    order_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    customer_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    return _page_of(service.refunds_statement(order_id, customer_id), params, session, RefundRead)


@router.get("/refunds/{refund_id}", response_model=RefundRead)
def get_refund(
    *, refund_id: int = id_path("refund id"), session: Session = Depends(db_session)
) -> RefundRead:
    return RefundRead.from_row(service.get_refund(refund_id, db_session=session))


@router.post("/refunds", response_model=RefundRead, status_code=status.HTTP_201_CREATED)
def create_refund(body: RefundCreate, session: Session = Depends(db_session)) -> RefundRead:
    amount_cents = to_cents(body.amount) if body.amount is not None else None
    refund = service.create_refund(body.order_id, body.email, amount_cents, body.reason, db_session=session)
    return RefundRead.from_row(refund)
