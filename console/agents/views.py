"""Login, logout, who am I, and available/away."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from console.agents import service
from console.agents.models import Agent, AgentRead, LoginIn, StatusIn
from console.database import utcnow
from console.dependencies import SESSION_COOKIE, current_agent, db_session
from console.errors import ConsoleError

router = APIRouter(prefix="/api", tags=["agents"])


def agent_read(request: Request, agent: Agent) -> AgentRead:
    return AgentRead.from_row(agent, online_after=request.app.state.online_after(utcnow()))


@router.post("/login")
def login(
    body: LoginIn, request: Request, response: Response, session: Session = Depends(db_session)
) -> dict:
    """Check the password and start a session (cookie); failed attempts are limited per username."""
    limiter = request.app.state.login_limiter
    if not limiter.allowed(body.username.lower()):
        raise ConsoleError(429, "too_many_attempts", "Too many failed logins. Try again in a few minutes.")
    agent = service.authenticate(body.username, body.password, db_session=session)
    if agent is None:
        limiter.failed(body.username.lower())
        raise ConsoleError(401, "invalid_credentials", "Wrong username or password.")
    token, expires_at = service.start_session(
        agent, hours=request.app.state.settings.session_hours, db_session=session
    )
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
def logout(request: Request, session: Session = Depends(db_session)) -> Response:
    service.end_session(request.cookies.get(SESSION_COOKIE), db_session=session)
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
