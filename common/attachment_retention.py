"""Retention of customers' attachments: files older than ATTACHMENT_RETENTION_DAYS (default 30) are deleted.

`python -m common.attachment_retention purge [--dry-run]` does it once and prints what it deleted (or would
delete); the console also purges at start-up and every hour in a background thread (`start_hourly_purge`), so
a deployment needs no cron job. Age is the file's modification time, which is when the channel stored it:
files are written once and never changed.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from common.env import ConfigurationError
from common.settings import attachment_settings

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600
DAY_SECONDS = 86_400
META_SUFFIX = ".json"


@dataclass(frozen=True)
class PurgeResult:
    files: int  # attachments (each its bytes plus its description) deleted, or that would be
    bytes: int
    kept: int


def purge(
    directory: Path, retention_days: int, *, dry_run: bool = False, now: Optional[float] = None
) -> PurgeResult:
    """Delete every attachment whose bytes or description is older than the retention period."""
    if retention_days < 1:
        raise ConfigurationError(f"ATTACHMENT_RETENTION_DAYS must be 1 or more, not {retention_days}.")
    if not directory.is_dir():
        return PurgeResult(0, 0, 0)
    cutoff = (time.time() if now is None else now) - retention_days * DAY_SECONDS
    # An attachment is `<id>` and `<id>.json`; either one alone (a crash between the two writes) goes too.
    ids = {path.name.removesuffix(META_SUFFIX) for path in directory.iterdir() if path.is_file()}
    deleted = deleted_bytes = kept = 0
    for attachment_id in sorted(ids):
        parts = [
            path
            for path in (directory / attachment_id, directory / f"{attachment_id}{META_SUFFIX}")
            if path.is_file()
        ]
        if all(path.stat().st_mtime >= cutoff for path in parts):
            kept += 1
            continue
        deleted += 1
        deleted_bytes += sum(path.stat().st_size for path in parts if path.suffix != META_SUFFIX)
        if not dry_run:
            for path in parts:
                path.unlink(missing_ok=True)
    return PurgeResult(deleted, deleted_bytes, kept)


def purge_configured(*, dry_run: bool = False) -> PurgeResult:
    settings = attachment_settings()
    return purge(settings.directory, settings.retention_days, dry_run=dry_run)


def start_hourly_purge(interval_seconds: float = PURGE_EVERY_SECONDS) -> threading.Event:
    """Purge now and then every interval in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                result = purge_configured()
                if result.files:
                    logger.info(
                        "attachment retention: deleted %d files (%d bytes)", result.files, result.bytes
                    )
            except Exception as exc:  # noqa: BLE001 - a failed purge is retried next hour, the console goes on
                logger.warning("attachment retention purge failed: %s", exc)
            stop.wait(interval_seconds)

    threading.Thread(target=run, name="attachment-retention", daemon=True).start()
    return stop


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Delete customers' attachments older than the retention period."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    purge_command = commands.add_parser("purge", help="delete files older than ATTACHMENT_RETENTION_DAYS")
    purge_command.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    args = parser.parse_args(argv)
    settings = attachment_settings()
    result = purge(settings.directory, settings.retention_days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"{verb} {result.files} attachment(s), {result.bytes} bytes, older than {settings.retention_days} days "
        f"in {settings.directory}; kept {result.kept}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
