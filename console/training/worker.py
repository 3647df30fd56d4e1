"""One training job, start to end: export the accepted labels into a copy of the data, train, register the
archive as a candidate, run the promotion gate.

    python -m console.training.worker --job ID     (started by the console's button or `make retrain`)

A crash at any point leaves the registry consistent: the candidate is registered in one transaction, only
after its archive is complete, and the job row says where it stopped. A file lock keeps it to one job.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Optional

from sqlalchemy.orm import Session

from common.database import make_engine, make_session_factory, utcnow
from common.paths import REPO_ROOT
from common.settings import LearningSettings, console_settings, learning_settings
from console.registry import service as registry
from console.schema import create_schema
from console.training.gate import run_gate
from console.training.models import FAILED, RUNNING, SUCCEEDED, TrainingJob

RASA = REPO_ROOT / ".venv" / "bin" / "rasa"
HELDOUT_SETS = {"nlu": REPO_ROOT / "tests" / "nlu", "independent": REPO_ROOT / "tests" / "nlu_independent"}
# The dialogue stories and the end-to-end conversation tests, as `make test` runs them.
STORIES = REPO_ROOT / "tests"
# Progress shown while `rasa train` runs: its share of the bar, spread over a typical duration on 2 cores.
TRAIN_FROM, TRAIN_TO, TYPICAL_TRAIN_SECONDS = 10, 70, 150


class AnotherJobRunning(RuntimeError):
    pass


@contextmanager
def single_job_lock(registry_dir: Path) -> Iterator[None]:
    registry_dir.mkdir(parents=True, exist_ok=True)
    with open(registry_dir / "training.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AnotherJobRunning("another training job holds the lock") from exc
        yield


def _stage(session: Session, job: TrainingJob, stage: str, progress: int) -> None:
    job.stage, job.progress = stage, progress
    session.commit()
    print(f"[job {job.id}] {stage} ({progress}%)", flush=True)


def _prepare_data(session: Session, job: TrainingJob, work: Path) -> List[str]:
    """Copy the training data and the first held-out set, then add the accepted labels to both copies."""
    from console.inbox.export import export_labels

    source = Path(job.data_dir) if job.data_dir else REPO_ROOT / "data"
    shutil.copytree(source, work / "data")
    shutil.copytree(HELDOUT_SETS["nlu"], work / "heldout")
    exported = export_labels(db_session=session, data_dir=work / "data", heldout_dir=work / "heldout")
    print(f"[job {job.id}] exported {exported.examples} examples, {exported.heldout} held out", flush=True)
    return exported.trainers


def _train(work: Path) -> Path:
    """`rasa train` on the copied data (Rasa's cache makes unchanged parts, such as the dialogue, quick)."""
    out = work / "out"
    with open(work / "train.log", "ab") as log:
        subprocess.run(
            [
                str(RASA),
                "train",
                "--data",
                str(work / "data"),
                "--config",
                str(REPO_ROOT / "config.yml"),
                "--domain",
                str(REPO_ROOT / "domain.yml"),
                "--out",
                str(out),
                "--fixed-model-name",
                "candidate",
            ],
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return out / "candidate.tar.gz"


def _train_with_progress(session: Session, job: TrainingJob, work: Path) -> Path:
    import threading

    done = threading.Event()
    started = time.monotonic()
    result: List[Path] = []
    errors: List[BaseException] = []

    def target() -> None:
        try:
            result.append(_train(work))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the job's thread below
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=target, daemon=True).start()
    while not done.wait(3):
        share = min((time.monotonic() - started) / TYPICAL_TRAIN_SECONDS, 0.95)
        _stage(session, job, "training", TRAIN_FROM + int(share * (TRAIN_TO - TRAIN_FROM)))
    if errors:
        raise RuntimeError(f"rasa train failed; see {work / 'train.log'}") from errors[0]
    return result[0]


def run_job(job_id: int, *, session: Session, settings: LearningSettings) -> TrainingJob:
    job = session.get(TrainingJob, job_id)
    if job is None:
        raise SystemExit(f"no training job {job_id}")
    work = settings.registry_dir / "jobs" / str(job.id)
    try:
        with single_job_lock(settings.registry_dir):
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            job.status, job.pid, job.started_at = RUNNING, os.getpid(), utcnow()
            _stage(session, job, "exporting labels", 5)
            labellers = _prepare_data(session, job, work)
            _stage(session, job, "training", TRAIN_FROM)
            archive = _train_with_progress(session, job, work)
            _stage(session, job, "registering", TRAIN_TO + 2)
            candidate = registry.register(
                archive,
                registry_dir=settings.registry_dir,
                trained_by=job.requested_by,
                labelled_by=labellers,
                data_dir=work / "data",
                db_session=session,
            )
            job.version = candidate.version
            session.commit()
            _stage(session, job, "running the promotion gate", 75)
            current = registry.production(db_session=session)
            result = run_gate(
                Path(candidate.archive_path),
                Path(current.archive_path) if current is not None else None,
                heldout={"nlu": work / "heldout", "independent": HELDOUT_SETS["independent"]},
                stories=STORIES,
                work_dir=work,
                settings=settings,
            )
            result.report["compared_with"] = current.version if current is not None else None
            registry.record_gate(
                candidate,
                passed=result.passed,
                report=result.report,
                metrics=result.metrics,
                db_session=session,
            )
            job.status, job.finished_at = SUCCEEDED, utcnow()
            _stage(session, job, "gate passed" if result.passed else "gate failed", 100)
    except Exception as exc:  # noqa: BLE001 - every failure ends the job with its reason
        session.rollback()
        job = session.get(TrainingJob, job_id) or job
        job.status, job.finished_at = FAILED, utcnow()
        job.error = str(exc)[:2000]
        session.commit()
        traceback.print_exc()
    return job


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run one training job (train, register, gate).")
    parser.add_argument("--job", type=int, required=True)
    args = parser.parse_args(argv)
    engine = make_engine(console_settings().database_url)
    create_schema(engine)
    with make_session_factory(engine)() as session:
        job = run_job(args.job, session=session, settings=learning_settings())
        print(f"job {job.id}: {job.status} {job.version or ''} {job.error or ''}".strip(), flush=True)
        return 0 if job.status == SUCCEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
