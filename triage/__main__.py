"""`python -m triage serve|calibrate|eval` (README "Triage").

- serve: the SMTP receiver (TRIAGE_SMTP_HOST/PORT) and the contact form (--host/--port), as `make run` starts it.
- calibrate: fit the confidence calibration on the dev set and write triage/calibration.json.
- eval --set dev|test: the figures on a labelled set (`make triage-eval` runs both).

calibrate and eval need the served NLU model: with --rasa-url (and RASA_API_TOKEN, or --rasa-token) they ask
that server, e.g. `make run`'s; without, they start a Rasa server of their own on the newest model in models/
(tools/stack.py, as the end-to-end tests do) and stop it afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from common.paths import REPO_ROOT
from common.settings import ServiceEndpoint
from triage.calibration import CALIBRATION_PATH, UNFITTED, Calibration, fit
from triage.classify import Parse
from triage.evaluation import error_lines, load_set, read_all, set_path, summary, summary_lines
from triage.pipeline import ROUTABLE_LANGUAGES


def caching(parse: Parse) -> Parse:
    """The same piece is parsed once per run (subjects and sign-offs repeat across messages)."""
    cache: Dict[str, Dict[str, Any]] = {}

    def cached(text: str) -> Dict[str, Any]:
        if text not in cache:
            cache[text] = parse(text)
        return cache[text]

    return cached


@contextlib.contextmanager
def nlu(rasa_url: Optional[str], rasa_token: Optional[str]) -> Iterator[Parse]:
    from clients.rasa import RasaClient

    if rasa_url:
        token = rasa_token or os.environ.get("RASA_API_TOKEN") or _run_token()
        yield caching(RasaClient.connect(ServiceEndpoint(rasa_url, token, 2, 30, 2)).parse)
        return
    from tools.stack import Stack, StackConfig, latest_model

    with tempfile.TemporaryDirectory(prefix="triage-rasa-") as folder:
        print("Starting a Rasa server on the newest model in models/ (about a minute)...", file=sys.stderr)
        stack = Stack(StackConfig.isolated(Path(folder), model=latest_model(REPO_ROOT / "models")))
        try:
            stack.start_rasa()
            stack.wait_ready(300, ["rasa"])
            endpoint = ServiceEndpoint(stack.config.rasa_url, stack.config.rasa_api_token, 2, 30, 2)
            yield caching(RasaClient.connect(endpoint).parse)
        finally:
            stack.stop()


def _run_token() -> Optional[str]:
    """`make run` keeps its Rasa API token in var/rasa-api-token."""
    path = REPO_ROOT / "var" / "rasa-api-token"
    return path.read_text().strip() if path.is_file() else None


def calibrate(args: argparse.Namespace) -> int:
    labelled = load_set(set_path("dev"))
    with nlu(args.rasa_url, args.rasa_token) as parse:
        # Only the raw classification is fitted on; which calibration reads it here does not matter.
        readings = read_all(labelled, parse, UNFITTED)
    # Only tickets that may be auto-routed at all (the model's language) say how far its reading is trusted.
    routable = [
        (item, reading)
        for item, reading in zip(labelled, readings, strict=True)
        if reading.language in ROUTABLE_LANGUAGES
    ]
    calibration = fit(
        [reading.classification for _item, reading in routable],
        [item.queue == reading.queue for item, reading in routable],
        f"tests/triage/messages_dev.yml ({len(routable)} of {len(labelled)} messages: those in English)",
    )
    calibration.save(args.out)
    print(json.dumps(calibration.__dict__, indent=2, sort_keys=True))
    print(f"Written to {args.out}")
    return 0


def evaluate(args: argparse.Namespace) -> int:
    if args.errors and "test" in args.set:
        print("--errors is for the dev set only: the test set is read through its summary.", file=sys.stderr)
        return 2
    calibration = Calibration.load(args.calibration)
    results: List[Dict[str, Any]] = []
    with nlu(args.rasa_url, args.rasa_token) as parse:
        for name in args.set:
            labelled = load_set(set_path(name))
            readings = read_all(labelled, parse, calibration, args.threshold)
            result = summary(labelled, readings)
            results.append({"set": name, **result})
            print("\n".join(summary_lines(name, result)))
            if args.errors:
                print("\n".join(error_lines(labelled, readings)))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m triage", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="the SMTP receiver and the contact form")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("TRIAGE_PORT", 8095)))
    serve.add_argument("--log-level", default="info")
    for name in ("calibrate", "eval"):
        command = commands.add_parser(name)
        command.add_argument("--rasa-url", default=None, help="a running Rasa server (default: start one)")
        command.add_argument("--rasa-token", default=None)
        if name == "calibrate":
            command.add_argument("--out", type=Path, default=CALIBRATION_PATH)
        else:
            command.add_argument("--set", nargs="+", choices=["dev", "test"], default=["dev"])
            command.add_argument("--calibration", type=Path, default=CALIBRATION_PATH)
            command.add_argument("--threshold", type=float, default=None, help="override the calibrated one")
            command.add_argument("--errors", action="store_true", help="dev only: list the mistakes")
            command.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.command == "serve":
        from triage.service import serve as run_service

        run_service(args.host, args.port, args.log_level)
        return 0
    return calibrate(args) if args.command == "calibrate" else evaluate(args)


if __name__ == "__main__":
    sys.exit(main())
