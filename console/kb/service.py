"""The knowledge-base editor's rules: drafts saved as versions, review by a second person, publishing to the
bot's directory, retirement, revert and diff. Every step (and every refusal of a publish or retirement) goes
to the console's audit log in the same transaction.

Plain functions with a keyword-only `db_session`; they flush, the caller commits (backend/app.py's rule).
"""

from __future__ import annotations

import difflib
import json
from typing import Any, Collection, Dict, List, Optional, Set

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.database import utcnow
from common.errors import ApiError, conflict
from console.audit import service as audit
from console.audit.models import AuditEvent
from console.kb import content, rules
from console.kb.models import (
    CREATED,
    DRAFT,
    EDITED,
    IN_REVIEW,
    REVERTED,
    ArticleIn,
    KbArticle,
    KbVersion,
)
from knowledge.articles import Article

AUDIT_PREFIX = "kb_"


def audit_step(actor: str, action: str, article: KbArticle, *, db_session: Session, **details: Any) -> None:
    details = {"article": article.id, "version": article.head_version, "state": article.state, **details}
    audit.record(
        actor,
        AUDIT_PREFIX + action,
        details=json.dumps(details, sort_keys=True, default=str),
        db_session=db_session,
    )


def by_id(article_id: str, *, db_session: Session) -> KbArticle:
    article = db_session.get(KbArticle, article_id) if len(article_id) <= 100 else None
    if article is None:
        raise ApiError(404, "article_not_found", f"No knowledge-base article {article_id!r}.")
    return article


def exists(article_id: str, *, db_session: Session) -> bool:
    return db_session.get(KbArticle, article_id) is not None


def listing(*, state: Optional[str] = None, db_session: Session) -> List[KbArticle]:
    query = select(KbArticle).order_by(KbArticle.review_by, KbArticle.id)
    if state:
        query = query.where(KbArticle.state == state)
    return list(db_session.scalars(query))


def versions(article: KbArticle, *, db_session: Session) -> List[KbVersion]:
    query = select(KbVersion).where(KbVersion.article_id == article.id).order_by(KbVersion.number.desc())
    return list(db_session.scalars(query))


def version(article: KbArticle, number: int, *, db_session: Session) -> KbVersion:
    row = db_session.scalars(
        select(KbVersion).where(KbVersion.article_id == article.id, KbVersion.number == number)
    ).first()
    if row is None:
        raise ApiError(404, "version_not_found", f"Article {article.id!r} has no version {number}.")
    return row


def head(article: KbArticle, *, db_session: Session) -> KbVersion:
    return version(article, article.head_version, db_session=db_session)


def parsed(row: KbVersion) -> Article:
    return content.parse(row.text, source=f"{row.article_id} version {row.number}")


def makers(article: KbArticle, *, db_session: Session) -> Set[str]:
    """Who wrote, edited, reverted or submitted the change under way: none of them may publish it."""
    query = select(KbVersion.saved_by).where(
        KbVersion.article_id == article.id, KbVersion.number > article.released_version
    )
    found = set(db_session.scalars(query))
    return found | {article.submitted_by} if article.submitted_by else found


def sensitive(article: KbArticle, *, db_session: Session) -> bool:
    """Tagged billing, refund or legal, on the head or on the version the bot answers from now."""
    tag_lists = [article.tag_list()]
    if article.live_version and article.live_version != article.head_version:
        tag_lists.append(list(parsed(version(article, article.live_version, db_session=db_session)).tags))
    return rules.is_sensitive(*tag_lists)


def allowed(
    article: KbArticle, *, username: str, roles: Collection[str], db_session: Session
) -> Dict[str, bool]:
    return rules.allowed_steps(
        state=article.state,
        live_version=article.live_version,
        username=username,
        roles=roles,
        makers=makers(article, db_session=db_session),
        sensitive=sensitive(article, db_session=db_session),
    )


def _require_editor(roles: Collection[str]) -> None:
    if not rules.may_edit(roles):
        raise ApiError(403, "role_required", "Writing drafts needs the trainer or editor role.")


def expect(article: KbArticle, expected: Optional[int]) -> None:
    """Optimistic locking: a change applies only to the version the person was looking at."""
    if expected is None:
        raise content.invalid(
            "expected_version_required",
            "Say which version you started from (expected_version).",
            "expected_version",
        )
    if expected != article.head_version:
        raise conflict(
            "version_conflict",
            f"Article {article.id!r} changed meanwhile: it is at version {article.head_version}, you started "
            f"from {expected}. Reload it and apply your change again.",
            {"current_version": article.head_version, "expected_version": expected},
        )


def at_version(
    article_id: str, expected_version: Optional[int], *, db_session: Session, state: Optional[str] = None
) -> KbArticle:
    """The article, if it is still at the version the person was looking at (and in `state`, if named)."""
    article = by_id(article_id, db_session=db_session)
    if state is not None and article.state != state:
        raise conflict(
            f"not_{state}", f"Article {article.id!r} is {article.state}: this step needs it {state}."
        )
    expect(article, expected_version)
    return article


def add_version(
    article: KbArticle,
    article_text: str,
    fields: Article,
    *,
    kind: str,
    actor: str,
    db_session: Session,
    note: Optional[str] = None,
    source: Optional[str] = None,
) -> KbVersion:
    row = KbVersion(
        article_id=article.id,
        number=fields.version,
        text=article_text,
        kind=kind,
        saved_by=actor,
        saved_at=utcnow(),
        note=note[:500] if note else None,
        source=source,
    )
    article.head_version = fields.version
    article.title = fields.title[:200]
    article.tags = ",".join(fields.tags)[:500]
    article.owner = fields.owner[:100]
    article.review_by = fields.review_by
    article.updated_by = actor
    article.updated_at = row.saved_at
    db_session.add(row)
    try:
        db_session.flush()
    except IntegrityError:
        # Someone saved the same version number a moment earlier (the expected-version check raced).
        db_session.rollback()
        raise conflict(
            "version_conflict", f"Article {article.id!r} was changed at the same moment: reload it."
        )
    return row


def create(
    body: ArticleIn,
    *,
    actor: str,
    roles: Collection[str],
    db_session: Session,
    note: Optional[str] = None,
    source: Optional[str] = None,
) -> KbArticle:
    """A new article's first draft; its id is proposed from the title when none is given."""
    _require_editor(roles)
    article_id = (body.id or "").strip()
    if not article_id and body.text is None:
        article_id = content.propose_id(
            body.title or "", taken=lambda name: exists(name, db_session=db_session)
        )
    if body.text is not None and not article_id:
        article_id = content.parse(body.text, source="the text you sent").id
    if exists(article_id, db_session=db_session):
        raise conflict("article_exists", f"An article {article_id!r} exists already: edit it instead.")
    fields, article_text = content.build(body, article_id=article_id, number=1, status=DRAFT)
    article = KbArticle(
        id=article_id,
        state=DRAFT,
        head_version=0,
        released_version=0,
        title=fields.title,
        owner=fields.owner,
        review_by=fields.review_by,
        created_by=actor,
        updated_by=actor,
    )
    db_session.add(article)
    add_version(
        article,
        article_text,
        fields,
        kind=CREATED,
        actor=actor,
        note=note,
        source=source,
        db_session=db_session,
    )
    audit_step(actor, "created", article, db_session=db_session, source=source)
    return article


def save(
    article_id: str,
    body: ArticleIn,
    *,
    actor: str,
    roles: Collection[str],
    db_session: Session,
    note: Optional[str] = None,
    source: Optional[str] = None,
) -> KbArticle:
    """A new draft version; saving a submitted article takes it back to draft. An unchanged text (without
    a source to record) saves nothing."""
    _require_editor(roles)
    article = at_version(article_id, body.expected_version, db_session=db_session)
    number = article.head_version + 1
    fields, article_text = content.build(body, article_id=article.id, number=number, status=DRAFT)
    current = head(article, db_session=db_session)
    _, unchanged = content.restated(current.text, number=number, status=DRAFT, source=article.id)
    if article_text == unchanged and source is None and article.state == DRAFT:
        return article
    add_version(
        article,
        article_text,
        fields,
        kind=EDITED,
        actor=actor,
        note=note,
        source=source,
        db_session=db_session,
    )
    article.state, article.submitted_by, article.submitted_at = DRAFT, None, None
    audit_step(actor, "edited", article, db_session=db_session, source=source)
    return article


def submit(
    article_id: str,
    *,
    expected_version: int,
    actor: str,
    roles: Collection[str],
    note: str,
    db_session: Session,
) -> KbArticle:
    _require_editor(roles)
    article = at_version(article_id, expected_version, state=DRAFT, db_session=db_session)
    content.check_answer_written(parsed(head(article, db_session=db_session)))
    article.state, article.submitted_by, article.submitted_at = IN_REVIEW, actor, utcnow()
    db_session.flush()
    audit_step(actor, "submitted", article, db_session=db_session, note=note)
    return article


def revert(
    article_id: str,
    *,
    to_version: int,
    expected_version: int,
    actor: str,
    roles: Collection[str],
    db_session: Session,
) -> KbArticle:
    """One step back: a new draft with an earlier version's text (published again only after review)."""
    _require_editor(roles)
    article = at_version(article_id, expected_version, db_session=db_session)
    earlier = version(article, to_version, db_session=db_session)
    fields, article_text = content.restated(
        earlier.text, number=article.head_version + 1, status=DRAFT, source=article.id
    )
    add_version(
        article,
        article_text,
        fields,
        kind=REVERTED,
        actor=actor,
        note=f"the text of version {to_version}",
        db_session=db_session,
    )
    article.state, article.submitted_by, article.submitted_at = DRAFT, None, None
    audit_step(actor, "reverted", article, db_session=db_session, to_text_of=to_version)
    return article


def diff(article: KbArticle, older: int, newer: int, *, db_session: Session) -> List[Dict[str, str]]:
    """A unified diff of two versions' texts, line by line: hunk, context, removed or added."""
    before = version(article, older, db_session=db_session).text.splitlines()
    after = version(article, newer, db_session=db_session).text.splitlines()
    kinds = {"@": "hunk", "+": "added", "-": "removed", " ": "context"}
    lines = list(difflib.unified_diff(before, after, lineterm="", n=3))[2:]  # without the file headers
    return [
        {"kind": kinds.get(line[:1], "context"), "text": line[1:] if line[:1] in "+- " else line}
        for line in lines
    ]


def history(*, article_id: Optional[str] = None, limit: int = 200, db_session: Session) -> List[AuditEvent]:
    """The editor's part of the audit log, newest first (one article's, if named)."""
    query = select(AuditEvent).where(AuditEvent.action.startswith(AUDIT_PREFIX, autoescape=True))
    if article_id:
        query = query.where(
            AuditEvent.details.contains(f'"article": {json.dumps(article_id)}', autoescape=True)
        )
    return list(db_session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
