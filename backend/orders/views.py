"""HTTP routes for orders."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend import flows
from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import views as idempotency
from backend.idempotency.views import Produced
from backend.identity.service import require_verified_email, verified_customer_id
from backend.orders import service
from backend.orders.lookups import LookupBudget
from backend.orders.models import (
    MissingParcelClaimCreate,
    MissingParcelClaimRead,
    OrderOwnerCheck,
    OrderRead,
)
from backend.orders.policy import POLICY_URL as CLAIM_POLICY_URL
from backend.pagination import Page, PageParams, page_params, paginate
from backend.security import (
    ORDER_LOOKUP,
    TICKETS_CREATE,
    CustomerReader,
    customer_address,
    customer_reader,
    require_scope,
)
from common.api import MAX_ID, id_path
from common.errors import ApiError
from common.vocabulary import OrderStatus

router = APIRouter(tags=["orders"])
LOOKUP = [Depends(require_scope(ORDER_LOOKUP))]


def lookup_budget(request: Request) -> LookupBudget:
    return request.app.state.lookup_budget


@router.get("/orders", response_model=Page[OrderRead])
def list_orders(
    customer_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    status: Optional[OrderStatus] = None,
    params: PageParams = Depends(page_params),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> dict:
    reader.check(customer_id, db_session=session)
    page = paginate(
        service.list_statement(customer_id, status.value if status else None), params, db_session=session
    )
    page["items"] = [OrderRead.from_row(order) for order in page["items"]]
    return page


@router.get("/orders/{order_id}", response_model=OrderRead)
def get_order(
    *,
    order_id: int = id_path("order id"),
    reader: CustomerReader = Depends(customer_reader),
    session: Session = Depends(db_session),
) -> OrderRead:
    order = service.get(order_id, db_session=session)
    if (
        not reader.may_read_all
        and verified_customer_id(reader.verification_token, db_session=session) != order.customer_id
    ):
        raise ApiError(404, "order_not_found", "No order with that number.")
    return OrderRead.from_row(order)


@router.post("/orders/{order_id}/lookup", response_model=OrderRead, dependencies=LOOKUP)
def lookup_order(
    *,
    order_id: int = id_path("order id"),
    body: OrderOwnerCheck,
    address: Optional[str] = Depends(customer_address),
    budget: LookupBudget = Depends(lookup_budget),
    session: Session = Depends(db_session),
) -> OrderRead:
    """The order, only when the email is its customer's (the same 404 otherwise, so nothing leaks)."""
    order = budget.guard(
        body.email, address, lambda: service.get_for_email(order_id, body.email, db_session=session)
    )
    return OrderRead.from_row(order)


@router.post("/orders/{order_id}/cancel", response_model=OrderRead, dependencies=LOOKUP)
def cancel_order(
    *,
    order_id: int = id_path("order id"),
    body: OrderOwnerCheck,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    address: Optional[str] = Depends(customer_address),
    budget: LookupBudget = Depends(lookup_budget),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Cancel before shipping: needs an Idempotency-Key and the order's customer's verification token."""
    require_verified_email(token, body.email, db_session=session)
    budget.guard(body.email, address, lambda: service.get_for_email(order_id, body.email, db_session=session))
    session.rollback()  # the key insert must open the next transaction

    def produce() -> Produced:
        fresh = service.get_for_email(order_id, body.email, db_session=session)
        return 200, OrderRead.from_row(flows.cancel_order(fresh, db_session=session))

    return idempotency.execute(
        key, f"POST /orders/{order_id}/cancel", body.dict(), produce, db_session=session
    )


@router.post(
    "/orders/{order_id}/missing-parcel-claims",
    response_model=MissingParcelClaimRead,
    status_code=201,
    dependencies=LOOKUP + [Depends(require_scope(TICKETS_CREATE))],
)
def claim_missing_parcel(
    *,
    order_id: int = id_path("order id"),
    body: MissingParcelClaimCreate,
    key: Optional[str] = Depends(idempotency_key),
    address: Optional[str] = Depends(customer_address),
    budget: LookupBudget = Depends(lookup_budget),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Report a parcel that never arrived: a claim ticket for the team, within the missing-parcel policy.

    The same ownership check and lookup budget as an order lookup; 409 with the policy reason when no claim
    can be opened (not shipped, still in transit, cancelled, reported too late).
    """
    budget.guard(body.email, address, lambda: service.get_for_email(order_id, body.email, db_session=session))
    session.rollback()  # the key insert must open the next transaction

    def produce() -> Produced:
        order = service.get_for_email(order_id, body.email, db_session=session)
        ticket, decision = flows.file_missing_parcel_claim(
            order,
            email=body.email,
            conversation_id=body.conversation_id,
            messages=body.messages,
            db_session=session,
        )
        return 201, MissingParcelClaimRead(
            ticket_id=ticket.id,
            order_id=order.id,
            reason=decision.code,
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            delivered_at=order.delivered_at,
            estimated_delivery=order.estimated_delivery,
            policy_url=CLAIM_POLICY_URL,
        )

    identity = {"order_id": order_id, "email": body.email.lower(), "conversation_id": body.conversation_id}
    return idempotency.execute(
        key, f"POST /orders/{order_id}/missing-parcel-claims", identity, produce, db_session=session
    )
