"""Filling the inbox from the tracker store and agents' corrections, and reading it back in groups."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Set

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from common.database import utcnow
from common.redaction import redact
from console.corrections.models import Correction
from console.inbox import sources
from console.inbox.grouping import GroupIndex, normalise
from console.inbox.models import AGENT_CORRECTION, InboxCursor, InboxGroup, InboxItem, InboxLabel

TRACKER = "tracker"
CORRECTIONS = "corrections"
BATCH = 2000
# On PostgreSQL a turn's transaction may commit after a later id was read: each sync reads the last few
# hundred events again (items are found by source_ref, so nothing is added twice).
REREAD = 500
# The list reads the tracker again when its last sync is older than this.
STALE_AFTER = timedelta(seconds=30)


@dataclass
class SyncResult:
    added: int = 0
    updated: int = 0
    tracker_position: int = 0
    corrections_position: int = 0


def _cursor(name: str, db_session: Session) -> InboxCursor:
    cursor = db_session.get(InboxCursor, name)
    if cursor is None:
        cursor = InboxCursor(name=name, position=0)
        db_session.add(cursor)
    return cursor


def last_synced(*, db_session: Session) -> Optional[datetime]:
    cursor = db_session.get(InboxCursor, CORRECTIONS)
    return cursor.synced_at if cursor else None


def sync_if_stale(
    *, db_session: Session, tracker_engine: Optional[Engine], now: Optional[datetime] = None
) -> bool:
    synced = last_synced(db_session=db_session)
    if synced is not None and (now or utcnow()) - synced < STALE_AFTER:
        return False
    sync(db_session=db_session, tracker_engine=tracker_engine)
    return True


class _Writer:
    """Adds items (or new sources to an existing item), each into its group."""

    def __init__(self, db_session: Session, result: SyncResult) -> None:
        self.db_session = db_session
        self.result = result
        self.groups = GroupIndex(db_session.execute(select(InboxGroup.id, InboxGroup.key)).all())

    def put(self, source_ref: str, new_sources: Set[str], fields: Dict[str, Any]) -> None:
        existing = self.db_session.execute(
            select(InboxItem).where(InboxItem.source_ref == source_ref)
        ).scalar_one_or_none()
        if existing is not None:
            merged = set(existing.source_list()) | new_sources
            if merged != set(existing.source_list()):
                existing.sources = ",".join(sorted(merged))
                self.result.updated += 1
            return
        group_id = self.groups.find(fields["text"])
        if group_id is None:
            group = InboxGroup(key=normalise(fields["text"]), text=fields["text"])
            self.db_session.add(group)
            self.db_session.flush()
            group_id = group.id
            self.groups.add(group_id, group.key)
        self.db_session.add(
            InboxItem(
                source_ref=source_ref, group_id=group_id, sources=",".join(sorted(new_sources)), **fields
            )
        )
        self.db_session.flush()
        self.result.added += 1


def _tracker_fields(redacted: sources.Redacted, event: sources.Event) -> Dict[str, Any]:
    ranked = sources.ranking(event.data.get("parse_data") or {})
    top, confidence, margin = sources.top_and_margin(ranked)
    line = redacted.lines[redacted.by_event[event.id]]
    return {
        "text": line.text,
        "ranking": json.dumps(ranked),
        "top_intent": top,
        "confidence": confidence,
        "margin": margin,
        "model_id": (event.data.get("metadata") or {}).get("model_id"),
        "conversation_id": event.sender_id,
        "conversation": json.dumps(sources.context_around(redacted, event.id)),
        "timestamp": event.timestamp,
    }


def _sync_tracker(connection: Connection, writer: _Writer, cursor: InboxCursor) -> None:
    position = max(0, cursor.position - REREAD)
    while True:
        batch = sources.events_after(connection, position, BATCH)
        if not batch:
            return
        upper = batch[-1].id
        wanted: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
        triggers = []
        for event in batch:
            for source in sources.message_sources(event):
                wanted[event.sender_id][event.id].add(source)
            trigger = sources.conversation_trigger(event)
            if trigger:
                triggers.append((event, trigger))
        for sender_id in sorted({event.sender_id for event, _ in triggers} | set(wanted)):
            events = sources.conversation(connection, sender_id, upper)
            for trigger_event, trigger in triggers:
                if trigger_event.sender_id == sender_id:
                    for message in sources.messages_before(events, trigger_event.id):
                        wanted[sender_id][message.id].add(trigger)
            by_id = {event.id: event for event in events}
            redacted = sources.redacted_conversation(events)
            for event_id, found in sorted(wanted[sender_id].items()):
                writer.put(f"tracker:{event_id}", found, _tracker_fields(redacted, by_id[event_id]))
        position = upper
        cursor.position = max(cursor.position, upper)


def _tracker_match(connection: Optional[Connection], correction: Correction) -> Optional[Dict[str, Any]]:
    """The corrected message's own event in the tracker (same conversation and text), for its ranking."""
    if connection is None or not correction.conversation_id:
        return None
    events = sources.conversation(connection, correction.conversation_id, 2**62)
    for event in reversed(events):
        if (
            event.type_name == "user"
            # Corrections keep the customer's text redacted (console/corrections/service.py).
            and redact(str(event.data.get("text") or "")).strip() == redact(correction.customer_text).strip()
        ):
            return _tracker_fields(sources.redacted_conversation(events), event)
    return None


def _sync_corrections(
    connection: Optional[Connection], writer: _Writer, cursor: InboxCursor, db_session: Session
) -> None:
    statement = select(Correction).where(Correction.id > cursor.position).order_by(Correction.id)
    for correction in db_session.execute(statement).scalars().all():
        cursor.position = correction.id
        if not (correction.customer_text or "").strip():
            continue
        fields = _tracker_match(connection, correction) or {
            "text": redact(correction.customer_text),
            "conversation_id": correction.conversation_id,
            "conversation": json.dumps(
                [
                    {"role": "user", "text": redact(correction.customer_text)},
                    {"role": "bot", "text": redact(correction.bot_text)},
                ]
            ),
            "timestamp": correction.bot_timestamp,
        }
        fields["note"] = redact(correction.correction)
        writer.put(f"correction:{correction.id}", {AGENT_CORRECTION}, fields)


def sync(*, db_session: Session, tracker_engine: Optional[Engine]) -> SyncResult:
    """Read what is new in the tracker store and the corrections since the last sync, and add it (redacted).

    Idempotent: positions are stored, and an item is found again by its source_ref. Conversation-level
    sources (a handoff, a low rating) reach back to messages an earlier sync may already have stored.
    """
    result = SyncResult()
    writer = _Writer(db_session, result)
    tracker_cursor, corrections_cursor = _cursor(TRACKER, db_session), _cursor(CORRECTIONS, db_session)
    connection = tracker_engine.connect() if tracker_engine is not None else None
    try:
        if connection is not None and not sources.has_events(connection):
            connection.close()
            connection = None
        if connection is not None:
            _sync_tracker(connection, writer, tracker_cursor)
        _sync_corrections(connection, writer, corrections_cursor, db_session)
    finally:
        if connection is not None:
            connection.close()
    now = utcnow()
    tracker_cursor.synced_at = corrections_cursor.synced_at = now
    db_session.flush()
    result.tracker_position, result.corrections_position = (
        tracker_cursor.position,
        corrections_cursor.position,
    )
    return result


# --- Reading ------------------------------------------------------------------------------------------------


def label_summary(label: InboxLabel) -> Dict[str, Any]:
    return {"trainer": label.trainer, "kind": label.kind, "intent": label.intent}


def _labels_by_item(item_ids: List[int], db_session: Session) -> Dict[int, List[InboxLabel]]:
    found: Dict[int, List[InboxLabel]] = defaultdict(list)
    if item_ids:
        statement = select(InboxLabel).where(InboxLabel.item_id.in_(item_ids)).order_by(InboxLabel.trainer)
        for label in db_session.execute(statement).scalars():
            found[label.item_id].append(label)
    return found


def _group_summary(
    group: InboxGroup, items: List[InboxItem], labels: Dict[int, List[InboxLabel]]
) -> Dict[str, Any]:
    """Counts and sources over the group's items; the most common top intent with the mean confidence and
    margin of the items that have one; the newest item's model."""
    ranked = [item for item in items if item.top_intent]
    top_intent = Counter(item.top_intent for item in ranked).most_common(1)[0][0] if ranked else None

    def mean(values: List[float]) -> Optional[float]:
        return round(sum(values) / len(values), 4) if values else None

    distinct = {
        (label.trainer, label.kind, label.intent) for item in items for label in labels.get(item.id, [])
    }
    return {
        "id": group.id,
        "text": group.text,
        "count": len(items),
        "sources": sorted({source for item in items for source in item.source_list()}),
        "top_intent": top_intent,
        "confidence": mean([item.confidence for item in ranked if item.confidence is not None]),
        "margin": mean([item.margin for item in ranked if item.margin is not None]),
        "model_id": max(items, key=lambda item: item.id).model_id,
        "labels": [
            {"trainer": t, "kind": k, "intent": i}
            for t, k, i in sorted(distinct, key=lambda x: (x[0], x[1], x[2] or ""))
        ],
    }


def _items(db_session: Session, source: Optional[str], group_id: Optional[int] = None) -> List[InboxItem]:
    statement = select(InboxItem).order_by(InboxItem.id)
    if group_id is not None:
        statement = statement.where(InboxItem.group_id == group_id)
    items = list(db_session.execute(statement).scalars())
    return [item for item in items if source is None or source in item.source_list()]


def groups(*, db_session: Session, source: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every group with items (of this source, if given), biggest first, then oldest first."""
    items = _items(db_session, source)
    by_group: Dict[int, List[InboxItem]] = defaultdict(list)
    for item in items:
        by_group[item.group_id].append(item)
    labels = _labels_by_item([item.id for item in items], db_session)
    rows = db_session.execute(select(InboxGroup).where(InboxGroup.id.in_(list(by_group)))).scalars()
    summaries = [_group_summary(group, by_group[group.id], labels) for group in rows]
    return sorted(summaries, key=lambda summary: (-summary["count"], summary["id"]))


def item_detail(item: InboxItem, labels: List[InboxLabel]) -> Dict[str, Any]:
    return {
        "id": item.id,
        "text": item.text,
        "sources": item.source_list(),
        "ranking": json.loads(item.ranking or "[]"),
        "model_id": item.model_id,
        "conversation": json.loads(item.conversation or "[]"),
        "source_ref": item.source_ref,
        "note": item.note,
        "labels": [
            {**label_summary(label), "entities": json.loads(label.entities or "[]")} for label in labels
        ],
    }


def group(group_id: int, *, db_session: Session) -> Optional[Dict[str, Any]]:
    found = db_session.get(InboxGroup, group_id)
    items = _items(db_session, None, group_id) if found else []
    if found is None or not items:
        return None
    labels = _labels_by_item([item.id for item in items], db_session)
    return {
        **_group_summary(found, items, labels),
        "items": [item_detail(item, labels.get(item.id, [])) for item in items],
    }


def group_items(group_id: int, *, db_session: Session) -> List[InboxItem]:
    return _items(db_session, None, group_id)
