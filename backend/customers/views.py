"""HTTP routes for customers."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.customers import service
from backend.customers.models import (
    Customer,
    CustomerRead,
    CustomerUpdate,
    DeletionRequestCreate,
    DeletionRequestCreated,
    IdentifyRequest,
    IdentifyResult,
    PasswordResetAccepted,
    PasswordResetCreate,
)
from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import service as idempotency
from backend.identity.service import require_verified
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
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Change the email or address; needs a verification token for this customer."""
    require_verified(token, customer_id, db_session=session)

    def produce():
        customer = service.update(customer_id, email=body.email, address=body.address, db_session=session)
        return 200, CustomerRead.from_orm(customer)

    return idempotency.execute(
        key, f"PATCH /customers/{customer_id}", body.dict(), produce, db_session=session, required=False
    )


@router.post("/customers/identify", response_model=IdentifyResult)
def identify_customer(body: IdentifyRequest, session: Session = Depends(db_session)) -> IdentifyResult:
    customer = service.identify(body.email, body.order_id, db_session=session)
    return IdentifyResult(customer_id=customer.id, name=customer.name)


@router.post(
    "/customers/{customer_id}/deletion-requests", response_model=DeletionRequestCreated, status_code=201
)
def request_deletion(
    *,
    customer_id: int = id_path("customer id"),
    body: DeletionRequestCreate,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Open an account-deletion ticket; needs a verification token for this customer."""
    require_verified(token, customer_id, db_session=session)

    def produce():
        ticket_id = service.request_deletion(
            customer_id, conversation_id=body.conversation_id, db_session=session
        )
        return 201, DeletionRequestCreated(ticket_id=ticket_id)

    return idempotency.execute(
        key,
        f"POST /customers/{customer_id}/deletion-requests",
        body.dict(),
        produce,
        db_session=session,
        required=False,
    )


@router.post("/password-resets", response_model=PasswordResetAccepted, status_code=202)
def request_password_reset(
    body: PasswordResetCreate,
    request: Request,
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> PasswordResetAccepted:
    """Email a reset link to the verified customer's address on file."""
    if body.email is not None:
        customer = service.get_by_email(body.email, db_session=session)
    else:
        customer = session.get(Customer, body.customer_id)
    # Only a customer who proved who they are gets here, so this refusal reveals nothing to anyone else.
    require_verified(token, customer.id if customer else 0, db_session=session)
    service.request_password_reset(
        customer.email, store_url=request.app.state.settings.store_url, db_session=session
    )
    session.commit()
    return PasswordResetAccepted()
