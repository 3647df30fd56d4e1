"""HTTP routes for customers: reads need `customers:read` or the customer's own verification token."""

from __future__ import annotations

from typing import Callable, List, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.customers import channel_links, service
from backend.customers.models import (
    ChannelLink,
    ChannelLinkCreate,
    ChannelLinkRead,
    Customer,
    CustomerRead,
    CustomerSearch,
    CustomerUpdate,
    EmailChangeAccepted,
    EmailChangeConfirm,
    EmailChangeCreate,
    PasswordResetAccepted,
    PasswordResetCreate,
    TicketRequestCreate,
    TicketRequestCreated,
)
from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import views as idempotency
from backend.idempotency.views import Produced
from backend.identity.service import require_verified, verified_customer_id
from backend.pagination import Page, PageParams, page_params, paginate
from backend.security import CUSTOMER_SELF, STOREFRONT, CustomerReader, customer_reader, require_scope
from common.api import id_path
from common.errors import ApiError

router = APIRouter(tags=["customers"])
SELF = [Depends(require_scope(CUSTOMER_SELF))]


@router.get("/customers", response_model=Page[CustomerRead])
def list_customers(
    params: PageParams = Depends(page_params),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
    email_in_query: Optional[str] = Query(None, alias="email", include_in_schema=False),
) -> dict:
    """Customers; without `customers:read` only the verified customer themselves. By email: POST .../search."""
    if email_in_query is not None:
        # Refused rather than ignored: an old caller must not get everyone instead of one customer.
        raise ApiError(422, "email_in_query", "Look customers up by email with POST /v1/customers/search.")
    return _customers_page(None, params, reader, session)


@router.post("/customers/search", response_model=Page[CustomerRead])
def search_customers(
    body: CustomerSearch,
    params: PageParams = Depends(page_params),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> dict:
    """Customers by email (in the body, so no access log or proxy keeps it); the same reading rules."""
    return _customers_page(body.email, params, reader, session)


def _customers_page(
    email: Optional[str], params: PageParams, reader: CustomerReader, session: Session
) -> dict:
    customer_id = None
    if not reader.may_read_all:
        # The verification token names the customer; the email filter then has to be theirs too.
        customer_id = verified_customer_id(reader.verification_token, db_session=session)
        if customer_id is None:
            raise ApiError(
                403, "verification_required", "This operation needs a fresh identity verification."
            )
    return paginate(service.list_statement(email, customer_id), params, db_session=session)


@router.get("/customers/{customer_id}", response_model=CustomerRead)
def get_customer(
    *,
    customer_id: int = id_path("customer id"),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> Customer:
    reader.check(customer_id, db_session=session)
    return service.get(customer_id, db_session=session)


@router.get("/customers/{customer_id}/channel-links", response_model=List[ChannelLinkRead])
def list_channel_links(
    *,
    customer_id: int = id_path("customer id"),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> List[ChannelLink]:
    """The Slack and Telegram accounts the customer linked (agents see them beside the profile)."""
    reader.check(customer_id, db_session=session)
    service.get(customer_id, db_session=session)
    return channel_links.links_of(customer_id, db_session=session)


@router.put("/customers/{customer_id}/channel-links", response_model=ChannelLinkRead, dependencies=SELF)
def link_channel(
    *,
    customer_id: int = id_path("customer id"),
    body: ChannelLinkCreate,
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> ChannelLink:
    """Link the messaging account the customer verified through, at their request; needs their token."""
    require_verified(token, customer_id, db_session=session)
    linked = channel_links.link(customer_id, body.channel, body.identity, db_session=session)
    session.commit()
    return linked


@router.patch("/customers/{customer_id}", response_model=CustomerRead, dependencies=SELF)
def update_customer(
    *,
    customer_id: int = id_path("customer id"),
    body: CustomerUpdate,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Change the postal address; needs a verification token for this customer."""
    require_verified(token, customer_id, db_session=session)

    def produce() -> Produced:
        customer = service.update_address(customer_id, body.address, db_session=session)
        return 200, CustomerRead.from_orm(customer)

    return idempotency.execute(
        key, f"PATCH /customers/{customer_id}", body.dict(), produce, db_session=session, required=False
    )


@router.post(
    "/customers/{customer_id}/email-change",
    response_model=EmailChangeAccepted,
    status_code=202,
    dependencies=SELF,
)
def request_email_change(
    *,
    customer_id: int = id_path("customer id"),
    body: EmailChangeCreate,
    request: Request,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Send a confirmation link to the new address; the same answer whether or not it has an account."""
    require_verified(token, customer_id, db_session=session)

    def produce() -> Produced:
        sent_to = service.request_email_change(
            customer_id, body.new_email, store_url=request.app.state.settings.store_url, db_session=session
        )
        return 202, EmailChangeAccepted(sent_to=sent_to)

    return idempotency.execute(
        key,
        f"POST /customers/{customer_id}/email-change",
        body.dict(),
        produce,
        db_session=session,
        required=False,
    )


@router.post(
    "/email-changes/confirm", response_model=CustomerRead, dependencies=[Depends(require_scope(STOREFRONT))]
)
def confirm_email_change(body: EmailChangeConfirm, session: Session = Depends(db_session)) -> Customer:
    """The store's website, when the owner of the new address opens the link."""
    customer = service.confirm_email_change(body.token, db_session=session)
    session.commit()
    return customer


def _ticket_request(
    route: str,
    open_ticket: Callable[..., int],
    *,
    customer_id: int,
    body: TicketRequestCreate,
    key: Optional[str],
    token: Optional[str],
    session: Session,
) -> JSONResponse:
    """A privacy request that opens a ticket for the verified customer; a repeat with the same
    Idempotency-Key answers with the first ticket."""
    require_verified(token, customer_id, db_session=session)

    def produce() -> Produced:
        ticket_id = open_ticket(customer_id, conversation_id=body.conversation_id, db_session=session)
        return 201, TicketRequestCreated(ticket_id=ticket_id)

    return idempotency.execute(
        key,
        f"POST /customers/{customer_id}/{route}",
        body.dict(),
        produce,
        db_session=session,
        required=False,
    )


@router.post(
    "/customers/{customer_id}/deletion-requests",
    response_model=TicketRequestCreated,
    status_code=201,
    dependencies=SELF,
)
def request_deletion(
    *,
    customer_id: int = id_path("customer id"),
    body: TicketRequestCreate,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Open an account-deletion ticket; needs a verification token for this customer."""
    return _ticket_request(
        "deletion-requests",
        service.request_deletion,
        customer_id=customer_id,
        body=body,
        key=key,
        token=token,
        session=session,
    )


@router.post(
    "/customers/{customer_id}/data-copy-requests",
    response_model=TicketRequestCreated,
    status_code=201,
    dependencies=SELF,
)
def request_data_copy(
    *,
    customer_id: int = id_path("customer id"),
    body: TicketRequestCreate,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Open a ticket for a copy of the customer's data (the download link goes to the email on file);
    needs a verification token for this customer."""
    return _ticket_request(
        "data-copy-requests",
        service.request_data_copy,
        customer_id=customer_id,
        body=body,
        key=key,
        token=token,
        session=session,
    )


@router.post("/password-resets", response_model=PasswordResetAccepted, status_code=202, dependencies=SELF)
def request_password_reset(
    body: PasswordResetCreate,
    request: Request,
    token: Optional[str] = Depends(verification_token),
    session: Session = Depends(db_session),
) -> PasswordResetAccepted:
    """Email a reset link to the verified customer's address on file."""
    customer = (
        service.get_by_email(body.email, db_session=session)
        if body.email is not None
        else session.get(Customer, body.customer_id)
    )
    # Only a customer who proved who they are gets past this, so the refusal reveals nothing to anyone else.
    require_verified(token, customer.id if customer else 0, db_session=session)
    assert customer is not None
    service.request_password_reset(
        customer, store_url=request.app.state.settings.store_url, db_session=session
    )
    session.commit()
    return PasswordResetAccepted()
