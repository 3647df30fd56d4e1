"""Searching past tickets (the console's history view): by reason, customer email, date range, text, ids."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

from sqlalchemy import String, cast, func, or_
from sqlalchemy.sql import Select

from backend.tickets.models import Ticket


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


@dataclass(frozen=True)
class TicketSearch:
    reason: Optional[str] = None  # a HandoffReason value (checked by the view)
    customer_email: Optional[str] = None  # part of the email, any case
    created_from: Optional[datetime] = None
    created_to: Optional[datetime] = None  # exclusive
    text: Optional[str] = None  # part of the subject or the email, or the ticket number
    ids: Optional[Sequence[int]] = None

    def narrow(self, statement: Select) -> Select:
        if self.reason:
            # The reason sits in the details' JSON, written by tickets.service.create with json.dumps.
            statement = statement.where(
                Ticket.details_json.contains(json.dumps({"escalation_reason": self.reason})[1:-1])
            )
        if self.customer_email:
            statement = statement.where(
                func.lower(Ticket.customer_email).like(_like(self.customer_email), escape="\\")
            )
        if self.created_from:
            statement = statement.where(Ticket.created_at >= self.created_from)
        if self.created_to:
            statement = statement.where(Ticket.created_at < self.created_to)
        if self.text:
            pattern = _like(self.text)
            matches = [
                func.lower(Ticket.subject).like(pattern, escape="\\"),
                func.lower(Ticket.customer_email).like(pattern, escape="\\"),
            ]
            if self.text.strip().lstrip("#").isdigit():
                matches.append(cast(Ticket.id, String) == self.text.strip().lstrip("#"))
            statement = statement.where(or_(*matches))
        if self.ids is not None:
            statement = statement.where(Ticket.id.in_(list(self.ids)))
        return statement
