"""Retention of the stores that are files, not tables: attachments, log files and export bundles (a store
each, in privacy/retention.py's list)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List

from common import attachment_retention
from common.retention_settings import conversation_key_settings
from common.settings import attachment_settings
from privacy.retention import Store


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()


def attachments_store() -> Store:
    """common/attachment_retention.py's purge, registered here (it also runs hourly in the console)."""
    settings = attachment_settings()
    days = settings.retention_days

    def run(cutoff: datetime, dry_run: bool) -> int:
        # That purge counts back from "now": give it the now that puts its cutoff on ours.
        now = _epoch(cutoff) + days * attachment_retention.DAY_SECONDS
        return attachment_retention.purge(settings.directory, days, dry_run=dry_run, now=now).files

    return Store(
        "attachments",
        "ATTACHMENT_RETENTION_DAYS",
        timedelta(days=days),
        lambda cutoff: run(cutoff, True),
        lambda cutoff, _batch_size: run(cutoff, False),
        unit="files",
    )


def _old_logs(directory: Path, cutoff: datetime) -> Iterator[Path]:
    """*.log files (and rotated *.log.1, *.log.gz) under the directory last written before the cutoff."""
    if not directory.is_dir():
        return
    limit = _epoch(cutoff)
    for path in sorted(directory.rglob("*.log*")):
        is_log = path.name.endswith(".log") or ".log." in path.name
        if is_log and path.is_file() and path.stat().st_mtime < limit:
            yield path


def logs_store(directory: Path, window: timedelta) -> Store:
    def deleted(cutoff: datetime, _batch_size: int) -> int:
        went = 0
        for path in list(_old_logs(directory, cutoff)):
            path.unlink(missing_ok=True)
            went += 1
        return went

    return Store(
        "logs",
        "LOG_RETENTION_DAYS",
        window,
        lambda cutoff: sum(1 for _ in _old_logs(directory, cutoff)),
        deleted,
        unit="files",
    )


def exports_store(window: timedelta) -> Store:
    """Export bundles (zip files of everything about a customer) in PRIVACY_EXPORT_DIR: a customer's link
    works for PRIVACY_DOWNLOAD_HOURS, a privacy user downloads theirs at once; after the window they go."""

    def old(cutoff: datetime) -> List[Path]:
        folder = conversation_key_settings().export_dir
        if not folder.is_dir():
            return []
        limit = _epoch(cutoff)
        return [path for path in folder.glob("*.zip") if path.is_file() and path.stat().st_mtime < limit]

    def deleted(cutoff: datetime, _batch_size: int) -> int:
        went = old(cutoff)
        for path in went:
            path.unlink(missing_ok=True)
        return len(went)

    return Store(
        "privacy-exports",
        "PRIVACY_EXPORT_RETENTION_DAYS",
        window,
        lambda cutoff: len(old(cutoff)),
        deleted,
        unit="files",
    )
