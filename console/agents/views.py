"""Login, logout, who am I, available/away, and the audit trail for admins."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from common.database import utcnow
from common.errors import ApiError, too_many
from console.agents import service
from console.agents.models import ADMIN, Agent, AgentRead, LoginIn, StatusIn
from console.audit import service as audit
from console.audit.models import AuditEventRead
from console.dependencies import SESSION_COOKIE, caller_address, current_agent, db_session, require_role

router = APIRouter(prefix="/api", tags=["agents"])


def agent_read(request: Request, agent: Agent) -> AgentRead:
    return AgentRead.from_row(agent, online_after=request.app.state.online_after(utcnow()))


@router.post("/login")
def login(
    body: LoginIn,
    request: Request,
    response: Response,
    address: str = Depends(caller_address),
    session: Session = Depends(db_session),
) -> dict:
    """Check the password and start a session (cookie); failed attempts are limited (agents/throttle.py)."""
    throttle = request.app.state.login_throttle
    refused_by = throttle.refused_by(body.username, address)
    if refused_by is not None:
        audit.record(
            body.username,
            audit.LOGIN_THROTTLED,
            client_address=address,
            details=refused_by,
            db_session=session,
        )
        session.commit()
        raise too_many("too_many_attempts", "Too many failed logins. Try again in a few minutes.", 300)
    agent = service.authenticate(body.username, body.password, db_session=session)
    if agent is None:
        throttle.failed(body.username, address)
        audit.record(body.username, audit.LOGIN_FAILED, client_address=address, db_session=session)
        session.commit()
        raise ApiError(401, "invalid_credentials", "Wrong username or password.")
    token, _expires_at = service.start_session(
        agent, hours=request.app.state.settings.session_hours, db_session=session
    )
    audit.record(agent.username, audit.LOGIN, client_address=address, db_session=session)
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(request.app.state.settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )
    return {"agent": agent_read(request, agent).dict()}


@router.post("/logout", status_code=204)
def logout(
    request: Request, address: str = Depends(caller_address), session: Session = Depends(db_session)
) -> Response:
    agent = service.agent_for_session(request.cookies.get(SESSION_COOKIE), db_session=session)
    service.end_session(request.cookies.get(SESSION_COOKIE), db_session=session)
    if agent is not None:
        audit.record(agent.username, audit.LOGOUT, client_address=address, db_session=session)
    session.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me")
def me(request: Request, agent: Agent = Depends(current_agent)) -> dict:
    return {"agent": agent_read(request, agent).dict()}


@router.post("/me/status")
def set_status(
    body: StatusIn,
    request: Request,
    agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> dict:
    """Available agents count towards the wait the bot promises customers."""
    agent.status = body.status  # the agent was loaded in this request's session
    session.commit()
    return {"agent": agent_read(request, agent).dict()}


@router.get("/audit")
def audit_trail(
    actor: Optional[str] = Query(None, max_length=100),
    action: Optional[str] = Query(None, max_length=40),
    limit: int = Query(200, ge=1, le=1000),
    _admin: Agent = Depends(require_role(ADMIN)),
    session: Session = Depends(db_session),
) -> dict:
    """Admins only: who logged in (or failed to), claimed, replied, transferred, resolved and flagged."""
    events = audit.newest(actor=actor, action=action, limit=limit, db_session=session)
    return {"items": [AuditEventRead.from_orm(event).dict() for event in events]}
