"""The inbox from a shell:

python -m console.inbox sync                       # read new tracker events and corrections
python -m console.inbox export                     # print the patch an export would make
python -m console.inbox export --out learned.patch # ... into a file
python -m console.inbox export --apply             # write data/nlu/learned.yml, tests/nlu/test_learned.yml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from common.database import make_engine, make_session_factory
from common.paths import REPO_ROOT
from common.settings import console_settings, learning_settings
from console.database import Base
from console.inbox import export, models, service, sources
from console.schema import create_schema


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.inbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync", help="add what is new in the tracker store and the corrections")
    export_cmd = commands.add_parser("export", help="labels as NLU data (a patch unless --apply)")
    export_cmd.add_argument(
        "--apply", action="store_true", help="write the files instead of printing a patch"
    )
    export_cmd.add_argument("--out", type=Path, help="write the patch to this file")
    export_cmd.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data")
    export_cmd.add_argument("--heldout-dir", type=Path, default=REPO_ROOT / "tests" / "nlu")
    args = parser.parse_args(argv)

    engine = make_engine(console_settings().database_url)
    create_schema(engine)
    Base.metadata.create_all(engine, tables=[model.__table__ for model in models.INBOX_MODELS])
    with make_session_factory(engine)() as session:
        if args.command == "sync":
            tracker = sources.open_tracker(learning_settings().tracker_store_url)
            synced = service.sync(db_session=session, tracker_engine=tracker)
            session.commit()
            print(
                f"inbox: {synced.added} added, {synced.updated} updated (tracker event {synced.tracker_position})"
            )
            return 0
        if args.apply:
            done = export.export_labels(
                db_session=session, data_dir=args.data_dir, heldout_dir=args.heldout_dir
            )
            print(f"exported {done.examples} training and {done.heldout} held-out examples")
            return 0
        patch, result = export.export_patch(
            db_session=session, data_dir=args.data_dir, heldout_dir=args.heldout_dir
        )
        if args.out:
            args.out.write_text(patch, encoding="utf-8")
        else:
            sys.stdout.write(patch)
        print(
            f"{result.examples} training, {result.heldout} held out, {result.skipped_duplicates} duplicates and "
            f"{result.skipped_disagreements} disagreements skipped",
            file=sys.stderr,
        )
        return 0


if __name__ == "__main__":
    sys.exit(main())
