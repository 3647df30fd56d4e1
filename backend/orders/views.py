"""HTTP routes for orders."""

from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.dependencies import db_session, idempotency_key
from backend.idempotency import service as idempotency
from backend.ids import id_path
from backend.orders import service
from backend.orders.models import OrderOwnerCheck, OrderRead
from backend.pagination import Page, PageParams, page_params, paginate

router = APIRouter(tags=["orders"])

OrderStatus = Literal["placed", "shipped", "delivered", "cancelled"]


@router.get("/orders", response_model=Page[OrderRead])
def list_orders(
    customer_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    status: Optional[OrderStatus] = None,
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    page = paginate(service.list_statement(customer_id, status), params, db_session=session)
    page["items"] = [OrderRead.from_row(order) for order in page["items"]]
    return page


@router.get("/orders/{order_id}", response_model=OrderRead)
def get_order(*, order_id: int = id_path("order id"), session: Session = Depends(db_session)) -> OrderRead:
    return OrderRead.from_row(service.get(order_id, db_session=session))


@router.post("/orders/{order_id}/lookup", response_model=OrderRead)
def lookup_order(
    *, order_id: int = id_path("order id"), body: OrderOwnerCheck, session: Session = Depends(db_session)
) -> OrderRead:
    """The order, only when the email is its customer's (the same 404 otherwise, so nothing leaks)."""
    return OrderRead.from_row(service.get_for_email(order_id, body.email, db_session=session))


@router.post("/orders/{order_id}/cancel", response_model=OrderRead)
def cancel_order(
    *,
    order_id: int = id_path("order id"),
    body: OrderOwnerCheck,
    key: Optional[str] = Depends(idempotency_key),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Cancel before shipping (needs an Idempotency-Key)."""
    service.get_for_email(order_id, body.email, db_session=session)  # 404 before a key is claimed
    session.rollback()  # the key insert must open the next transaction

    def produce():
        return 200, OrderRead.from_row(service.cancel(order_id, body.email, db_session=session))

    return idempotency.execute(
        key, f"POST /orders/{order_id}/cancel", body.dict(), produce, db_session=session
    )
