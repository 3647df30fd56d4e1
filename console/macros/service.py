"""Macros: stored by admins, filled per ticket from the customer and the order the conversation is about.

Variables: {customer_name} (the verified customer's first name), {customer_email}, {order_id} (the order the
bot was told about, else the customer's latest), {ticket_id} and {agent_name}. A variable that cannot be
filled stays as written, in braces, and is listed as missing so the agent completes it before sending.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clients.backend import BackendApi
from clients.backend.ticketing import Ticket
from common.errors import ApiError, conflict, not_found
from console.agents.models import Agent
from console.macros.models import FilledMacro, Macro, MacroIn, MacroRead

VARIABLES = ("customer_name", "customer_email", "order_id", "ticket_id", "agent_name")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def variables_in(body: str) -> List[str]:
    return sorted(set(PLACEHOLDER.findall(body)))


def _check(body: str) -> None:
    unknown = [name for name in variables_in(body) if name not in VARIABLES]
    if unknown:
        raise ApiError(
            422,
            "unknown_variable",
            f"Unknown variable {{{unknown[0]}}}; use {', '.join('{' + v + '}' for v in VARIABLES)}.",
        )


def read(macro: Macro) -> MacroRead:
    return MacroRead(
        id=macro.id,
        title=macro.title,
        body=macro.body,
        variables=variables_in(macro.body),
        updated_by=macro.updated_by,
        updated_at=macro.updated_at,
    )


def all_macros(*, db_session: Session) -> List[Macro]:
    return list(db_session.execute(select(Macro).order_by(Macro.title)).scalars())


def save(data: MacroIn, *, by: str, macro_id: Optional[int] = None, db_session: Session) -> Macro:
    """Create a macro, or change one (by id); titles are unique."""
    _check(data.body)
    macro = Macro() if macro_id is None else db_session.get(Macro, macro_id)
    if macro is None:
        raise not_found("macro_not_found", "No macro with that id.")
    macro.title, macro.body, macro.updated_by = data.title, data.body, by
    db_session.add(macro)
    try:
        db_session.flush()
    except IntegrityError as exc:
        db_session.rollback()
        raise conflict("macro_title_taken", "Another macro has that title.") from exc
    return macro


def delete(macro_id: int, *, db_session: Session) -> None:
    macro = db_session.get(Macro, macro_id)
    if macro is None:
        raise not_found("macro_not_found", "No macro with that id.")
    db_session.delete(macro)
    db_session.flush()


def ticket_values(ticket: Ticket, agent: Agent, *, backend: BackendApi) -> Dict[str, str]:
    """What the variables are for this ticket: only a verified customer's data is ever used."""
    values = {"ticket_id": str(ticket.id), "agent_name": agent.display_name}
    slots = (ticket.details.get("summary") or {}).get("filled_slots") or {}
    if slots.get("order_id"):
        values["order_id"] = str(slots["order_id"])
    if ticket.customer_verified and ticket.customer_id is not None:
        customer = backend.crm.get_customer(ticket.customer_id)
        values["customer_name"] = customer.name.split()[0] if customer.name else ""
        values["customer_email"] = customer.email
        if "order_id" not in values:
            latest = backend.orders.customer_orders(ticket.customer_id, limit=1)
            if latest:
                values["order_id"] = str(latest[0].id)
    return {name: value for name, value in values.items() if value}


def fill(macro: Macro, values: Dict[str, str]) -> FilledMacro:
    missing = sorted({name for name in variables_in(macro.body) if name not in values})
    text = PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), macro.body)
    return FilledMacro(id=macro.id, title=macro.title, text=text, missing=missing)
