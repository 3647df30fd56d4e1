"""Fails the build when the held-out intent macro-F1 is below the bar; prints the per-intent report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List

NON_INTENT_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path, help="intent_report.json written by `rasa test nlu`")
    parser.add_argument("--min-macro-f1", type=float, default=0.93)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    rows = sorted(
        ((name, scores) for name, scores in report.items() if name not in NON_INTENT_KEYS),
        key=lambda row: row[1]["f1-score"],
    )
    print(f"{'intent':<22} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for name, scores in rows:
        print(
            f"{name:<22} {scores['precision']:>9.3f} {scores['recall']:>7.3f} "
            f"{scores['f1-score']:>6.3f} {scores['support']:>8}"
        )
    macro_f1 = report["macro avg"]["f1-score"]
    print(f"accuracy {report['accuracy']:.4f}  macro-F1 {macro_f1:.4f}  (bar: {args.min_macro_f1})")
    print("weakest five:", ", ".join(f"{name} {scores['f1-score']:.3f}" for name, scores in rows[:5]))
    if macro_f1 < args.min_macro_f1:
        print(f"FAIL: held-out intent macro-F1 {macro_f1:.4f} is below {args.min_macro_f1}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
