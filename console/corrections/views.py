"""Flag a bot answer as wrong; list the flags for trainers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from console.agents.models import Agent
from console.audit import service as audit
from console.corrections import service
from console.corrections.models import CorrectionIn, CorrectionRead
from console.dependencies import caller_address, current_agent, db_session

router = APIRouter(prefix="/api", tags=["corrections"])


@router.post("/corrections", status_code=201)
def flag_answer(
    body: CorrectionIn,
    request: Request,
    agent: Agent = Depends(current_agent),
    address: str = Depends(caller_address),
    session: Session = Depends(db_session),
) -> dict:
    ticket = request.app.state.backend.ticketing.ticket(body.ticket_id)
    row = service.record(
        ticket_id=body.ticket_id,
        conversation_id=ticket.conversation_id,
        bot_text=body.bot_text,
        bot_timestamp=body.bot_timestamp,
        customer_text=body.customer_text,
        correction=body.correction,
        agent=agent.username,
        db_session=session,
    )
    audit.record(
        agent.username, audit.FLAG, ticket_id=body.ticket_id, client_address=address, db_session=session
    )
    session.commit()
    return {"correction": CorrectionRead.from_orm(row).dict()}


@router.get("/corrections")
def list_corrections(_agent: Agent = Depends(current_agent), session: Session = Depends(db_session)) -> dict:
    return {"items": [CorrectionRead.from_orm(row).dict() for row in service.newest(db_session=session)]}
