"""HTTP routes for orders."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend import flows
from backend.customers import service as customers
from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import views as idempotency
from backend.idempotency.views import Produced
from backend.identity.service import verified_customer_id
from backend.orders import service
from backend.orders.lookups import LookupBudget
from backend.orders.models import OrderOwnerCheck, OrderRead
from backend.pagination import Page, PageParams, page_params, paginate
from backend.security import ORDER_LOOKUP, CustomerReader, customer_address, customer_reader, require_scope
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
    # The token first, and the email must be the verified customer's own: nobody learns who owns what.
    customer_id = verified_customer_id(token, db_session=session)
    customer = customers.get(customer_id, db_session=session) if customer_id else None
    if customer is None or customers.normalise_email(customer.email) != customers.normalise_email(body.email):
        raise ApiError(403, "verification_required", "This operation needs a fresh identity verification.")
    budget.guard(body.email, address, lambda: service.get_for_email(order_id, body.email, db_session=session))
    session.rollback()  # the key insert must open the next transaction

    def produce() -> Produced:
        fresh = service.get_for_email(order_id, body.email, db_session=session)
        return 200, OrderRead.from_row(flows.cancel_order(fresh, db_session=session))

    return idempotency.execute(
        key, f"POST /orders/{order_id}/cancel", body.dict(), produce, db_session=session
    )
