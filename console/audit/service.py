"""Record and read the audit trail of agent actions."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.audit.models import AuditEvent

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_THROTTLED = "login_throttled"
LOGOUT = "logout"
CLAIM = "claim"
REPLY = "reply"
TRANSFER = "transfer"
UNASSIGN = "unassign"
RESOLVE = "resolve"
FLAG = "flag"
# Agent tools (console/tools/): what was done for the customer, or refused by the backend.
CANCEL_ORDER = "cancel_order"
CHANGE_SIZE = "change_size"
SWAP_ITEM = "swap_item"
REFUND = "refund"
RESEND_INVOICE = "resend_invoice"
TOOL_REFUSED = "tool_refused"
# Private notes and labels (console/notes/).
NOTE = "note"
LABELS = "labels"


def record(
    actor: str,
    action: str,
    *,
    ticket_id: Optional[int] = None,
    client_address: Optional[str] = None,
    details: Optional[str] = None,
    db_session: Session,
) -> AuditEvent:
    """Add one entry (the caller's commit makes it durable with the action it records)."""
    event = AuditEvent(
        actor=actor[:100],
        action=action,
        ticket_id=ticket_id,
        client_address=client_address,
        details=details[:2000] if details else None,
    )
    db_session.add(event)
    db_session.flush()
    return event


def newest(
    *, actor: Optional[str] = None, action: Optional[str] = None, limit: int = 200, db_session: Session
) -> List[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if actor:
        statement = statement.where(AuditEvent.actor == actor)
    if action:
        statement = statement.where(AuditEvent.action == action)
    return list(db_session.execute(statement).scalars())
