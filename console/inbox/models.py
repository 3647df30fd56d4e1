"""The learning-loop inbox: messages the bot got wrong or was unsure about, grouped, and trainers' labels.

Every text column holds redacted text only (common/redaction.py runs before anything is stored here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Literal, Optional, TypeAlias

from pydantic import BaseModel, Field, constr
from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint

from common.database import utcnow
from console.database import Base

# Why a message is in the inbox (an item may have several).
FALLBACK = "fallback"
LOW_CONFIDENCE = "low_confidence"
DECLINED = "declined"
AGENT_CORRECTION = "agent_correction"
HANDOFF_LOW_CONFIDENCE = "handoff_low_confidence"
HANDOFF_ESCALATION_LOOP = "handoff_escalation_loop"
LOW_CSAT = "low_csat"
SAMPLE = "sample"
SOURCES = (
    FALLBACK,
    LOW_CONFIDENCE,
    DECLINED,
    AGENT_CORRECTION,
    HANDOFF_LOW_CONFIDENCE,
    HANDOFF_ESCALATION_LOOP,
    LOW_CSAT,
    SAMPLE,
)

# What a trainer says a message is.
ACCEPT = "accept"  # the model's top intent was right
INTENT = "intent"  # another existing intent
OUT_OF_SCOPE = "out_of_scope"
NEW_INTENT = "new_intent"  # an intent the bot does not have yet (a proposed name)
NEEDS_ANSWER = "needs_answer"  # a question the knowledge base should answer
LABEL_KINDS = (ACCEPT, INTENT, OUT_OF_SCOPE, NEW_INTENT, NEEDS_ANSWER)
LabelKind = Literal["accept", "intent", "out_of_scope", "new_intent", "needs_answer"]


class InboxGroup(Base):
    """Near-duplicate messages (console/inbox/grouping.py), labelled together."""

    __tablename__ = "inbox_groups"

    id = Column(Integer, primary_key=True)
    key = Column(String(500), nullable=False, index=True)
    text = Column(Text, nullable=False)  # the first message's redacted text, shown for the group
    created_at = Column(DateTime, nullable=False, default=utcnow)


class InboxItem(Base):
    __tablename__ = "inbox_items"

    id = Column(Integer, primary_key=True)
    group_id = Column(Integer, ForeignKey("inbox_groups.id"), nullable=False, index=True)
    # Where it came from: "tracker:<events.id>" or "correction:<corrections.id>"; unique, so a re-run of the
    # sync finds the item instead of adding it again.
    source_ref = Column(String(100), nullable=False, unique=True)
    sources = Column(String(300), nullable=False)  # comma-separated, sorted
    text = Column(Text, nullable=False)
    ranking = Column(Text, nullable=False, default="[]")  # JSON [{"name", "confidence"}], top 5, no fallback
    top_intent = Column(String(100), nullable=True)
    confidence = Column(Float, nullable=True)
    margin = Column(Float, nullable=True)
    model_id = Column(String(100), nullable=True)
    conversation_id = Column(String(255), nullable=True, index=True)  # the tracker's sender_id
    conversation = Column(Text, nullable=False, default="[]")  # JSON [{"role", "text"}] around the message
    note = Column(Text, nullable=True)  # an agent's correction, for agent_correction items
    timestamp = Column(Float, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    def source_list(self) -> List[str]:
        return [source for source in (self.sources or "").split(",") if source]


class InboxLabel(Base):
    __tablename__ = "inbox_labels"
    __table_args__ = (UniqueConstraint("item_id", "trainer", name="uq_inbox_labels_item_trainer"),)

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, ForeignKey("inbox_items.id"), nullable=False, index=True)
    trainer = Column(String(100), nullable=False)
    kind = Column(String(20), nullable=False)
    intent = Column(String(100), nullable=True)
    entities = Column(Text, nullable=False, default="[]")  # JSON [{"entity", "value", "start", "end"}]
    created_at = Column(DateTime, nullable=False, default=utcnow)


class KbDraft(Base):
    """A question the knowledge base does not answer yet; the knowledge-base editor picks these up."""

    __tablename__ = "kb_drafts"

    id = Column(Integer, primary_key=True)
    question = Column(Text, nullable=False)  # redacted
    source_item_id = Column(Integer, ForeignKey("inbox_items.id"), nullable=True, index=True)
    created_by = Column(String(100), nullable=False)
    status = Column(String(20), nullable=False, default="draft")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class InboxCursor(Base):
    """How far the sync has read each source (the last event or correction id seen)."""

    __tablename__ = "inbox_cursors"

    name = Column(String(50), primary_key=True)
    position = Column(Integer, nullable=False, default=0)
    synced_at = Column(DateTime, nullable=True)


if TYPE_CHECKING:
    EntityName: TypeAlias = str
    IntentName: TypeAlias = str
else:
    EntityName = constr(strip_whitespace=True, min_length=1, max_length=100)
    IntentName = constr(strip_whitespace=True, min_length=1, max_length=100)


class EntityIn(BaseModel):
    entity: EntityName
    value: str = Field(..., min_length=1, max_length=500)
    start: int = Field(..., ge=0, le=10_000)
    end: int = Field(..., ge=1, le=10_000)


class LabelIn(BaseModel):
    kind: LabelKind
    intent: Optional[IntentName] = None
    entities: List[EntityIn] = Field(default_factory=list, max_items=20)


# The inbox's tables: created with the console's (console/app.py imports the views, which import these).
INBOX_MODELS = (InboxGroup, InboxItem, InboxLabel, KbDraft, InboxCursor)
