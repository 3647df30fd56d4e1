"""Agent accounts and their login sessions."""

from __future__ import annotations

from datetime import datetime
from typing import FrozenSet, List, Literal

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from common.database import utcnow
from common.fields import Name, Password
from console.database import Base

AgentStatus = Literal["available", "away"]
# What an account may do: every account works conversations; leads also read the metrics dashboard; admins
# read the dashboard and the audit trail; trainers label the learning inbox and train candidate models;
# approvers approve, promote and roll back models (never ones they trained or labelled: maker-checker);
# privacy users ask for and approve customers' data exports and erasures (never their own request); editors
# write knowledge-base drafts (console/kb/rules.py says who publishes them).
AGENT = "agent"
LEAD = "lead"
ADMIN = "admin"
TRAINER = "trainer"
APPROVER = "approver"
PRIVACY = "privacy"
EDITOR = "editor"
ROLES = (AGENT, LEAD, ADMIN, TRAINER, APPROVER, PRIVACY, EDITOR)


class Agent(Base):
    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(100), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False)
    password_hash = Column(String(200), nullable=False)
    status = Column(String(10), nullable=False, default="available")
    # Comma-separated roles (ROLES); checked on the server for every route that needs one.
    roles = Column(String(100), nullable=False, default=AGENT)
    last_seen_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    def role_set(self) -> FrozenSet[str]:
        return frozenset(role for role in (self.roles or AGENT).split(",") if role)

    def has_role(self, role: str) -> bool:
        return role in self.role_set()


class AgentSession(Base):
    __tablename__ = "agent_sessions"

    # Only a hash of the cookie's token is stored: a leaked table does not log anyone in.
    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class LoginIn(BaseModel):
    username: Name
    password: Password


class StatusIn(BaseModel):
    status: AgentStatus


class AgentRead(BaseModel):
    username: str
    display_name: str
    status: str
    online: bool
    roles: List[str]

    @classmethod
    def from_row(cls, agent: Agent, *, online_after: datetime) -> AgentRead:
        online = agent.last_seen_at is not None and agent.last_seen_at >= online_after
        return cls(
            username=agent.username,
            display_name=agent.display_name,
            status=agent.status,
            online=online,
            roles=sorted(agent.role_set()),
        )
