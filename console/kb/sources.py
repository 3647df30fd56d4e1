"""Drafts in one click from what the team already wrote down: an agent's "flag as wrong" correction
(console/corrections) or a trainer's "needs an answer" question (the inbox's kb_drafts). Either starts a new
article (its id proposed from the title) or a new draft version of an article the person picks.

Both sources hold redacted text only; the draft links back to them (KbVersion.source).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Collection, Dict, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.database import utcnow
from common.errors import ApiError, conflict
from console.corrections import service as corrections
from console.corrections.models import Correction
from console.inbox.models import KbDraft
from console.kb import content, service
from console.kb.models import ArticleIn, KbArticle, KbVersion

CORRECTION = "correction"
KB_DRAFT = "kb_draft"
LISTED = 50
REVIEW_AFTER = timedelta(days=180)  # a new article's first review date


def _drafted(kind: str, *, db_session: Session) -> Dict[int, str]:
    """Which sources of this kind already became a draft, and of which article."""
    rows = db_session.execute(
        select(KbVersion.source, KbVersion.article_id).where(
            KbVersion.source.startswith(f"{kind}:", autoescape=True)
        )
    )
    return {int(source.split(":", 1)[1]): article_id for source, article_id in rows}


def pending(*, db_session: Session) -> Dict[str, Any]:
    drafted_corrections = _drafted(CORRECTION, db_session=db_session)
    drafted_questions = _drafted(KB_DRAFT, db_session=db_session)
    questions = db_session.scalars(
        select(KbDraft).where(KbDraft.status == "draft").order_by(KbDraft.id.desc()).limit(LISTED)
    )
    return {
        "corrections": [
            {
                "id": row.id,
                "ticket_id": row.ticket_id,
                "customer_text": row.customer_text,
                "bot_text": row.bot_text,
                "correction": row.correction,
                "agent": row.agent,
                "created_at": row.created_at,
                "drafted_as": drafted_corrections.get(row.id),
            }
            for row in corrections.newest(limit=LISTED, db_session=db_session)
        ],
        "questions": [
            {
                "id": row.id,
                "question": row.question,
                "created_by": row.created_by,
                "created_at": row.created_at,
                "drafted_as": drafted_questions.get(row.id),
            }
            for row in questions
        ],
    }


def origin_of(source: Optional[str], *, db_session: Session) -> Optional[Dict[str, Any]]:
    """What a draft came from, for the editor to show beside it (None once the source is no longer kept)."""
    if not source or ":" not in source:
        return None
    kind, _, number = source.partition(":")
    if kind == CORRECTION:
        correction = db_session.get(Correction, int(number))
        if correction is None:
            return {"kind": kind, "id": int(number), "kept": False}
        return {
            "kind": kind,
            "id": correction.id,
            "kept": True,
            "ticket_id": correction.ticket_id,
            "customer_text": correction.customer_text,
            "bot_text": correction.bot_text,
            "correction": correction.correction,
            "agent": correction.agent,
        }
    question = db_session.get(KbDraft, int(number))
    if question is None:
        return {"kind": kind, "id": int(number), "kept": False}
    return {
        "kind": kind,
        "id": question.id,
        "kept": True,
        "question": question.question,
        "by": question.created_by,
    }


def _title(text: Optional[str], fallback: str) -> str:
    words = " ".join((text or "").split())
    if not words:
        return fallback
    if len(words) <= content.TITLE_MAX:
        return words[:1].upper() + words[1:]
    cut = words[: content.TITLE_MAX - 1].rsplit(" ", 1)[0]
    return cut[:1].upper() + cut[1:] + "…"


def draft_from(
    kind: str,
    source_id: int,
    *,
    article_id: Optional[str],
    actor: str,
    roles: Collection[str],
    db_session: Session,
) -> KbArticle:
    already = _drafted(kind, db_session=db_session).get(source_id)
    if already:
        raise conflict(
            "already_drafted",
            f"This {kind.replace('_', ' ')} is already a draft of {already!r}.",
            {"article_id": already},
        )
    if kind == CORRECTION:
        correction = db_session.get(Correction, source_id)
        if correction is None:
            raise ApiError(404, "correction_not_found", f"No correction #{source_id}.")
        title = _title(correction.customer_text, f"Answer flagged on ticket #{correction.ticket_id}")
        answer: Optional[str] = correction.correction
        note = f"from correction #{source_id} (ticket #{correction.ticket_id})"
    else:
        question = db_session.get(KbDraft, source_id)
        if question is None:
            raise ApiError(404, "question_not_found", f'No "needs an answer" item #{source_id}.')
        title, answer = _title(question.question, "A question customers ask"), None
        note = f'from "needs an answer" #{source_id}'
    source = f"{kind}:{source_id}"
    if article_id:
        return _new_version(
            article_id, answer, actor=actor, roles=roles, note=note, source=source, db_session=db_session
        )
    new_id = content.propose_id(title, taken=lambda name: service.exists(name, db_session=db_session))
    body = ArticleIn(
        id=new_id,
        title=title,
        tags=[],
        owner=actor,
        review_by=utcnow().date() + REVIEW_AFTER,
        url=f"/help/{new_id}",
        body=answer or content.ANSWER_PLACEHOLDER,
    )
    return service.create(body, actor=actor, roles=roles, note=note, source=source, db_session=db_session)


def _new_version(
    article_id: str,
    answer: Optional[str],
    *,
    actor: str,
    roles: Collection[str],
    note: str,
    source: str,
    db_session: Session,
) -> KbArticle:
    """A draft of an existing article: the correction becomes the proposed answer, above the old text (to
    merge or delete); a question leaves the text as it is and is shown beside the draft."""
    article = service.by_id(article_id, db_session=db_session)
    fields = service.parsed(service.head(article, db_session=db_session))
    body = f"{answer}\n\n{fields.body}" if answer else fields.body
    edit = ArticleIn(
        expected_version=article.head_version,
        title=fields.title,
        tags=list(fields.tags),
        owner=fields.owner or actor,
        review_by=fields.review_by or utcnow().date() + REVIEW_AFTER,
        url=fields.url,
        topic=fields.topic,
        questions=list(fields.questions),
        body=body,
    )
    return service.save(
        article_id, edit, actor=actor, roles=roles, note=note, source=source, db_session=db_session
    )
