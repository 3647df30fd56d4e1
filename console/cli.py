"""Console commands: serve, add an agent, make sure the demo agents exist."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path
from typing import List, Optional, Tuple

from sqlalchemy.orm import Session

from common import logs
from common.database import make_engine, make_session_factory
from common.paths import VAR_DIR
from common.settings import ConfigurationError, console_settings
from console.agents import service as agents
from console.agents.models import ADMIN, AGENT, APPROVER, EDITOR, PRIVACY, ROLES, TRAINER
from console.schema import create_schema

DEMO_AGENTS: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    ("alice", "Alice", (AGENT, ADMIN, PRIVACY)),
    ("bob", "Bob", (AGENT,)),
    ("tara", "Tara", (AGENT, TRAINER)),
    ("vera", "Vera", (AGENT, APPROVER)),
    ("priya", "Priya", (AGENT, PRIVACY)),
    ("erin", "Erin", (AGENT, EDITOR)),
)


def _session() -> Session:
    engine = make_engine(os.environ.get("CONSOLE_DATABASE_URL") or console_settings().database_url)
    create_schema(engine)
    return make_session_factory(engine)()


def add_agent(username: str, display_name: str, roles: Tuple[str, ...]) -> int:
    """Create an agent; the password comes from CONSOLE_AGENT_PASSWORD or a prompt, never the command line."""
    password = os.environ.get("CONSOLE_AGENT_PASSWORD") or getpass.getpass("Password: ")
    with _session() as session:
        if agents.by_username(username, db_session=session):
            print(f"agent {username!r} already exists", file=sys.stderr)
            return 1
        try:
            agents.create_agent(
                username=username,
                display_name=display_name,
                password=password,
                roles=roles,
                db_session=session,
            )
        except ValueError as exc:
            print(f"not created: {exc}", file=sys.stderr)
            return 1
        session.commit()
    print(f"agent {username!r} created ({', '.join(sorted(set(roles) | {AGENT}))})")
    return 0


def ensure_demo_agents(passwords_file: Path) -> int:
    """Local demo: agents alice (also an admin and privacy), bob, tara (trainer), vera (approver), priya
    (privacy) and erin (knowledge-base editor) with random passwords, in a file only the user reads."""
    lines = []
    with _session() as session:
        for username, display_name, roles in DEMO_AGENTS:
            agent = agents.by_username(username, db_session=session)
            if agent is not None and passwords_file.exists():
                continue
            password = secrets.token_urlsafe(12)
            if agent is None:
                agents.create_agent(
                    username=username,
                    display_name=display_name,
                    password=password,
                    roles=roles,
                    db_session=session,
                )
            else:
                agents.set_password(agent, password, db_session=session)
            lines.append(f"{username} {password}\n")
        session.commit()
    if lines:
        passwords_file.parent.mkdir(parents=True, exist_ok=True)
        passwords_file.touch(mode=0o600)
        # Appended: with the file there, only demo agents added since it was written (erin) are new here.
        with passwords_file.open("a") as kept:
            kept.write("".join(lines))
    return 0


def serve(host: str, port: int) -> int:
    import uvicorn

    from console.app import create_app

    try:
        app = create_app()
    except ConfigurationError as exc:
        print(f"The console refuses to start: {exc}", file=sys.stderr)
        return 2
    logs.configure("console")
    uvicorn.run(app, host=host, port=port, log_config=None)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run the console web app")
    serve_cmd.add_argument("--host", default=os.environ.get("CONSOLE_HOST", "127.0.0.1"))
    serve_cmd.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8090")))
    add = commands.add_parser("add-agent", help="create an agent account")
    add.add_argument("username")
    add.add_argument("display_name")
    add.add_argument("--role", action="append", choices=ROLES, default=[], help="repeat for several roles")
    demo = commands.add_parser("demo-agents", help="create the local demo agents (alice, bob)")
    demo.add_argument("--passwords-file", type=Path, default=VAR_DIR / "console-demo-agents.txt")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port)
    if args.command == "add-agent":
        return add_agent(args.username, args.display_name, tuple(args.role) or (AGENT,))
    return ensure_demo_agents(args.passwords_file)


if __name__ == "__main__":
    sys.exit(main())
