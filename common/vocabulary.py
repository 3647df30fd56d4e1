"""The domain's recurring names, written once: statuses, categories, priorities, handoff reasons, and the
conversation events the console writes for the actions to read.

Enums subclass str, so a value compares equal to its text in the database, in JSON and in slots.
"""

from __future__ import annotations

from enum import Enum
from typing import Tuple, Type


class OrderStatus(str, Enum):
    PLACED = "placed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class RefundStatus(str, Enum):
    PENDING = "pending"
    PROCESSED = "processed"
    REJECTED = "rejected"


class TicketStatus(str, Enum):
    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    CLOSED = "closed"


class TicketPriority(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketCategory(str, Enum):
    GENERAL = "general"
    HANDOFF = "handoff"
    COMPLAINT = "complaint"
    PAYMENT = "payment"
    ACCOUNT_DELETION = "account_deletion"
    ORDER = "order"
    REFUND = "refund"
    ACCOUNT = "account"
    MISSING_PARCEL = "missing_parcel"
    # A verified customer asked in the chat for a copy of their data (privacy/customer_requests.py).
    DATA_COPY = "data_copy"
    # Back-office triage (triage/routing.py): a privacy question by email or the contact form (never acted on
    # by itself, unlike the two above), and a message waiting for an agent to confirm its suggested queue.
    PRIVACY = "privacy"
    TRIAGE = "triage"


class HandoffReason(str, Enum):
    """Why a conversation went to a person (the ticket's escalation reason)."""

    USER_REQUESTED = "user_requested"
    LOW_CONFIDENCE = "low_confidence"
    ESCALATION_LOOP = "escalation_loop"
    SENSITIVE_TOPIC = "sensitive_topic"
    VERIFICATION_FAILED = "verification_failed"
    BACKEND_UNAVAILABLE = "backend_unavailable"
    POLICY_EXCEPTION = "policy_exception"


def values(enum: Type[Enum]) -> Tuple[str, ...]:
    return tuple(member.value for member in enum)


def sql_in(column: str, enum: Type[Enum]) -> str:
    """A CHECK constraint's text: the column holds one of the enum's values."""
    return f"{column} IN ({','.join(repr(value) for value in values(enum))})"


# What the agent console writes into a conversation and the actions read back.
HANDOFF_TICKET_SLOT = "handoff_ticket_id"
# Why the conversation went to a person; action_handoff records it for the analytics stream.
HANDOFF_REASON_SLOT = "handoff_reason"
# The knowledge-base article and version the bot answered from (actions/faq.py), for metrics and trainers.
KB_ARTICLE_ID_SLOT = "kb_article_id"
KB_ARTICLE_VERSION_SLOT = "kb_article_version"
ACTION_HANDOFF = "action_handoff"
ACTION_HANDOFF_RESOLVED = "action_handoff_resolved"
ACTION_LISTEN = "action_listen"

# Notices the console sends when a person joins, takes over or leaves a conversation (metadata `notice` on
# the agent's bot event): the web chat draws them as a system line and updates its header.
NOTICE_AGENT_JOINED = "agent_joined"
NOTICE_AGENT_TRANSFERRED = "agent_transferred"
NOTICE_AGENT_LEFT = "agent_left"
AGENT_NOTICES = (NOTICE_AGENT_JOINED, NOTICE_AGENT_TRANSFERRED, NOTICE_AGENT_LEFT)
# The backend customer a conversation verified as (actions/verification.py sets it); the tracker store links
# the conversation to that customer for export and erasure (privacy/tracker_store.py).
VERIFIED_CUSTOMER_SLOT = "verified_customer_id"
