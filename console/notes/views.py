"""Routes for private notes and labels: any agent may read and add them; they are audited, never sent."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from common.api import id_path
from console.agents.models import Agent
from console.audit import service as audit
from console.dependencies import caller_address, current_agent, db_session
from console.notes import service
from console.notes.models import LabelsIn, NoteIn, NoteRead

router = APIRouter(prefix="/api", tags=["notes"])
TICKET = id_path("ticket id")


def _existing(request: Request, ticket_id: int) -> None:
    request.app.state.backend.ticketing.ticket(ticket_id)  # 404 for a ticket that does not exist


@router.get("/tickets/{ticket_id}/notes")
def ticket_notes(
    ticket_id: int = TICKET, _agent: Agent = Depends(current_agent), session: Session = Depends(db_session)
) -> dict:
    return {
        "notes": [NoteRead.from_orm(note) for note in service.notes(ticket_id, db_session=session)],
        "labels": service.labels(ticket_id, db_session=session),
    }


@router.post("/tickets/{ticket_id}/notes", status_code=201)
def add_note(
    body: NoteIn,
    request: Request,
    ticket_id: int = TICKET,
    agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> dict:
    _existing(request, ticket_id)
    note = service.add_note(ticket_id, agent.username, body.body, db_session=session)
    audit.record(
        agent.username,
        audit.NOTE,
        ticket_id=ticket_id,
        client_address=caller_address(request),
        db_session=session,
    )
    session.commit()
    return {"note": NoteRead.from_orm(note)}


@router.put("/tickets/{ticket_id}/labels")
def set_labels(
    body: LabelsIn,
    request: Request,
    ticket_id: int = TICKET,
    agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> dict:
    _existing(request, ticket_id)
    labels = service.set_labels(ticket_id, body.labels, db_session=session)
    audit.record(
        agent.username,
        audit.LABELS,
        ticket_id=ticket_id,
        client_address=caller_address(request),
        details=", ".join(labels) or "none",
        db_session=session,
    )
    session.commit()
    return {"labels": labels}


@router.get("/labels")
def labels(_agent: Agent = Depends(current_agent), session: Session = Depends(db_session)) -> dict:
    return {"labels": service.all_labels(db_session=session)}
