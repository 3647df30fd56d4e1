"""One stream event (from Rasa's broker, the console or the backend) reduced to what the metrics need.

Allow-list, not deny-list: Rasa's events carry every slot, verification tokens and codes included, and the
customer's own words. The store keeps only the slots named in KEPT_SLOTS (none identifies the customer: a
handoff reason, a rating, the knowledge-base article and version the bot answered from) and the text of
messages the bot did not understand (for the "top fallback messages" table), redacted. Of a reply an agent
sent from an agent-assist draft (the console's suggestion_sent) it keeps the draft's kind, its article, whether
it was edited and the edit rate: the event carries no text. Everything else about an event is dropped before
it is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from typing import Any, Dict, Optional

from common.event_stream import SUGGESTION_SENT
from common.vocabulary import HANDOFF_REASON_SLOT, KB_ARTICLE_ID_SLOT, KB_ARTICLE_VERSION_SLOT

CSAT_SLOT = "csat_rating"
KEPT_SLOTS = (HANDOFF_REASON_SLOT, CSAT_SLOT, KB_ARTICLE_ID_SLOT, KB_ARTICLE_VERSION_SLOT)
KEPT_RASA_EVENTS = ("user", "bot", "action", "slot", "active_loop", "pause", "resume", "session_started")
FALLBACK_INTENT = "nlu_fallback"
MAX_TEXT = 200
SOURCE_RASA = "rasa"
SOURCE_CONSOLE = "console"
SOURCE_BACKEND = "backend"
# The stored value of a suggestion_sent event: whether the agent changed the draft before sending it.
EDITED = "edited"
AS_SUGGESTED = "as_suggested"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Order numbers, codes, card and phone digits: any run of 3+ digits (with spaces or dashes inside).
_DIGITS = re.compile(r"\d[\d -]{1,}\d")


def redact(text: str) -> str:
    """A customer's message with emails and digit runs replaced, cut to MAX_TEXT characters."""
    return _DIGITS.sub("#", _EMAIL.sub("<email>", text))[:MAX_TEXT]


def event_key(raw: Dict[str, Any]) -> str:
    """The same event delivered twice has the same key: a hash of its canonical JSON.

    Rasa's events have no id; sender, type, timestamp (microseconds) and body together identify one. Our
    own stream events carry an `event_id`: the console's is random per event, the backend's is derived from
    the ticket, so a replayed request counts once.
    """
    if raw.get("event_id") and raw.get("source") in (SOURCE_CONSOLE, SOURCE_BACKEND):
        # Ours name themselves: a replayed request republishes the same id with a later timestamp.
        canonical = f"{raw['source']}:{raw['event_id']}"
    else:
        canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class StreamEvent:
    key: str
    conversation_id: str
    source: str
    kind: str
    occurred_at: float
    # user: intent; bot: the response name; action: the action; slot: the slot; active_loop: the form;
    # suggestion_sent: the draft's kind (kb, past_reply), its value EDITED or AS_SUGGESTED, its text the article
    # (id@version) of a kb draft and its confidence the edit rate (0 sent as suggested, 1 nothing kept).
    name: Optional[str] = None
    value: Optional[str] = None
    text: Optional[str] = None
    channel: Optional[str] = None
    model_id: Optional[str] = None
    confidence: Optional[float] = None
    agent: Optional[str] = None


def normalize(raw: Dict[str, Any]) -> Optional[StreamEvent]:
    """The event as stored, or None for events the metrics do not use."""
    conversation_id = raw.get("sender_id") or raw.get("conversation_id")
    kind = raw.get("event")
    if not conversation_id or not isinstance(kind, str) or raw.get("timestamp") is None:
        return None
    base = StreamEvent(
        key=event_key(raw),
        conversation_id=str(conversation_id),
        source=SOURCE_RASA,
        kind=kind,
        occurred_at=float(raw["timestamp"]),
    )
    if raw.get("source") == SOURCE_CONSOLE and kind == SUGGESTION_SENT:
        return _suggestion_sent(replace(base, source=SOURCE_CONSOLE), raw)
    if raw.get("source") in (SOURCE_CONSOLE, SOURCE_BACKEND):
        return replace(
            base,
            source=raw["source"],
            name=_short(raw.get("reason")),
            value=_short(raw.get("value")),
            agent=_short(raw.get("agent")),
            text=redact(raw["note"]) if raw.get("note") else None,
        )
    if kind not in KEPT_RASA_EVENTS:
        return None
    metadata = raw.get("metadata") or {}
    rasa = replace(base, model_id=_short(metadata.get("model_id")))
    if kind == "user":
        intent = (raw.get("parse_data") or {}).get("intent") or {}
        name = intent.get("name")
        return replace(
            rasa,
            name=_short(name),
            confidence=intent.get("confidence"),
            channel=_short(raw.get("input_channel")),
            text=redact(raw.get("text") or "") if name == FALLBACK_INTENT else None,
        )
    if kind == "bot":
        return replace(rasa, name=_short(metadata.get("utter_action")), agent=_short(metadata.get("agent")))
    if kind == "slot":
        if raw.get("name") not in KEPT_SLOTS:
            return None
        return replace(rasa, name=raw["name"], value=_short(raw.get("value")))
    return replace(rasa, name=_short(raw.get("name")))


def _suggestion_sent(base: StreamEvent, raw: Dict[str, Any]) -> Optional[StreamEvent]:
    """A reply sent from a draft; None when it does not say whether the draft was edited and by how much."""
    edited, rate = raw.get("edited"), raw.get("edit_rate")
    if not isinstance(edited, bool) or isinstance(rate, bool) or not isinstance(rate, int | float):
        return None
    if not 0.0 <= rate <= 1.0 or edited != (rate > 0):
        return None
    article = f"{raw['article_id']}@{raw.get('article_version')}" if raw.get("article_id") else None
    return replace(
        base,
        name=_short(raw.get("suggestion")),
        value=EDITED if edited else AS_SUGGESTED,
        text=_short(article),
        confidence=float(rate),
    )


def _short(value: Any) -> Optional[str]:
    return None if value is None else str(value)[:MAX_TEXT]
