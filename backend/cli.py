"""Command line for the backend: `python -m backend.cli migrate|seed|serve|openapi|latest-message`."""

from __future__ import annotations

import argparse
import json
import sys

from common import logs
from common.settings import ConfigurationError, backend_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m backend.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply schema migrations to DATABASE_URL")
    sub.add_parser("seed", help="migrate, then insert the demo customers if missing")
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("openapi", help="print the OpenAPI spec as JSON")
    newest = sub.add_parser("latest-message", help="development: print the newest outbox message to someone")
    newest.add_argument("recipient", help="email address or phone number")
    args = parser.parse_args(argv)
    try:
        settings = backend_settings()
    except ConfigurationError as exc:
        print(f"The backend refuses to start: {exc}", file=sys.stderr)
        return 2
    from common.database import make_engine, make_session_factory

    if args.command in ("migrate", "seed"):
        from backend import migrations

        migrations.upgrade(settings.database_url)
        if args.command == "seed":
            from backend.seed import seed_demo_data

            engine = make_engine(settings.database_url)
            with make_session_factory(engine)() as session:
                created = seed_demo_data(db_session=session)
            engine.dispose()
            print("demo data seeded" if created else "demo data already present")
        return 0
    if args.command == "serve":
        import uvicorn

        from backend.app import create_app

        logs.configure("backend")
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
        return 0
    if args.command == "latest-message":
        from backend.customers.phones import normalise_phone
        from backend.notifications.service import clear_body, clear_recipient, latest

        recipient = (
            args.recipient if "@" in args.recipient else normalise_phone(args.recipient) or args.recipient
        )
        engine = make_engine(settings.database_url)
        with make_session_factory(engine)() as session:
            message = latest(recipient, db_session=session)
            if message is None:
                print(f"no message to {args.recipient}")
                return 1
            print(
                f"[{message.channel}] to {clear_recipient(message, db_session=session)} at "
                f"{message.created_at:%H:%M:%S}: {message.subject}"
            )

            print(clear_body(message, db_session=session))
        engine.dispose()
        return 0
    if args.command == "openapi":
        from backend.app import create_app

        json.dump(create_app(settings).openapi(), sys.stdout, indent=2)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
