"""Trainers' labels on inbox items: checked against the domain, one per item and trainer (relabelling
replaces), a whole group at once; "needs an answer" also opens a knowledge-base draft."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Sequence

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import unprocessable
from console.inbox import models
from console.inbox.models import EntityIn, InboxItem, InboxLabel, KbDraft, LabelIn

NEW_INTENT_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Not intents a message can be labelled with: Rasa's own verdict.
NOT_LABELS = frozenset({"nlu_fallback"})


@dataclass(frozen=True)
class Domain:
    intents: FrozenSet[str]
    entities: FrozenSet[str]


@lru_cache(maxsize=4)
def domain(domain_path: Path) -> Domain:
    """The intents and entities of domain.yml (read once per path)."""
    content = yaml.safe_load(Path(domain_path).read_text(encoding="utf-8")) or {}

    def names(entries: Optional[Sequence[Any]]) -> FrozenSet[str]:
        return frozenset(
            next(iter(entry)) if isinstance(entry, dict) else str(entry) for entry in entries or []
        )

    return Domain(names(content.get("intents")) - NOT_LABELS, names(content.get("entities")))


def _checked_intent(body: LabelIn, item: InboxItem, known: Domain) -> Optional[str]:
    """The intent the label stands for, or a 422 saying why it cannot be."""
    if body.kind == models.ACCEPT:
        if not item.top_intent:
            raise unprocessable("no_model_intent", "This message has no intent from the model to accept.")
        if body.intent and body.intent != item.top_intent:
            raise unprocessable(
                "intent_mismatch", "Accept takes the model's intent; use kind 'intent' for another."
            )
        return str(item.top_intent)
    if body.kind == models.INTENT:
        if not body.intent or body.intent not in known.intents:
            raise unprocessable(
                "unknown_intent", "Pick one of the domain's intents.", {"intent": body.intent}
            )
        return body.intent
    if body.kind == models.OUT_OF_SCOPE:
        return "out_of_scope"
    if body.kind == models.NEW_INTENT:
        if not body.intent or not NEW_INTENT_NAME.fullmatch(body.intent) or len(body.intent) > 60:
            raise unprocessable("bad_intent_name", "A new intent's name is snake_case, e.g. gift_wrapping.")
        if body.intent in known.intents:
            raise unprocessable("intent_exists", "That intent exists already; use kind 'intent'.")
        return body.intent
    return None  # needs_answer: no intent, a knowledge-base article instead


def check_entities(entities: Sequence[EntityIn], text: str, known: Domain) -> List[Dict[str, Any]]:
    """Entities as stored: the domain's, inside the (redacted) text, not overlapping."""
    checked: List[Dict[str, Any]] = []
    for entity in sorted(entities, key=lambda entity: entity.start):
        if entity.entity not in known.entities:
            raise unprocessable(
                "unknown_entity", "Pick one of the domain's entities.", {"entity": entity.entity}
            )
        if not entity.start < entity.end <= len(text):
            raise unprocessable(
                "entity_out_of_bounds", "An entity must lie inside the message.", entity.dict()
            )
        if checked and entity.start < checked[-1]["end"]:
            raise unprocessable("entities_overlap", "Entities must not overlap.", entity.dict())
        checked.append(
            {"entity": entity.entity, "value": entity.value, "start": entity.start, "end": entity.end}
        )
    return checked


def _moved(entities: List[Dict[str, Any]], source: str, target: str) -> List[Dict[str, Any]]:
    """The same entities on a near-duplicate message: each found by its words, dropped where absent."""
    if source == target:
        return entities
    moved, position = [], 0
    for entity in entities:
        found = target.find(source[entity["start"] : entity["end"]], position)
        if found >= 0:
            end = found + entity["end"] - entity["start"]
            moved.append({**entity, "start": found, "end": end})
            position = end
    return moved


def _draft_for(items: Sequence[InboxItem], trainer: str, db_session: Session) -> None:
    """One knowledge-base draft per group of questions, whoever asks for it first."""
    ids = [item.id for item in items]
    exists = db_session.execute(select(KbDraft.id).where(KbDraft.source_item_id.in_(ids)).limit(1)).first()
    if exists is None:
        db_session.add(KbDraft(question=items[0].text, source_item_id=items[0].id, created_by=trainer))


def label_items(
    items: Sequence[InboxItem],
    body: LabelIn,
    *,
    trainer: str,
    domain_path: Path,
    db_session: Session,
    shown_text: Optional[str] = None,
) -> List[InboxLabel]:
    """Write this trainer's label on every item (replacing their earlier one). Entities are offsets in the
    text the trainer saw (`shown_text`: the group's text; else the first item's), moved to each item."""
    known = domain(domain_path)
    shown = items[0].text if shown_text is None else shown_text
    if body.kind == models.ACCEPT:
        # Each message keeps its own top intent; ones without an intent from the model are left unlabelled.
        items = [item for item in items if item.top_intent] or list(items)
    intents = [_checked_intent(body, item, known) for item in items]
    entities = check_entities(body.entities, shown, known)
    written = []
    for item, item_intent in zip(items, intents, strict=True):
        label = db_session.execute(
            select(InboxLabel).where(InboxLabel.item_id == item.id, InboxLabel.trainer == trainer)
        ).scalar_one_or_none()
        if label is None:
            label = InboxLabel(item_id=item.id, trainer=trainer)
            db_session.add(label)
        label.kind, label.intent = body.kind, item_intent
        label.entities = json.dumps(_moved(entities, shown, item.text))
        written.append(label)
    if body.kind == models.NEEDS_ANSWER:
        _draft_for(items, trainer, db_session)
    db_session.flush()
    return written


def label_read(label: InboxLabel) -> Dict[str, Any]:
    return {
        "item_id": label.item_id,
        "trainer": label.trainer,
        "kind": label.kind,
        "intent": label.intent,
        "entities": json.loads(label.entities or "[]"),
    }
