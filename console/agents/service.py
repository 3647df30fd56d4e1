"""Agent accounts: scrypt password hashes, login sessions, presence."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from common.database import utcnow
from console.agents.models import AGENT, ROLES, Agent, AgentSession

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10
# Verified against when the username is unknown, so a wrong username costs the same time as a wrong password.
_DUMMY_HASH: Optional[str] = None


def hash_password(password: str) -> str:
    """A salted scrypt hash in one self-describing string."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encode = base64.urlsafe_b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether the password gives the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.urlsafe_b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


def create_agent(
    *, username: str, display_name: str, password: str, roles: tuple = (AGENT,), db_session: Session
) -> Agent:
    """Add an agent account."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))} (known: {', '.join(ROLES)})")
    agent = Agent(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=",".join(sorted(set(roles) | {AGENT})),
    )
    db_session.add(agent)
    db_session.flush()
    return agent


def set_password(agent: Agent, password: str, *, db_session: Session) -> None:
    """Replace an agent's password and end their sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    agent.password_hash = hash_password(password)
    db_session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
    db_session.flush()


def by_username(username: str, *, db_session: Session) -> Optional[Agent]:
    """The agent with this username, if any."""
    return db_session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()


def all_agents(*, db_session: Session) -> List[Agent]:
    """Every agent, by display name."""
    return list(db_session.execute(select(Agent).order_by(Agent.display_name)).scalars())


def authenticate(username: str, password: str, *, db_session: Session) -> Optional[Agent]:
    """The agent if the password is right, else None (same work either way)."""
    global _DUMMY_HASH
    agent = by_username(username, db_session=db_session)
    if agent is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        password_matches(password, _DUMMY_HASH)
        return None
    return agent if password_matches(password, agent.password_hash) else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(agent: Agent, *, hours: float, db_session: Session) -> Tuple[str, datetime]:
    """A new login session: the token for the cookie and when it expires."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours)
    db_session.add(AgentSession(token_hash=_token_hash(token), agent_id=agent.id, expires_at=expires_at))
    agent.last_seen_at = utcnow()
    db_session.flush()
    return token, expires_at


def agent_for_session(token: Optional[str], *, db_session: Session) -> Optional[Agent]:
    """The logged-in agent for a cookie token, if the session exists and has not expired."""
    if not token:
        return None
    row = db_session.get(AgentSession, _token_hash(token))
    if row is None or row.expires_at <= utcnow():
        return None
    agent = db_session.get(Agent, row.agent_id)
    if agent is not None:
        agent.last_seen_at = utcnow()
    return agent


def end_session(token: Optional[str], *, db_session: Session) -> None:
    """Log out: the token stops working at once."""
    if token:
        db_session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))


def available_agents(*, online_after: datetime, db_session: Session) -> List[Agent]:
    """Agents marked available who used the console recently."""
    statement = select(Agent).where(Agent.status == "available", Agent.last_seen_at >= online_after)
    return list(db_session.execute(statement).scalars())
