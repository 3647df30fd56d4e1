"""The published directory (KB_PUBLISHED_DIR) the bot's retriever re-reads: one `<id>.md` per article the
console published or retired, written atomically, and the import of what the bot answers from today into
the editor's history on its first start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import List

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common.database import utcnow
from common.errors import ApiError
from console.audit import service as audit
from console.kb import content
from console.kb.models import DRAFT, IMPORTED, PUBLISHED, RETIRED, KbArticle, KbVersion
from knowledge.articles import ArticleError, merge_sources, render_article

logger = logging.getLogger(__name__)
# Who saved an imported version (the seed in git, or a published copy the editor had not recorded).
IMPORT_ACTOR = "import"


def write(published_dir: Path, article_id: str, text: str) -> Path:
    """Replace `<id>.md` in one step: a reader sees the old file or the new one, never half of either."""
    target = published_dir / f"{article_id}.md"
    temporary = None
    try:
        published_dir.mkdir(parents=True, exist_ok=True)
        # The temporary name does not end in .md, so the retriever never reads it.
        handle, temporary = tempfile.mkstemp(prefix=f".{article_id}.", suffix=".tmp", dir=published_dir)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # the bot's action server may run as another user
        os.replace(temporary, target)
    except OSError as error:
        if temporary:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise ApiError(
            503,
            "kb_write_failed",
            f"The article could not be written for the bot ({error.strerror or error}).",
        ) from error
    return target


def import_library(*directories: Path, db_session: Session) -> List[str]:
    """Every article the bot reads (the git seed, then the published directory), as a published version of
    its own, for ids the editor has no history of. A newer version of an article nobody has changed in the
    editor is imported too (the seed was updated in git). Idempotent: run on every start."""
    try:
        library = merge_sources(*directories)
    except ArticleError as error:
        logger.error("knowledge base not imported into the editor: %s", error)
        return []
    imported = []
    for article_id, article in sorted(library.items()):
        row = db_session.get(KbArticle, article_id)
        if row is not None and (article.version <= row.head_version or _changed_in_editor(row, db_session)):
            continue
        text = render_article(article) if article.review_by else _as_read(article.source)
        state = article.status if article.status in (PUBLISHED, RETIRED) else DRAFT
        if row is None:
            row = KbArticle(id=article_id, created_by=IMPORT_ACTOR, created_at=utcnow())
            db_session.add(row)
        row.state, row.head_version = state, article.version
        row.live_version = article.version if state == PUBLISHED else None
        row.released_version = article.version if state != DRAFT else 0
        row.title, row.tags, row.owner = (
            article.title[:200],
            ",".join(article.tags)[:500],
            article.owner[:100],
        )
        row.review_by, row.updated_by, row.updated_at = article.review_by, IMPORT_ACTOR, utcnow()
        db_session.add(
            KbVersion(
                article_id=article_id,
                number=article.version,
                text=text,
                kind=IMPORTED,
                saved_by=IMPORT_ACTOR,
                saved_at=row.updated_at,
                note=f"imported from {Path(article.source).parent.name}/{Path(article.source).name}",
                released_as=state if state != DRAFT else None,
                released_by=IMPORT_ACTOR if state != DRAFT else None,
                released_at=row.updated_at if state != DRAFT else None,
            )
        )
        db_session.flush()
        details = {"article": article_id, "version": article.version, "state": state}
        audit.record(
            IMPORT_ACTOR, "kb_imported", details=json.dumps(details, sort_keys=True), db_session=db_session
        )
        imported.append(article_id)
    return imported


def _as_read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def _changed_in_editor(article: KbArticle, db_session: Session) -> bool:
    query = select(func.count()).where(KbVersion.article_id == article.id, KbVersion.kind != IMPORTED)
    return bool(db_session.scalar(query))


def restore(published_dir: Path, *, db_session: Session) -> List[str]:
    """Rewrite any file that differs from the editor's latest release (a write lost to a crash between the
    file and the commit, or a file changed by hand), so the bot serves what the history says."""
    restored = []
    released = select(KbVersion).where(KbVersion.released_by.is_not(None), KbVersion.kind != IMPORTED)
    latest = {}
    for row in db_session.scalars(released.order_by(KbVersion.number)):
        latest[row.article_id] = row
    for article_id, row in sorted(latest.items()):
        if db_session.get(KbArticle, article_id).released_version != row.number:
            continue  # an import came after it
        _, text = content.restated(row.text, number=row.number, status=row.released_as, source=article_id)
        target = published_dir / f"{article_id}.md"
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            write(published_dir, article_id, text)
            restored.append(article_id)
    return restored


def prepare(session_factory: sessionmaker, *directories: Path, published_dir: Path) -> None:
    """At the console's start: import what the editor has no history of, then restore lost writes."""
    with session_factory() as session:
        try:
            imported = import_library(*directories, db_session=session)
            restored = restore(published_dir, db_session=session)
            session.commit()
        except IntegrityError:
            session.rollback()  # another console process imported the same articles at the same moment
            return
        except ApiError as error:
            session.rollback()
            logger.error("knowledge base: %s", error.message)
            return
    if imported or restored:
        logger.info(
            "knowledge base: %d articles imported, %d published files restored", len(imported), len(restored)
        )
