"""Request-scoped pieces shared by the routes: the database session, the logged-in agent, the caller's address."""

from __future__ import annotations

from typing import Callable, Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from common.errors import ApiError
from common.net import client_address
from console.agents import service as agents
from console.agents.models import Agent

SESSION_COOKIE = "frontdesk_console"


def db_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def caller_address(request: Request) -> str:
    """The browser's address: the peer, or X-Real-IP from our own proxy when FRONTDESK_TRUST_PROXY is set."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers, trust_proxy=request.app.state.settings.trust_proxy)


def current_agent(request: Request, session: Session = Depends(db_session)) -> Agent:
    """The logged-in agent; 401 for everyone else."""
    agent = agents.agent_for_session(request.cookies.get(SESSION_COOKIE), db_session=session)
    if agent is None:
        raise ApiError(401, "not_logged_in", "Please log in.")
    session.commit()  # records last_seen_at: presence for the queue's wait estimate
    return agent


def require_role(*roles: str) -> Callable[..., Agent]:
    """A route dependency: the logged-in agent must hold one of these roles (checked here, never in the page)."""

    def dependency(agent: Agent = Depends(current_agent)) -> Agent:
        if not any(agent.has_role(role) for role in roles):
            raise ApiError(403, "role_required", f"This needs the {' or '.join(roles)} role.")
        return agent

    return dependency
