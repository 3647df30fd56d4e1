"""HTTP routes for the rights of access and erasure: only with `privacy:manage` (the console's credential,
whose privacy users act with a second person's approval). Lookups travel in bodies, never in a URL."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.dependencies import db_session
from backend.privacy import service
from backend.privacy.models import (
    CustomerExport,
    CustomerFound,
    CustomerLookup,
    ErasureCreate,
    ErasureReceipt,
)
from backend.security import PRIVACY_MANAGE, require_scope
from common.api import id_path
from common.errors import ApiError

router = APIRouter(tags=["privacy"], dependencies=[Depends(require_scope(PRIVACY_MANAGE))])


@router.post("/privacy/customers/lookup", response_model=CustomerFound)
def lookup_customer(body: CustomerLookup, session: Session = Depends(db_session)) -> CustomerFound:
    """The customer a privacy request is about, by email or phone; 404 if no one (or not exactly one)."""
    customer_id = service.find_customer(email=body.email, phone=body.phone, db_session=session)
    return CustomerFound(customer_id=customer_id)


@router.get("/privacy/customers/{customer_id}/export", response_model=CustomerExport)
def export_customer(
    *, customer_id: int = id_path("customer id"), session: Session = Depends(db_session)
) -> CustomerExport:
    """Everything the backend stores about the customer, as one JSON document (keys: service.export)."""
    return service.export(customer_id, db_session=session)


@router.post("/privacy/customers/{customer_id}/erasure", response_model=ErasureReceipt)
def erase_customer(
    *, customer_id: int = id_path("customer id"), body: ErasureCreate, session: Session = Depends(db_session)
) -> ErasureReceipt:
    """Erase or anonymise the customer in every table and answer with the receipt; repeating the same
    request id answers with the same receipt and changes nothing."""
    try:
        receipt = service.erase(customer_id, body.request_id, db_session=session)
        session.commit()
        return receipt
    except IntegrityError:
        # A concurrent request with this id, or for this customer, committed first: answer as a repeat.
        session.rollback()
    recorded = service.recorded_erasure(customer_id, body.request_id, db_session=session)
    if recorded is None:
        raise ApiError(409, "request_in_progress", "An erasure of this customer is under way; try again.")
    return recorded
