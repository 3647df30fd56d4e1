"""`python -m privacy request|approve|reject|requests`: data-subject requests from a terminal, under the same
rules as the console's Privacy screen (console/privacy): the person named by --by must be a console user
with the `privacy` role, and a request is carried out only when a second one approves it.

    python -m privacy request export --email dana@example.org --by alice --reason "asked by email, ticket 41"
    python -m privacy approve 7 --by priya      # prints the erasure receipt, or the export bundle's path
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Dict

from pydantic import ValidationError
from sqlalchemy.orm import Session

from clients.backend import BackendApi
from clients.http import ServiceRefused, ServiceUnavailable
from common.database import make_engine, make_session_factory
from common.errors import ApiError
from common.retention_settings import conversation_key_settings, retention_settings
from common.settings import ConfigurationError, console_settings
from common.texts import MessageTemplates
from console.agents import service as agents
from console.agents.models import PRIVACY
from console.privacy import service
from console.privacy.models import RequestIn, RequestRead
from console.privacy.stores import stores_for
from console.schema import create_schema
from privacy import customer_requests


def add_commands(commands: Any) -> None:
    ask = commands.add_parser(
        "request", help="ask for a customer's export or erasure (a second person approves)"
    )
    ask.add_argument("kind", choices=("export", "erasure"))
    who = ask.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--phone")
    ask.add_argument("--by", required=True, help="your console username (privacy role)")
    ask.add_argument("--reason", required=True)
    ask.add_argument("--ticket", type=int, default=None, help="the customer's request ticket, if any")
    approve = commands.add_parser("approve", help="carry out someone else's request")
    approve.add_argument("request_id", type=int)
    approve.add_argument("--by", required=True)
    reject = commands.add_parser("reject", help="refuse someone else's request")
    reject.add_argument("request_id", type=int)
    reject.add_argument("--by", required=True)
    reject.add_argument("--note", default="")
    commands.add_parser("requests", help="list the newest requests")
    asked = commands.add_parser(
        "customer-requests",
        help="carry out what verified customers asked in the chat: copies of their data, and deletions whose"
        " cooling-off period has passed",
    )
    asked.add_argument("--dry-run", action="store_true", help="only list the tickets that are due")


def _privacy_user(username: str, session: Session) -> str:
    agent = agents.by_username(username, db_session=session)
    if agent is None or not agent.has_role(PRIVACY):
        raise ApiError(403, "role_required", f"{username!r} is not a console user with the privacy role.")
    return agent.username


def _ask(args: argparse.Namespace, session: Session, backend: BackendApi) -> Dict[str, Any]:
    body = RequestIn(
        kind=args.kind, email=args.email, phone=args.phone, reason=args.reason, ticket_id=args.ticket
    )
    requester = _privacy_user(args.by, session)
    customer_id = backend.privacy.find_customer(email=body.email, phone=None if body.email else body.phone)
    if customer_id is None:
        raise ApiError(404, "customer_not_found", "No customer has that email or phone.")
    return RequestRead.from_row(
        service.create(body, customer_id, requested_by=requester, db_session=session)
    ).dict()


def _approve(args: argparse.Namespace, session: Session, backend: BackendApi) -> Dict[str, Any]:
    done = service.approve(
        args.request_id,
        approver=_privacy_user(args.by, session),
        stores_for=stores_for(backend),
        export_dir=conversation_key_settings().export_dir,
        db_session=session,
    )
    return {**RequestRead.from_row(done).dict(), "bundle_path": done.bundle_path}


def _reject(args: argparse.Namespace, session: Session, _backend: BackendApi) -> Dict[str, Any]:
    done = service.reject(
        args.request_id, decider=_privacy_user(args.by, session), note=args.note, db_session=session
    )
    return RequestRead.from_row(done).dict()


def _list(_args: argparse.Namespace, session: Session, _backend: BackendApi) -> Dict[str, Any]:
    return {"items": [RequestRead.from_row(row).dict() for row in service.listing(db_session=session)]}


def _customer_requests(args: argparse.Namespace, session: Session, backend: BackendApi) -> Dict[str, Any]:
    sessions = make_session_factory(session.get_bind())
    settings = conversation_key_settings()
    copies = customer_requests.send_requested_copies(
        backend,
        sessions,
        stores_for=stores_for(backend),
        settings=settings,
        templates=MessageTemplates(),
        dry_run=args.dry_run,
    )
    deletions = customer_requests.carry_out_due_deletions(
        backend,
        sessions,
        stores_for=stores_for(backend),
        settings=settings,
        cooling_off=retention_settings().erasure_cooling_off,
        dry_run=args.dry_run,
    )
    outcome = "due" if args.dry_run else "carried_out"
    return {
        "dry_run": args.dry_run,
        "copies": {outcome: [vars(each) for each in copies]},
        "deletions": {outcome: [vars(each) for each in deletions]},
    }


COMMANDS: Dict[str, Callable[[argparse.Namespace, Session, BackendApi], Dict[str, Any]]] = {
    "request": _ask,
    "approve": _approve,
    "reject": _reject,
    "requests": _list,
    "customer-requests": _customer_requests,
}


def run(args: argparse.Namespace) -> int:
    try:
        settings = console_settings()
        engine = make_engine(settings.database_url)
        create_schema(engine)
        backend = BackendApi.connect(settings.backend)
        with make_session_factory(engine)() as session:
            answer = COMMANDS[args.command](args, session, backend)
            session.commit()
    except (ConfigurationError, ValidationError) as error:
        print(f"privacy {args.command}: {error}", file=sys.stderr)
        return 2
    except ApiError as error:
        print(f"privacy {args.command}: {error.message}", file=sys.stderr)
        return 1
    except (ServiceRefused, ServiceUnavailable) as error:
        print(f"privacy {args.command}: the backend refused or is down: {error}", file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2, default=str))
    return 0
