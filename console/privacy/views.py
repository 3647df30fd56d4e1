"""Privacy routes (the `privacy` role only): ask for a customer's export or erasure, list requests, approve
(a second person) or reject, and download an approved export's bundle."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from common.errors import ApiError
from common.retention_settings import conversation_key_settings
from console.agents.models import PRIVACY, Agent
from console.dependencies import db_session, require_role
from console.privacy import service
from console.privacy.models import DecisionIn, RequestIn, RequestRead
from console.privacy.stores import stores_for

router = APIRouter(tags=["privacy"])


@router.get("/api/privacy/requests")
def requests_list(
    _user: Agent = Depends(require_role(PRIVACY)), session: Session = Depends(db_session)
) -> dict:
    return {"items": [RequestRead.from_row(row) for row in service.listing(db_session=session)]}


@router.post("/api/privacy/requests", response_model=RequestRead, status_code=201)
def ask(
    body: RequestIn,
    request: Request,
    user: Agent = Depends(require_role(PRIVACY)),
    session: Session = Depends(db_session),
) -> RequestRead:
    email = (body.email or "").strip() or None
    customer_id = request.app.state.backend.privacy.find_customer(
        email=email, phone=None if email else (body.phone or "").strip()
    )
    if customer_id is None:
        raise ApiError(404, "customer_not_found", "No customer has that email or phone.")
    created = service.create(body, customer_id, requested_by=user.username, db_session=session)
    session.commit()
    return RequestRead.from_row(created)


@router.post("/api/privacy/requests/{request_id}/approve", response_model=RequestRead)
def approve(
    request_id: int,
    request: Request,
    user: Agent = Depends(require_role(PRIVACY)),
    session: Session = Depends(db_session),
) -> RequestRead:
    done = service.approve(
        request_id,
        approver=user.username,
        stores_for=stores_for(request.app.state.backend),
        export_dir=conversation_key_settings().export_dir,
        db_session=session,
    )
    session.commit()
    return RequestRead.from_row(done)


@router.post("/api/privacy/requests/{request_id}/reject", response_model=RequestRead)
def reject(
    request_id: int,
    body: DecisionIn,
    user: Agent = Depends(require_role(PRIVACY)),
    session: Session = Depends(db_session),
) -> RequestRead:
    done = service.reject(request_id, decider=user.username, note=body.note, db_session=session)
    session.commit()
    return RequestRead.from_row(done)


@router.get("/api/privacy/requests/{request_id}/bundle")
def bundle(
    request_id: int, _user: Agent = Depends(require_role(PRIVACY)), session: Session = Depends(db_session)
) -> FileResponse:
    path = service.bundle_of(service.by_id(request_id, db_session=session))
    if path is None:
        raise ApiError(404, "no_bundle", f"Request #{request_id} has no export bundle.")
    return FileResponse(
        path, media_type="application/zip", filename=f"customer-data-request-{request_id}.zip"
    )
