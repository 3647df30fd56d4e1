"""`python -m privacy purge [--dry-run] [--batch-size N] [--every [SECONDS]]`: the retention purge; and
`python -m privacy request|approve|reject|requests`: customers' export and erasure (privacy/requests_cli.py).

Once: prints one line per store with its window and what was deleted (or, with --dry-run, what would be),
and exits non-zero if a store failed. With --every it runs again every SECONDS (default
PRIVACY_PURGE_INTERVAL_SECONDS, hourly) until stopped: the `make run` stack and the compose service do that.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import List, Optional, Sequence

from common.env import ConfigurationError
from common.retention_settings import retention_settings
from privacy import requests_cli
from privacy.retention import purge, report, stores


def positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def positive_seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {raw}")
    return value


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="python -m privacy", description='Frontdesk\'s privacy service (README "Retention").'
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    purge_command = commands.add_parser(
        "purge", help="delete personal data past each store's retention window, in batches"
    )
    purge_command.add_argument("--dry-run", action="store_true", help="only count, per store, what would go")
    purge_command.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="rows per transaction (default PRIVACY_PURGE_BATCH_SIZE, 500)",
    )
    purge_command.add_argument(
        "--every",
        type=positive_seconds,
        nargs="?",
        const=0.0,
        default=None,
        metavar="SECONDS",
        help="run again every SECONDS until stopped (no value: PRIVACY_PURGE_INTERVAL_SECONDS, 3600)",
    )
    requests_cli.add_commands(commands)
    purge_command.add_argument(
        "--customer-requests",
        action="store_true",
        help="each run also carries out what verified customers asked in the chat: data copies, and deletions"
        " past ERASURE_COOLING_OFF_DAYS (privacy/customer_requests.py)",
    )
    return main_parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    if args.command in requests_cli.COMMANDS:
        return requests_cli.run(args)
    try:
        settings = retention_settings()
    except ConfigurationError as exc:
        print(f"privacy purge: {exc}", file=sys.stderr)
        return 2
    batch_size = args.batch_size or settings.batch_size
    store_list = stores(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    interval = args.every or settings.interval_seconds
    while True:
        results = purge(store_list, dry_run=args.dry_run, batch_size=batch_size)
        heading = "Retention purge, dry run: what would go" if args.dry_run else "Retention purge"
        print(f"{heading} (batches of {batch_size})\n{report(results, dry_run=args.dry_run)}", flush=True)
        failed: List[str] = [result.store.name for result in results if result.error]
        if args.customer_requests:
            asked = argparse.Namespace(command="customer-requests", dry_run=args.dry_run)
            if requests_cli.run(asked) != 0:
                failed.append("customer requests")
        if args.every is None:
            if failed:
                print(f"privacy purge: failed for {', '.join(failed)}", file=sys.stderr)
            return 1 if failed else 0
        if stop.wait(interval):
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
