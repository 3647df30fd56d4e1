"""The registry from a terminal (`make models`, `make retrain`, `make rollback`).

python -m console.registry list
python -m console.registry bootstrap --model models/X.tar.gz   (`make run`: a first production model)
python -m console.registry retrain [--by NAME] [--data DIR]   (train, register, gate, in the foreground)
python -m console.registry rollback --reason "..." [--by NAME]
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import List, Optional

from sqlalchemy.orm import Session

from common.database import make_engine, make_session_factory
from common.errors import ApiError
from common.settings import console_settings, learning_settings
from console.registry import service
from console.schema import create_schema
from console.training import service as training
from console.training.worker import run_job


def _session() -> Session:
    engine = make_engine(console_settings().database_url)
    create_schema(engine)
    return make_session_factory(engine)()


def list_models(session: Session) -> int:
    rows = service.listing(db_session=session)
    if not rows:
        print("The registry is empty: `make run` registers the newest model in models/ as the first one.")
        return 0
    print(f"{'version':<26} {'status':<10} {'gate':<7} {'trained by':<12} {'approved by':<12} sha256")
    for row in rows:
        gate = {True: "passed", False: "FAILED", None: "-"}[row.gate_passed]
        print(
            f"{row.version:<26} {row.status:<10} {gate:<7} {row.trained_by:<12} "
            f"{row.approved_by or '-':<12} {row.sha256[:16]}"
        )
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every registered model, newest first")
    boot = commands.add_parser("bootstrap", help="register an archive; production if the registry has none")
    boot.add_argument("--model", type=Path, required=True)
    retrain = commands.add_parser(
        "retrain", help="train a candidate from data/ plus accepted labels, then gate it"
    )
    retrain.add_argument("--by", default=getpass.getuser())
    retrain.add_argument("--data", type=Path, default=None, help="another data folder than data/")
    back = commands.add_parser("rollback", help="serve the previous production model again")
    back.add_argument("--reason", required=True)
    back.add_argument("--by", default=getpass.getuser())
    args = parser.parse_args(argv)
    settings = learning_settings()
    with _session() as session:
        try:
            if args.command == "list":
                return list_models(session)
            if args.command == "bootstrap":
                model = service.bootstrap(args.model, registry_dir=settings.registry_dir, db_session=session)
                session.commit()
                print(f"{model.version}: {model.status}")
                return 0
            if args.command == "rollback":
                model = service.rollback(actor=args.by, reason=args.reason, db_session=session)
                session.commit()
                print(f"{model.version} is in production again; Rasa switches at its next pull.")
                return 0
            job = training.create(args.by, data_dir=args.data, db_session=session)
            session.commit()
            job = run_job(job.id, session=session, settings=settings)
        except ApiError as exc:
            print(f"refused: {exc.message}", file=sys.stderr)
            return 1
    print(f"job {job.id}: {job.status}, model {job.version or '-'} {job.error or ''}".rstrip())
    return 0 if job.status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
