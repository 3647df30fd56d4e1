"""The second person's steps: publishing a submitted draft (to the bot's directory), sending it back, and
retiring an article. Each refusal of a publish or retirement goes to the audit log too (the route commits it).

Plain functions with a keyword-only `db_session`; they flush, the caller commits (backend/app.py's rule).
"""

from __future__ import annotations

from pathlib import Path
from typing import Collection, Optional

from sqlalchemy.orm import Session

from common.database import utcnow
from common.errors import ApiError, conflict
from console.kb import content, published, rules
from console.kb.models import DRAFT, IN_REVIEW, PUBLISHED, RETIRED, RETIREMENT, KbArticle, KbVersion
from console.kb.service import (
    add_version,
    at_version,
    audit_step,
    by_id,
    expect,
    head,
    makers,
    sensitive,
    version,
)


def _refuse(
    refusal: Optional[ApiError], actor: str, action: str, article: KbArticle, db_session: Session
) -> None:
    if refusal is not None:
        audit_step(actor, f"{action}_refused", article, db_session=db_session, reason=refusal.code)
        raise refusal


def _release(
    article: KbArticle, row: KbVersion, text: str, *, actor: str, published_dir: Path, db_session: Session
) -> None:
    """The version reaches the bot (published, or retired: `text` says which): recorded, then written."""
    status = content.parse(text, source=article.id).status
    row.released_as, row.released_by, row.released_at = status, actor, utcnow()
    article.state, article.released_version = status, row.number
    article.live_version = row.number if status == PUBLISHED else None
    article.submitted_by, article.submitted_at = None, None
    db_session.flush()
    published.write(published_dir, article.id, text)


def publish(
    article_id: str,
    *,
    expected_version: int,
    actor: str,
    roles: Collection[str],
    note: str,
    published_dir: Path,
    db_session: Session,
) -> KbArticle:
    """The submitted head becomes what the bot answers from: written to the published directory."""
    article = at_version(article_id, expected_version, state=IN_REVIEW, db_session=db_session)
    is_sensitive = sensitive(article, db_session=db_session)
    refusal = rules.review_refusal(roles, sensitive=is_sensitive) or rules.maker_checker_refusal(
        actor, makers(article, db_session=db_session)
    )
    _refuse(refusal, actor, "publish", article, db_session)
    row = head(article, db_session=db_session)
    _, released = content.restated(row.text, number=row.number, status=PUBLISHED, source=article.id)
    _release(article, row, released, actor=actor, published_dir=published_dir, db_session=db_session)
    audit_step(actor, "published", article, db_session=db_session, note=note, sensitive=is_sensitive)
    return article


def send_back(
    article_id: str,
    *,
    expected_version: int,
    actor: str,
    roles: Collection[str],
    note: str,
    db_session: Session,
) -> KbArticle:
    """A submitted draft goes back to draft: the reviewer asks for changes, or the writer withdraws it."""
    article = at_version(article_id, expected_version, state=IN_REVIEW, db_session=db_session)
    if not rules.may_edit(roles) and rules.review_refusal(
        roles, sensitive=sensitive(article, db_session=db_session)
    ):
        raise ApiError(
            403, "role_required", "Sending back needs the role to edit or to publish this article."
        )
    article.state, article.submitted_by, article.submitted_at = DRAFT, None, None
    db_session.flush()
    audit_step(actor, "sent_back", article, db_session=db_session, note=note)
    return article


def retire(
    article_id: str,
    *,
    expected_version: int,
    actor: str,
    roles: Collection[str],
    note: str,
    published_dir: Path,
    db_session: Session,
) -> KbArticle:
    """The bot stops answering from the article: a new version, the live text marked retired, is written to
    the published directory (its higher version hides the seed's copy). A draft under way is set aside."""
    article = by_id(article_id, db_session=db_session)
    if article.live_version is None:
        raise conflict(
            "not_published", f"Article {article.id!r} is not answered from: there is nothing to retire."
        )
    expect(article, expected_version)
    _refuse(
        rules.review_refusal(roles, sensitive=sensitive(article, db_session=db_session)),
        actor,
        "retire",
        article,
        db_session,
    )
    live = version(article, article.live_version, db_session=db_session)
    fields, retired_text = content.restated(
        live.text, number=article.head_version + 1, status=RETIRED, source=article.id
    )
    row = add_version(
        article, retired_text, fields, kind=RETIREMENT, actor=actor, note=note or None, db_session=db_session
    )
    _release(article, row, retired_text, actor=actor, published_dir=published_dir, db_session=db_session)
    audit_step(actor, "retired", article, db_session=db_session, note=note, retired_version=live.number)
    return article
