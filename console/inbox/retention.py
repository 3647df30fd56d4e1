"""Retention of the learning-loop inbox (privacy/retention.py runs it; INBOX_RETENTION_DAYS).

Past the window an item nobody labelled is deleted. A labelled item is training data (its redacted text is
what `python -m console.inbox export` writes to data/nlu/learned.yml, which is rebuilt from these labels), so
it stays, but loses what it does not need: the conversation around it, the conversation id and the agent's
note. A group goes once none of its items stays. Each function handles one batch; the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, List, Tuple

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session

from common.batches import count_rows, delete_batch
from console.inbox.models import InboxGroup, InboxItem, InboxLabel, KbDraft

NO_CONTEXT = "[]"


def _labelled() -> Any:
    return (
        select(InboxLabel.id).where(InboxLabel.item_id == InboxItem.id).exists()
        | select(KbDraft.id).where(KbDraft.source_item_id == InboxItem.id).exists()
    )


def _deletable(cutoff: datetime) -> Any:
    return (InboxItem.created_at < cutoff) & ~_labelled()


def _needs_stripping(cutoff: datetime) -> Any:
    has_context = (
        (InboxItem.conversation != NO_CONTEXT)
        | InboxItem.conversation_id.isnot(None)
        | InboxItem.note.isnot(None)
    )
    return (InboxItem.created_at < cutoff) & _labelled() & has_context


def _emptied_group(cutoff: datetime) -> Any:
    # The same groups before and after the items go: a dry run counts what the real run deletes.
    staying = select(InboxItem.id).where(InboxItem.group_id == InboxGroup.id, ~_deletable(cutoff))
    return (InboxGroup.created_at < cutoff) & ~staying.exists()


def count_expired(cutoff: datetime, *, db_session: Session) -> int:
    """Items to delete, labelled items to strip, and groups left empty."""
    parts: List[Tuple[Any, Any]] = [
        (InboxItem.id, _deletable(cutoff)),
        (InboxItem.id, _needs_stripping(cutoff)),
        (InboxGroup.id, _emptied_group(cutoff)),
    ]
    return sum(count_rows(key, condition, db_session=db_session) for key, condition in parts)


def purge_expired(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """One batch: unlabelled items first, then labelled items' context, then empty groups."""
    deleted = delete_batch(InboxItem.id, _deletable(cutoff), batch_size=batch_size, db_session=db_session)
    if deleted:
        return deleted
    ids = list(
        db_session.execute(
            select(InboxItem.id).where(_needs_stripping(cutoff)).order_by(InboxItem.id).limit(batch_size)
        ).scalars()
    )
    if ids:
        db_session.execute(
            update(InboxItem)
            .where(InboxItem.id.in_(ids))
            .values(conversation=NO_CONTEXT, conversation_id=null(), note=null())
            .execution_options(synchronize_session=False)
        )
        return len(ids)
    return delete_batch(InboxGroup.id, _emptied_group(cutoff), batch_size=batch_size, db_session=db_session)
