"""Console commands: serve, add an agent, make sure the demo agents exist."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path
from typing import List, Optional

from console.agents import service as agents
from console.config import REPO_ROOT, settings
from console.database import create_schema, make_engine, session_factory

DEMO_AGENTS = (("alice", "Alice"), ("bob", "Bob"))


def _session():
    engine = make_engine(settings().database_url)
    create_schema(engine)
    return session_factory(engine)()


def add_agent(username: str, display_name: str, password: Optional[str]) -> int:
    """Create an agent; the password comes from CONSOLE_AGENT_PASSWORD or a prompt, never the command line."""
    password = password or os.environ.get("CONSOLE_AGENT_PASSWORD") or getpass.getpass("Password: ")
    with _session() as session:
        if agents.by_username(username, db_session=session):
            print(f"agent {username!r} already exists", file=sys.stderr)
            return 1
        try:
            agents.create_agent(
                username=username, display_name=display_name, password=password, db_session=session
            )
        except ValueError as exc:
            print(f"not created: {exc}", file=sys.stderr)
            return 1
        session.commit()
    print(f"agent {username!r} created")
    return 0


def ensure_demo_agents(passwords_file: Path) -> int:
    """Local demo: agents alice and bob with random passwords, written to a file only the user can read."""
    lines = []
    with _session() as session:
        for username, display_name in DEMO_AGENTS:
            agent = agents.by_username(username, db_session=session)
            if agent is not None and passwords_file.exists():
                continue
            password = secrets.token_urlsafe(12)
            if agent is None:
                agents.create_agent(
                    username=username, display_name=display_name, password=password, db_session=session
                )
            else:
                agents.set_password(agent, password, db_session=session)
            lines.append(f"{username} {password}\n")
        session.commit()
    if lines:
        passwords_file.parent.mkdir(parents=True, exist_ok=True)
        passwords_file.touch(mode=0o600)
        passwords_file.write_text("".join(lines))
    return 0


def serve(host: str, port: int) -> int:
    import uvicorn

    from console.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info", proxy_headers=True)
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
    demo = commands.add_parser("demo-agents", help="create the local demo agents (alice, bob)")
    demo.add_argument("--passwords-file", type=Path, default=REPO_ROOT / "var" / "console-demo-agents.txt")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port)
    if args.command == "add-agent":
        return add_agent(args.username, args.display_name, None)
    return ensure_demo_agents(args.passwords_file)


if __name__ == "__main__":
    sys.exit(main())
