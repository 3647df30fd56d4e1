"""Reading Rasa's SQL tracker store (read-only) and deciding why a message belongs in the inbox.

The tracker store's `events` table (rasa/core/tracker_store.py SQLTrackerStore): id, sender_id, type_name,
timestamp, intent_name, action_name and the event as JSON in `data`. Locally it is the SQLite file
RASA_TRACKER_DB (endpoints.yml); in production PostgreSQL (deploy/endpoints.yml): set TRACKER_STORE_URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import Connection, Engine

from common.redaction import redact
from common.transcript import CODE_SLOT, button_title
from common.vocabulary import HANDOFF_REASON_SLOT, HandoffReason
from console.inbox import models
from privacy.conversations import event_data
from privacy.tracker_table import EVENTS as EVENTS

FALLBACK_INTENT = "nlu_fallback"
# config.yml: FallbackClassifier turns a message into nlu_fallback below 0.3 (or within 0.1 of the runner-up);
# SensitiveFlowGuard asks for 0.6 with a 0.2 lead before a sensitive flow starts, the bar tuned on the dev
# split for "sure enough to act". A message between the two bars was acted on without that certainty: it is
# where a wrong intent hides, so it goes to the inbox.
LOW_CONFIDENCE = 0.6
LOW_MARGIN = 0.2
# The bot declined the message as off-topic, without being sure: a request it should have handled, said in
# words it has not seen, hides here. Really off-topic messages score near 1.0 (the SVM is sharp), so they
# stay out.
OFF_TOPIC_INTENT = "out_of_scope"
DECLINED_BELOW = 0.8
# A small, fixed share of confident messages, so a confident mistake is seen too (2 % by the event id's hash:
# the same events on every run).
SAMPLE_PERCENT = 2
RANKING_SIZE = 5
CSAT_SLOT = "csat_rating"  # actions/slots.py CSAT_RATING: "1".."5", or "skipped"
LOW_CSAT_RATINGS = {1, 2}
HANDOFF_SOURCES = {
    HandoffReason.LOW_CONFIDENCE.value: models.HANDOFF_LOW_CONFIDENCE,
    HandoffReason.ESCALATION_LOOP.value: models.HANDOFF_ESCALATION_LOOP,
}
# Messages before a handoff or a bad rating that are taken as the ones that went wrong.
MESSAGES_BEFORE_TRIGGER = 3
CONTEXT_BEFORE = 4
CONTEXT_AFTER = 3
# Slots holding the customer's own details: their values are masked wherever they appear in the conversation.
PERSONAL_SLOTS = (
    "email",
    "phone",
    "verified_contact",
    "verification_sent_to",
    "new_value",
    "verification_token",
)


def open_tracker(url: Optional[str]) -> Optional[Engine]:
    """The tracker store, or None while there is none (a local SQLite file exists once Rasa has run)."""
    if not url or (url.startswith("sqlite:///") and not Path(url.split("///", 1)[1]).is_file()):
        return None
    return tracker_engine(url)


def tracker_engine(url: str) -> Engine:
    """A read-only engine: SQLite opened with mode=ro (no journal changes to Rasa's file)."""
    if url.startswith("sqlite:///"):
        path = url.split("///", 1)[1]
        return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", future=True)
    return create_engine(url, future=True, pool_pre_ping=True)


def newest_user_messages(connection: Connection, limit: int) -> List[Event]:
    """The newest `limit` customer messages, oldest first (the promotion gate's replay)."""
    statement = select(EVENTS).where(EVENTS.c.type_name == "user").order_by(EVENTS.c.id.desc()).limit(limit)
    return [_event(row) for row in reversed(list(connection.execute(statement)))]


def has_events(connection: Connection) -> bool:
    return bool(inspect(connection).has_table("events"))


@dataclass(frozen=True)
class Event:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    data: Dict[str, Any]


def _event(row: Any) -> Event:
    return Event(
        row.id, row.sender_id, row.type_name, float(row.timestamp or 0), event_data(row.sender_id, row.data)
    )


def events_after(connection: Connection, position: int, limit: int) -> List[Event]:
    statement = select(EVENTS).where(EVENTS.c.id > position).order_by(EVENTS.c.id).limit(limit)
    return [_event(row) for row in connection.execute(statement)]


def conversation(connection: Connection, sender_id: str, up_to: int) -> List[Event]:
    statement = (
        select(EVENTS).where(EVENTS.c.sender_id == sender_id, EVENTS.c.id <= up_to).order_by(EVENTS.c.id)
    )
    return [_event(row) for row in connection.execute(statement)]


# --- Why a message is here ----------------------------------------------------------------------------------


def ranking(parse_data: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The intents the model ranked, best first, without nlu_fallback (it is a verdict, not an intent)."""
    ranked = parse_data.get("intent_ranking") or []
    if not ranked and isinstance(parse_data.get("intent"), dict):
        ranked = [parse_data["intent"]]
    found: List[Dict[str, Any]] = []
    for entry in ranked:
        if isinstance(entry, dict) and entry.get("name") and entry.get("name") != FALLBACK_INTENT:
            found.append(
                {"name": str(entry["name"]), "confidence": round(float(entry.get("confidence") or 0), 4)}
            )
    found.sort(key=lambda entry: -float(entry["confidence"]))
    return found[:RANKING_SIZE]


def top_and_margin(
    ranked: Sequence[Dict[str, Any]],
) -> Tuple[Optional[str], Optional[float], Optional[float]]:
    if not ranked:
        return None, None, None
    top = ranked[0]["confidence"]
    second = ranked[1]["confidence"] if len(ranked) > 1 else 0.0
    return ranked[0]["name"], top, round(top - second, 4)


def is_sampled(event_id: int) -> bool:
    digest = hashlib.sha256(f"inbox-sample:{event_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < SAMPLE_PERCENT


def learnable(event: Event) -> bool:
    """A typed message with words in it: a button payload ("/request_human") was not guessed by NLU, and a
    bare number (an order id or a code typed into a form) teaches no intent."""
    text = str(event.data.get("text") or "").strip()
    return bool(text) and not text.startswith("/") and any(ch.isalpha() for ch in text)


def message_sources(event: Event) -> Set[str]:
    """What this user message says about itself: a fallback, an uncertain guess, or a sampled one."""
    if event.type_name != "user" or not learnable(event):
        return set()
    parse_data = event.data.get("parse_data") or {}
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == FALLBACK_INTENT:
        return {models.FALLBACK}
    _, confidence, margin = top_and_margin(ranking(parse_data))
    if confidence is not None and margin is not None and (confidence < LOW_CONFIDENCE or margin < LOW_MARGIN):
        return {models.LOW_CONFIDENCE}
    if intent == OFF_TOPIC_INTENT and confidence is not None and confidence < DECLINED_BELOW:
        return {models.DECLINED}
    return {models.SAMPLE} if is_sampled(event.id) else set()


def _rating(value: Any) -> Optional[int]:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def conversation_trigger(event: Event) -> Optional[str]:
    """The source a slot event gives the messages before it: a handoff for a reason the NLU caused, or a
    low satisfaction rating."""
    if event.type_name != "slot":
        return None
    name, value = event.data.get("name"), event.data.get("value")
    if name == HANDOFF_REASON_SLOT:
        return HANDOFF_SOURCES.get(str(value))
    if name == CSAT_SLOT and _rating(value) in LOW_CSAT_RATINGS:
        return models.LOW_CSAT
    return None


def messages_before(events: Sequence[Event], trigger_id: int) -> List[Event]:
    """The customer's last typed messages in the session before the trigger (the rating itself excluded)."""
    session: List[Event] = []
    requested: Optional[str] = None
    for event in events:
        if event.id >= trigger_id:
            break
        if event.type_name == "action" and event.data.get("name") == "action_session_start":
            session = []
        elif event.type_name == "slot" and event.data.get("name") == "requested_slot":
            requested = event.data.get("value")
        elif event.type_name == "user" and learnable(event) and requested != CSAT_SLOT:
            session.append(event)
    return session[-MESSAGES_BEFORE_TRIGGER:]


# --- The conversation around a message, redacted ------------------------------------------------------------


@dataclass
class Line:
    event_id: int
    role: str  # "user", "bot" or "agent"
    text: str


@dataclass
class Redacted:
    lines: List[Line] = field(default_factory=list)
    by_event: Dict[int, int] = field(default_factory=dict)  # user event id -> index in lines


def personal_values(events: Iterable[Event]) -> List[str]:
    found = []
    for event in events:
        if event.type_name == "slot" and event.data.get("name") in PERSONAL_SLOTS and event.data.get("value"):
            found.append(str(event.data["value"]))
    return found


def redacted_conversation(events: Sequence[Event]) -> Redacted:
    """Every message as people read it (button titles, not payloads), with personal data masked: the
    conversation's own details (slots) wherever they appear, and any number answering the code question."""
    known = personal_values(events)
    result = Redacted()
    requested: Optional[str] = None
    offered: List[Dict[str, Any]] = []
    for event in events:
        data = event.data
        if event.type_name == "slot" and data.get("name") == "requested_slot":
            requested = data.get("value")
        elif event.type_name == "active_loop" and not data.get("name"):
            requested = None
        elif event.type_name == "bot":
            offered = list((data.get("data") or {}).get("buttons") or [])
            if data.get("text"):
                role = "agent" if (data.get("metadata") or {}).get("agent") else "bot"
                result.lines.append(Line(event.id, role, redact(str(data["text"]), known_values=known)))
        elif event.type_name == "user" and data.get("text"):
            text = str(data["text"])
            if text.startswith("/"):
                text = button_title(text, offered) or text
            result.by_event[event.id] = len(result.lines)
            shown = redact(text, known_values=known, code_was_asked=requested == CODE_SLOT)
            result.lines.append(Line(event.id, "user", shown))
    return result


def context_around(redacted: Redacted, event_id: int) -> List[Dict[str, str]]:
    index = redacted.by_event[event_id]
    window = redacted.lines[max(0, index - CONTEXT_BEFORE) : index + CONTEXT_AFTER + 1]
    return [{"role": line.role, "text": line.text} for line in window]
