"""Knowledge-base editor routes: articles with their state and review dates, one article with its draft and
what this person may do with it, versions and diffs, and each step (save, submit, publish, send back,
retire, revert). Trainers, editors, approvers and admins read; console/kb/rules.py says who does what.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable, Dict, Optional

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from common.api import id_path
from common.database import utcnow
from common.errors import ApiError, unprocessable
from console.agents.models import Agent
from console.dependencies import db_session, require_role
from console.kb import content, review, rules, service, sources
from console.kb.models import STATES, ArticleIn, DraftFromIn, KbArticle, RevertIn, StepIn, VersionRead

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])
reader = require_role(*rules.READ_ROLES)
VERSION = id_path("version number")


def _summary(article: KbArticle, *, today: date) -> Dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "state": article.state,
        "tags": article.tag_list(),
        "owner": article.owner,
        "review_by": article.review_by,
        "overdue": article.review_by is not None and article.review_by < today,
        "head_version": article.head_version,
        "live_version": article.live_version,
        "submitted_by": article.submitted_by,
        "updated_by": article.updated_by,
        "updated_at": article.updated_at,
        "sensitive": rules.is_sensitive(article.tag_list()),
    }


def _detail(article: KbArticle, agent: Agent, session: Session) -> Dict[str, Any]:
    head = service.head(article, db_session=session)
    fields = content.fields_of(service.parsed(head))
    return {
        **_summary(article, today=utcnow().date()),
        "sensitive": service.sensitive(article, db_session=session),
        "fields": fields,
        "text": head.text,
        "makers": sorted(service.makers(article, db_session=session)),
        "allowed": service.allowed(
            article, username=agent.username, roles=agent.role_set(), db_session=session
        ),
        "origin": sources.origin_of(head.source, db_session=session),
    }


def _step(article: KbArticle, agent: Agent, session: Session) -> Dict[str, Any]:
    session.commit()
    return _detail(article, agent, session)


@router.get("/articles")
def articles(
    state: Optional[str] = Query(None, max_length=20),
    _agent: Agent = Depends(reader),
    session: Session = Depends(db_session),
) -> dict:
    if state is not None and state not in STATES:
        raise unprocessable("unknown_state", "Filter by one of the states.", {"states": list(STATES)})
    today = utcnow().date()
    return {"items": [_summary(row, today=today) for row in service.listing(state=state, db_session=session)]}


@router.post("/articles", status_code=201)
def create(body: ArticleIn, agent: Agent = Depends(reader), session: Session = Depends(db_session)) -> dict:
    article = service.create(body, actor=agent.username, roles=agent.role_set(), db_session=session)
    return _step(article, agent, session)


@router.get("/articles/{article_id}")
def article(article_id: str, agent: Agent = Depends(reader), session: Session = Depends(db_session)) -> dict:
    return _detail(service.by_id(article_id, db_session=session), agent, session)


@router.put("/articles/{article_id}")
def save(
    article_id: str, body: ArticleIn, agent: Agent = Depends(reader), session: Session = Depends(db_session)
) -> dict:
    article = service.save(article_id, body, actor=agent.username, roles=agent.role_set(), db_session=session)
    return _step(article, agent, session)


def _take(
    step: Callable[..., KbArticle],
    article_id: str,
    body: StepIn,
    agent: Agent,
    session: Session,
    **extra: Any,
) -> Dict[str, Any]:
    """One step on the version the person looked at; a refusal (403) is committed, as it is audited."""
    try:
        article = step(
            article_id,
            expected_version=body.expected_version,
            actor=agent.username,
            roles=agent.role_set(),
            note=body.note,
            db_session=session,
            **extra,
        )
    except ApiError as error:
        if error.status_code == 403:
            session.commit()  # raised before anything changed: only the refusal's audit row is written
        raise
    return _step(article, agent, session)


@router.post("/articles/{article_id}/submit")
def submit(
    article_id: str, body: StepIn, agent: Agent = Depends(reader), session: Session = Depends(db_session)
) -> dict:
    return _take(service.submit, article_id, body, agent, session)


@router.post("/articles/{article_id}/publish")
def publish(
    article_id: str,
    body: StepIn,
    request: Request,
    agent: Agent = Depends(reader),
    session: Session = Depends(db_session),
) -> dict:
    out = request.app.state.knowledge.published_dir
    return _take(review.publish, article_id, body, agent, session, published_dir=out)


@router.post("/articles/{article_id}/send-back")
def send_back(
    article_id: str, body: StepIn, agent: Agent = Depends(reader), session: Session = Depends(db_session)
) -> dict:
    return _take(review.send_back, article_id, body, agent, session)


@router.post("/articles/{article_id}/retire")
def retire(
    article_id: str,
    body: StepIn,
    request: Request,
    agent: Agent = Depends(reader),
    session: Session = Depends(db_session),
) -> dict:
    out = request.app.state.knowledge.published_dir
    return _take(review.retire, article_id, body, agent, session, published_dir=out)


@router.post("/articles/{article_id}/revert")
def revert(
    article_id: str, body: RevertIn, agent: Agent = Depends(reader), session: Session = Depends(db_session)
) -> dict:
    article = service.revert(
        article_id,
        to_version=body.version,
        expected_version=body.expected_version,
        actor=agent.username,
        roles=agent.role_set(),
        db_session=session,
    )
    return _step(article, agent, session)


@router.get("/articles/{article_id}/versions")
def versions(
    article_id: str, _agent: Agent = Depends(reader), session: Session = Depends(db_session)
) -> dict:
    article = service.by_id(article_id, db_session=session)
    rows = service.versions(article, db_session=session)
    return {"items": [VersionRead.from_orm(row).dict() for row in rows]}


@router.get("/articles/{article_id}/versions/{number}")
def version_text(
    article_id: str,
    number: int = VERSION,
    _agent: Agent = Depends(reader),
    session: Session = Depends(db_session),
) -> dict:
    row = service.version(service.by_id(article_id, db_session=session), number, db_session=session)
    return {**VersionRead.from_orm(row).dict(), "text": row.text}


@router.get("/articles/{article_id}/diff")
def diff(
    article_id: str,
    older: int = Query(..., alias="from", ge=1, le=2_147_483_647),
    newer: int = Query(..., alias="to", ge=1, le=2_147_483_647),
    _agent: Agent = Depends(reader),
    session: Session = Depends(db_session),
) -> dict:
    article = service.by_id(article_id, db_session=session)
    return {"from": older, "to": newer, "lines": service.diff(article, older, newer, db_session=session)}


@router.get("/audit")
def audit_log(
    article_id: Optional[str] = Query(None, alias="article", max_length=100),
    _agent: Agent = Depends(reader),
    session: Session = Depends(db_session),
) -> dict:
    events = service.history(article_id=article_id, db_session=session)
    return {
        "items": [
            {
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                **json.loads(event.details or "{}"),
            }
            for event in events
        ]
    }


@router.get("/sources")
def pending_sources(_agent: Agent = Depends(reader), session: Session = Depends(db_session)) -> dict:
    """Agents' corrections and trainers' "needs an answer" questions, each a draft in one click."""
    return sources.pending(db_session=session)


@router.post("/drafts", status_code=201)
def draft_from(
    body: DraftFromIn, agent: Agent = Depends(reader), session: Session = Depends(db_session)
) -> dict:
    article = sources.draft_from(
        body.source,
        body.source_id,
        article_id=(body.article_id or "").strip() or None,
        actor=agent.username,
        roles=agent.role_set(),
        db_session=session,
    )
    return _step(article, agent, session)
