"""Registry routes: the models and their gate reports (trainers, approvers, admins), approval, promotion and
rollback (approvers), training jobs (trainers), and the model server Rasa pulls from (its own token)."""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any, Dict, Optional

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from clients.http import ServiceRefused, ServiceUnavailable
from common.errors import ApiError
from console.agents.models import ADMIN, APPROVER, TRAINER, Agent
from console.dependencies import db_session, require_role
from console.registry import service
from console.registry.models import DecisionIn, ModelDetail, ModelRead
from console.training import service as training
from console.training.models import JobRead

router = APIRouter(tags=["registry"])
READERS = (TRAINER, APPROVER, ADMIN)


def _served(request: Request) -> Optional[Dict[str, Any]]:
    """What Rasa says it serves now (None when Rasa can't be asked)."""
    try:
        status = request.app.state.rasa.status(read_timeout=3)
    except (ServiceRefused, ServiceUnavailable):
        return None
    return {"model_id": status.get("model_id"), "model_file": status.get("model_file")}


@router.get("/api/registry/models")
def models(
    request: Request, _reader: Agent = Depends(require_role(*READERS)), session: Session = Depends(db_session)
) -> dict:
    return {
        "items": [ModelRead.from_row(row) for row in service.listing(db_session=session)],
        "served": _served(request),
    }


@router.get("/api/registry/models/{version}", response_model=ModelDetail)
def model(
    version: str, _reader: Agent = Depends(require_role(*READERS)), session: Session = Depends(db_session)
) -> ModelDetail:
    return ModelDetail.from_row(service.by_version(version, db_session=session))


@router.post("/api/registry/models/{version}/approve", response_model=ModelRead)
def approve(
    version: str,
    body: DecisionIn,
    approver: Agent = Depends(require_role(APPROVER)),
    session: Session = Depends(db_session),
) -> ModelRead:
    model = service.by_version(version, db_session=session)
    try:
        service.approve(model, approver=approver.username, reason=body.reason, db_session=session)
    except ApiError:
        session.commit()  # the refusal itself is audited
        raise
    session.commit()
    return ModelRead.from_row(model)


@router.post("/api/registry/models/{version}/promote", response_model=ModelRead)
def promote(
    version: str,
    body: DecisionIn,
    approver: Agent = Depends(require_role(APPROVER)),
    session: Session = Depends(db_session),
) -> ModelRead:
    model = service.by_version(version, db_session=session)
    service.promote(model, actor=approver.username, reason=body.reason, db_session=session)
    session.commit()
    return ModelRead.from_row(model)


@router.post("/api/registry/rollback", response_model=ModelRead)
def rollback(
    body: DecisionIn,
    actor: Agent = Depends(require_role(APPROVER, ADMIN)),
    session: Session = Depends(db_session),
) -> ModelRead:
    if not body.reason.strip():
        raise ApiError(422, "reason_required", "Say why you roll back: it goes to the audit log.")
    model = service.rollback(actor=actor.username, reason=body.reason.strip(), db_session=session)
    session.commit()
    return ModelRead.from_row(model)


@router.get("/api/registry/audit")
def audit_log(
    _reader: Agent = Depends(require_role(*READERS)), session: Session = Depends(db_session)
) -> dict:
    return {
        "items": [
            {
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                **json.loads(event.details or "{}"),
            }
            for event in service.history(db_session=session)
        ]
    }


@router.get("/api/registry/training")
def training_status(
    _reader: Agent = Depends(require_role(*READERS)), session: Session = Depends(db_session)
) -> dict:
    training.reap(db_session=session)
    session.commit()
    job = training.latest(db_session=session)
    return {"job": JobRead.from_orm(job) if job else None}


@router.post("/api/registry/training", status_code=202)
def start_training(
    request: Request, trainer: Agent = Depends(require_role(TRAINER)), session: Session = Depends(db_session)
) -> dict:
    job = training.create(trainer.username, db_session=session)
    session.commit()
    job.pid = training.launch(job, log_dir=request.app.state.learning.registry_dir / "logs")
    session.commit()
    return {"job": JobRead.from_orm(job)}


@router.get("/models/production", include_in_schema=False)
def production_archive(
    request: Request,
    token: str = Query(""),
    if_none_match: Optional[str] = Header(None),
    session: Session = Depends(db_session),
) -> Response:
    """Rasa's model server protocol: the ETag is the archive's sha256; 304 while it has not changed."""
    expected = request.app.state.learning.model_server_token
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(401, "bad_model_server_token", "The model server needs its token.")
    model = service.production(db_session=session)
    if model is None:
        raise ApiError(404, "no_production_model", "No model is in production yet.")
    if if_none_match and if_none_match.strip('"') == model.sha256:
        return Response(status_code=304, headers={"ETag": model.sha256})
    return FileResponse(
        Path(model.archive_path),
        media_type="application/gzip",
        filename=f"{model.version}.tar.gz",
        headers={"ETag": model.sha256, "Cache-Control": "no-store"},
    )
