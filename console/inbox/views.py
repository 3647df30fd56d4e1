"""The learning-loop inbox over HTTP, for trainers only (every route checks the role, never the page)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Dict, Optional

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.api import id_path
from common.errors import conflict, not_found, unprocessable
from common.paths import REPO_ROOT
from common.settings import learning_settings
from console.agents.models import TRAINER, Agent
from console.dependencies import db_session, require_role
from console.inbox import agreement, export, labels, service, sources
from console.inbox.models import SOURCES, InboxItem, LabelIn

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/inbox", tags=["inbox"])
trainer = require_role(TRAINER)
GROUP = id_path("inbox group id")
ITEM = id_path("inbox item id")


def tracker(request: Request) -> Optional[Engine]:
    """The tracker store's engine, made on first use (a local SQLite file exists only once Rasa has run)."""
    engine: Optional[Engine] = getattr(request.app.state, "inbox_tracker", None)
    if engine is None:
        engine = sources.open_tracker(learning_settings().tracker_store_url)
        request.app.state.inbox_tracker = engine
    return engine


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() + "Z" if moment else None


def _sync(request: Request, session: Session, *, only_if_stale: bool) -> None:
    try:
        if only_if_stale:
            service.sync_if_stale(db_session=session, tracker_engine=tracker(request))
        else:
            service.sync(db_session=session, tracker_engine=tracker(request))
        session.commit()
    except IntegrityError:
        # Another request synced the same events at the same moment: theirs stands.
        session.rollback()
        logger.info("inbox sync raced another; keeping the other's result")


@router.post("/sync")
def sync(request: Request, _agent: Agent = Depends(trainer), session: Session = Depends(db_session)) -> dict:
    _sync(request, session, only_if_stale=False)
    return {"synced_at": _iso(service.last_synced(db_session=session))}


@router.get("/groups")
def list_groups(
    request: Request,
    source: Optional[str] = Query(None, max_length=50),
    _agent: Agent = Depends(trainer),
    session: Session = Depends(db_session),
) -> dict:
    if source is not None and source not in SOURCES:
        raise unprocessable(
            "unknown_source", "Filter by one of the inbox's sources.", {"sources": list(SOURCES)}
        )
    _sync(request, session, only_if_stale=True)
    return {
        "groups": service.groups(db_session=session, source=source),
        "synced_at": _iso(service.last_synced(db_session=session)),
    }


@router.get("/groups/{group_id}")
def group_detail(
    group_id: int = GROUP, _agent: Agent = Depends(trainer), session: Session = Depends(db_session)
) -> dict:
    found = service.group(group_id, db_session=session)
    if found is None:
        raise not_found("inbox_group_not_found", "There is no such inbox group.")
    return found


def _write_labels(
    request: Request, items: list, body: LabelIn, agent: Agent, session: Session, shown: str
) -> Dict[str, Any]:
    try:
        written = labels.label_items(
            items,
            body,
            trainer=agent.username,
            domain_path=request.app.state.settings.domain_path,
            db_session=session,
            shown_text=shown,
        )
        session.commit()
    except IntegrityError:
        # The same trainer labelled the same item from another tab at the same moment.
        session.rollback()
        raise conflict("label_conflict", "This label was just written from elsewhere; reload and try again.")
    return {"labels": [labels.label_read(label) for label in written]}


@router.post("/groups/{group_id}/labels")
def label_group(
    body: LabelIn,
    request: Request,
    group_id: int = GROUP,
    agent: Agent = Depends(trainer),
    session: Session = Depends(db_session),
) -> dict:
    found = service.group(group_id, db_session=session)
    if found is None:
        raise not_found("inbox_group_not_found", "There is no such inbox group.")
    items = service.group_items(group_id, db_session=session)
    return _write_labels(request, items, body, agent, session, found["text"])


@router.post("/items/{item_id}/labels")
def label_item(
    body: LabelIn,
    request: Request,
    item_id: int = ITEM,
    agent: Agent = Depends(trainer),
    session: Session = Depends(db_session),
) -> dict:
    item = session.get(InboxItem, item_id)
    if item is None:
        raise not_found("inbox_item_not_found", "There is no such inbox item.")
    return _write_labels(request, [item], body, agent, session, item.text)


@router.get("/agreement")
def trainer_agreement(_agent: Agent = Depends(trainer), session: Session = Depends(db_session)) -> dict:
    return agreement.agreement(db_session=session)


@router.get("/export")
def export_preview(_agent: Agent = Depends(trainer), session: Session = Depends(db_session)) -> dict:
    """The change an export would make to the repository's NLU data, as a patch; nothing is written."""
    patch, result = export.export_patch(
        db_session=session, data_dir=REPO_ROOT / "data", heldout_dir=REPO_ROOT / "tests" / "nlu"
    )
    return {
        "patch": patch,
        "examples": result.examples,
        "heldout": result.heldout,
        "skipped_duplicates": result.skipped_duplicates,
        "skipped_disagreements": result.skipped_disagreements,
    }


@router.get("/intents")
def intents(request: Request, _agent: Agent = Depends(trainer)) -> dict:
    return {"intents": sorted(labels.domain(request.app.state.settings.domain_path).intents)}
