"""Private notes and labels on tickets (console database only)."""

from __future__ import annotations

from typing import Iterable, List, Set

from sqlalchemy import delete, distinct, select
from sqlalchemy.orm import Session

from common.redaction import STORE_IDENTIFIERS, redact
from console.notes.models import TicketLabel, TicketNote


def notes(ticket_id: int, *, db_session: Session) -> List[TicketNote]:
    statement = select(TicketNote).where(TicketNote.ticket_id == ticket_id).order_by(TicketNote.id)
    return list(db_session.execute(statement).scalars())


def add_note(ticket_id: int, author: str, body: str, *, db_session: Session) -> TicketNote:
    """Stored redacted: a note is about the customer and often repeats their details, and it outlives
    the conversation's encrypted record (erasure cannot reach clear text copied here). Order and invoice
    numbers stay readable: agents work with them."""
    note = TicketNote(ticket_id=ticket_id, author=author, body=redact(body, keep=STORE_IDENTIFIERS))
    db_session.add(note)
    db_session.flush()
    return note


def labels(ticket_id: int, *, db_session: Session) -> List[str]:
    statement = (
        select(TicketLabel.label).where(TicketLabel.ticket_id == ticket_id).order_by(TicketLabel.label)
    )
    return list(db_session.execute(statement).scalars())


def set_labels(ticket_id: int, wanted: Iterable[str], *, db_session: Session) -> List[str]:
    """Replace the ticket's labels with these (duplicates dropped)."""
    db_session.execute(delete(TicketLabel).where(TicketLabel.ticket_id == ticket_id))
    for label in sorted(set(wanted)):
        db_session.add(TicketLabel(ticket_id=ticket_id, label=label))
    db_session.flush()
    return labels(ticket_id, db_session=db_session)


def all_labels(*, db_session: Session) -> List[str]:
    return list(db_session.execute(select(distinct(TicketLabel.label)).order_by(TicketLabel.label)).scalars())


def tickets_labelled(label: str, *, db_session: Session) -> Set[int]:
    statement = select(TicketLabel.ticket_id).where(TicketLabel.label == label)
    return set(db_session.execute(statement).scalars())


def labels_of(ticket_ids: Iterable[int], *, db_session: Session) -> dict:
    """Labels per ticket, for a list of tickets at once."""
    ids = list(ticket_ids)
    found: dict = {ticket_id: [] for ticket_id in ids}
    if not ids:
        return found
    rows = db_session.execute(
        select(TicketLabel.ticket_id, TicketLabel.label)
        .where(TicketLabel.ticket_id.in_(ids))
        .order_by(TicketLabel.label)
    )
    for ticket_id, label in rows:
        found[ticket_id].append(label)
    return found
