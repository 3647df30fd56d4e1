"""Request-scoped pieces shared by the routes: the database session, the logged-in agent, the clients."""

from __future__ import annotations

from typing import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from console.agents import service as agents
from console.agents.models import Agent
from console.errors import ConsoleError

SESSION_COOKIE = "frontdesk_console"


def db_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def current_agent(request: Request, session: Session = Depends(db_session)) -> Agent:
    """The logged-in agent; 401 for everyone else."""
    agent = agents.agent_for_session(request.cookies.get(SESSION_COOKIE), db_session=session)
    if agent is None:
        raise ConsoleError(401, "not_logged_in", "Please log in.")
    session.commit()  # records last_seen_at: presence for the queue's wait estimate
    return agent
