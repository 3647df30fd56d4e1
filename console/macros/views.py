"""Routes for macros: every agent reads them (filled for a ticket); only admins add, change or delete them."""

from __future__ import annotations

from typing import List

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from common.api import id_path
from console.agents.models import ADMIN, Agent
from console.dependencies import current_agent, db_session, require_role
from console.macros import service
from console.macros.models import FilledMacro, MacroIn, MacroRead

router = APIRouter(prefix="/api", tags=["macros"])
MACRO = id_path("macro id")


@router.get("/macros")
def macros(_agent: Agent = Depends(current_agent), session: Session = Depends(db_session)) -> dict:
    return {
        "items": [service.read(macro) for macro in service.all_macros(db_session=session)],
        "variables": list(service.VARIABLES),
    }


@router.get("/tickets/{ticket_id}/macros")
def ticket_macros(
    request: Request,
    ticket_id: int = id_path("ticket id"),
    agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> dict:
    backend = request.app.state.backend
    values = service.ticket_values(backend.ticketing.ticket(ticket_id), agent, backend=backend)
    items: List[FilledMacro] = [
        service.fill(macro, values) for macro in service.all_macros(db_session=session)
    ]
    return {"items": items}


@router.post("/macros", status_code=201)
def create_macro(
    body: MacroIn, admin: Agent = Depends(require_role(ADMIN)), session: Session = Depends(db_session)
) -> MacroRead:
    macro = service.save(body, by=admin.username, db_session=session)
    session.commit()
    return service.read(macro)


@router.put("/macros/{macro_id}")
def update_macro(
    body: MacroIn,
    macro_id: int = MACRO,
    admin: Agent = Depends(require_role(ADMIN)),
    session: Session = Depends(db_session),
) -> MacroRead:
    macro = service.save(body, by=admin.username, macro_id=macro_id, db_session=session)
    session.commit()
    return service.read(macro)


@router.delete("/macros/{macro_id}", status_code=204, response_class=Response)
def delete_macro(
    macro_id: int = MACRO,
    _admin: Agent = Depends(require_role(ADMIN)),
    session: Session = Depends(db_session),
) -> Response:
    service.delete(macro_id, db_session=session)
    session.commit()
    return Response(status_code=204)
