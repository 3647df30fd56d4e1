"""HTTP routes for customers."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.orm import Session

from backend.customers import service
from backend.customers.models import (
    CustomerRead,
    CustomerUpdate,
    DeletionRequestCreate,
    DeletionRequestCreated,
    IdentifyRequest,
    IdentifyResult,
    PasswordResetAccepted,
    PasswordResetCreate,
)
from backend.dependencies import db_session
from backend.ids import id_path
from backend.pagination import Page, PageParams, page_params, paginate

router = APIRouter(tags=["customers"])


@router.get("/customers", response_model=Page[CustomerRead])
def list_customers(
    email: Optional[str] = Query(None, max_length=320),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    return paginate(service.list_statement(email), params, db_session=session)


@router.get("/customers/{customer_id}", response_model=CustomerRead)
def get_customer(*, customer_id: int = id_path("customer id"), session: Session = Depends(db_session)):
    return service.get(customer_id, db_session=session)


@router.patch("/customers/{customer_id}", response_model=CustomerRead)
def update_customer(
    *,
    customer_id: int = id_path("customer id"),
    body: CustomerUpdate,
    session: Session = Depends(db_session),
):
    return service.update(customer_id, email=body.email, address=body.address, db_session=session)


@router.post("/customers/identify", response_model=IdentifyResult)
def identify_customer(body: IdentifyRequest, session: Session = Depends(db_session)) -> IdentifyResult:
    customer = service.identify(body.email, body.order_id, db_session=session)
    return IdentifyResult(customer_id=customer.id, name=customer.name)


@router.post(
    "/customers/{customer_id}/deletion-requests",
    response_model=DeletionRequestCreated,
    status_code=status.HTTP_201_CREATED,
)
def request_deletion(
    *,
    customer_id: int = id_path("customer id"),
    body: DeletionRequestCreate,
    session: Session = Depends(db_session),
) -> DeletionRequestCreated:
    ticket_id = service.request_deletion(
        customer_id, conversation_id=body.conversation_id, db_session=session
    )
    return DeletionRequestCreated(ticket_id=ticket_id)


@router.post(
    "/password-resets",
    response_model=PasswordResetAccepted,
    status_code=status.HTTP_202_ACCEPTED,
)
def request_password_reset(
    body: PasswordResetCreate, request: Request, session: Session = Depends(db_session)
) -> PasswordResetAccepted:
    service.request_password_reset(
        body.email, store_url=request.app.state.settings.store_url, db_session=session
    )
    return PasswordResetAccepted()
