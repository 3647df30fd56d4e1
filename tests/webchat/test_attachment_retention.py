"""Retention of attachments: the purge deletes only files older than ATTACHMENT_RETENTION_DAYS, both halves of
each, and a dry run only counts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from common.attachment_retention import purge
from common.attachments import AttachmentStore
from common.env import ConfigurationError
from common.paths import REPO_ROOT

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DAY = 86_400


def age(directory: Path, attachment_id: str, days: float) -> None:
    """Make an attachment look stored `days` ago (both its bytes and its description)."""
    moment = time.time() - days * DAY
    for path in (directory / attachment_id, directory / f"{attachment_id}.json"):
        os.utime(path, (moment, moment))


def test_the_purge_deletes_only_files_past_retention(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, 10_000)
    old = store.save(PNG, "old.png", "wc-1")
    recent = store.save(PNG + b"\x01", "recent.png", "wc-1")
    age(tmp_path, old.id, 31)
    age(tmp_path, recent.id, 29)
    orphan = tmp_path / "AAAAAAAAAAAAAAAAAAAAAA.json"  # a description whose bytes were never written
    orphan.write_text("{}")
    os.utime(orphan, (time.time() - 40 * DAY,) * 2)

    result = purge(tmp_path, 30)

    assert (result.files, result.bytes, result.kept) == (2, len(PNG), 1)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([recent.id, f"{recent.id}.json"])
    assert store.find(recent.id) is not None and store.find(old.id) is None


def test_a_dry_run_counts_and_deletes_nothing(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, 10_000)
    old = store.save(PNG, "old.png", "wc-1")
    store.save(PNG, "new.png", "wc-1")
    age(tmp_path, old.id, 45)
    before = sorted(tmp_path.iterdir())

    env = {**os.environ, "ATTACHMENTS_DIR": str(tmp_path), "ATTACHMENT_RETENTION_DAYS": "30"}
    env["FRONTDESK_ENV"] = "development"
    run = subprocess.run(
        [sys.executable, "-m", "common.attachment_retention", "purge", "--dry-run"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    assert f"would delete 1 attachment(s), {len(PNG)} bytes, older than 30 days" in run.stdout
    assert "kept 1" in run.stdout
    assert sorted(tmp_path.iterdir()) == before


def test_a_missing_directory_is_nothing_to_purge_and_zero_days_is_refused(tmp_path: Path) -> None:
    assert purge(tmp_path / "absent", 30).files == 0
    with pytest.raises(ConfigurationError):
        purge(tmp_path, 0)
