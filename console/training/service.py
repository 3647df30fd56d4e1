"""Starting, watching and reaping training jobs. One job at a time: the database says which one is active,
and the worker holds a file lock while it runs, so `make retrain` and the console's button cannot overlap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.database import utcnow
from common.errors import ApiError
from common.paths import REPO_ROOT
from console.training.models import ACTIVE, FAILED, QUEUED, TrainingJob


def latest(*, db_session: Session) -> Optional[TrainingJob]:
    return db_session.scalars(select(TrainingJob).order_by(TrainingJob.id.desc())).first()


def _alive(pid: Optional[int]) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap(*, db_session: Session, stale_queued_seconds: float = 120) -> None:
    """Mark jobs whose worker died (kill -9, a reboot) as failed, so a crash never blocks the next job."""
    for job in db_session.scalars(select(TrainingJob).where(TrainingJob.status.in_(ACTIVE))):
        queued_too_long = (
            job.status == QUEUED and (utcnow() - job.created_at).total_seconds() > stale_queued_seconds
        )
        if (job.pid and not _alive(job.pid)) or (not job.pid and queued_too_long):
            job.status = FAILED
            job.error = "The training process ended without finishing; nothing was registered."
            job.finished_at = utcnow()
    db_session.flush()


def create(requested_by: str, *, data_dir: Optional[Path] = None, db_session: Session) -> TrainingJob:
    """A queued job, or 409 when one is already queued or running."""
    reap(db_session=db_session)
    running = db_session.scalars(select(TrainingJob).where(TrainingJob.status.in_(ACTIVE))).first()
    if running is not None:
        raise ApiError(409, "training_running", f"Training job {running.id} is still {running.status}.")
    job = TrainingJob(requested_by=requested_by, data_dir=str(data_dir) if data_dir else None)
    db_session.add(job)
    db_session.flush()
    return job


def launch(job: TrainingJob, *, log_dir: Path, env: Optional[Dict[str, str]] = None) -> int:
    """Run the worker for a committed job in the background; its log goes to log_dir/job-<id>.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"job-{job.id}.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "console.training.worker", "--job", str(job.id)],
            cwd=REPO_ROOT,
            env=env or dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process.pid
