"""How well common/redaction.py finds personal data: span precision, recall and leaked characters per label.

    python -m tools.redaction_eval [--set test|dev] [--errors]

The sets are tests/privacy/redaction/{dev,test}.yml (format in their headers). `test` is held out: tune on
`dev` only, which is why `--errors` (every miss and false alarm, with its text) refuses the test set.

Scoring, per label and overall:
- precision: predicted spans of a label that overlap a gold span of the same label, over all predicted spans
  of that label (labels that are not personal data, the store's ORDER and INVOICE ids, are not predictions);
- recall: gold spans overlapped by a predicted span of the same label, over all gold spans;
- leaked: gold letters and digits that no redaction covers, whatever its label (a card masked as a phone
  number has not leaked). Spaces and punctuation inside a span carry nothing, so they are not counted.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from common.redaction import DEFAULT_REDACTOR, Redactor, Span

SETS_DIR = Path(__file__).resolve().parent.parent / "tests" / "privacy" / "redaction"
PII_LABELS = ("EMAIL", "PHONE", "CARD", "IBAN", "ADDRESS", "NAME", "CODE", "TOKEN")
OVERALL = "ALL"


@dataclass(frozen=True)
class Item:
    text: str
    spans: Tuple[Span, ...]
    known_values: Tuple[str, ...] = ()
    code_was_asked: bool = False


def _occurrences(text: str, value: str) -> List[int]:
    starts, position = [], text.find(value)
    while position >= 0:
        starts.append(position)
        position = text.find(value, position + len(value))
    return starts


def _gold_spans(text: str, raw_spans: Sequence[Dict[str, object]]) -> Tuple[Span, ...]:
    spans: List[Span] = []
    for raw in raw_spans:
        label = str(raw["label"])
        if label not in PII_LABELS:
            raise ValueError(f"unknown label {label!r} in {text!r}")
        if "value" in raw:
            value = str(raw["value"])
            starts = _occurrences(text, value)
            if not starts:
                raise ValueError(f"{value!r} is not in {text!r}")
            spans.extend(Span(start, start + len(value), label) for start in starts)
        else:
            spans.append(Span(int(str(raw["start"])), int(str(raw["end"])), label))
    return tuple(sorted(spans, key=lambda span: span.start))


def load_set(name: str) -> List[Item]:
    """The labelled messages of one set ("dev" or "test"), gold values resolved to offsets."""
    document = yaml.safe_load((SETS_DIR / f"{name}.yml").read_text(encoding="utf-8"))
    return [
        Item(
            text=str(raw["text"]),
            spans=_gold_spans(str(raw["text"]), raw.get("spans") or []),
            known_values=tuple(str(value) for value in raw.get("known_values") or ()),
            code_was_asked=bool(raw.get("code_was_asked", False)),
        )
        for raw in document["messages"]
    ]


def _overlaps(first: Span, second: Span) -> bool:
    return first.start < second.end and second.start < first.end


@dataclass
class Score:
    predicted: int = 0
    predicted_correct: int = 0
    gold: int = 0
    gold_found: int = 0
    gold_chars: int = 0
    leaked_chars: int = 0

    @property
    def precision(self) -> float:
        return self.predicted_correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 1.0


@dataclass
class Report:
    scores: Dict[str, Score] = field(
        default_factory=lambda: {label: Score() for label in (*PII_LABELS, OVERALL)}
    )
    misses: List[Tuple[str, Span]] = field(default_factory=list)  # (text, gold span not found)
    false_alarms: List[Tuple[str, Span]] = field(default_factory=list)  # (text, predicted span not in gold)
    leaks: List[Tuple[str, Span, str]] = field(default_factory=list)  # (text, gold span, what stayed visible)
    messages: int = 0
    seconds_per_message: float = 0.0


def predict(item: Item, redactor: Redactor = DEFAULT_REDACTOR) -> List[Span]:
    return redactor.find_spans(item.text, known_values=item.known_values, code_was_asked=item.code_was_asked)


def score_item(item: Item, predicted: Sequence[Span], report: Report) -> None:
    personal = [span for span in predicted if span.label in PII_LABELS]
    for span in personal:
        correct = any(_overlaps(span, gold) and gold.label == span.label for gold in item.spans)
        for label in (span.label, OVERALL):
            report.scores[label].predicted += 1
            report.scores[label].predicted_correct += correct
        if not correct:
            report.false_alarms.append((item.text, span))
    for gold in item.spans:
        found = any(_overlaps(span, gold) and span.label == gold.label for span in personal)
        visible = "".join(
            char
            for position, char in enumerate(item.text[gold.start : gold.end], start=gold.start)
            if char.isalnum() and not any(span.start <= position < span.end for span in predicted)
        )
        characters = sum(char.isalnum() for char in item.text[gold.start : gold.end])
        for label in (gold.label, OVERALL):
            score = report.scores[label]
            score.gold += 1
            score.gold_found += found
            score.gold_chars += characters
            score.leaked_chars += len(visible)
        if not found:
            report.misses.append((item.text, gold))
        if visible:
            report.leaks.append((item.text, gold, visible))


def evaluate(
    items: Sequence[Item], redactor: Redactor = DEFAULT_REDACTOR, *, timing_rounds: int = 3
) -> Report:
    """Scores every item, and times the redactor over the whole set (best of `timing_rounds`)."""
    report = Report(messages=len(items))
    for item in items:
        score_item(item, predict(item, redactor), report)
    best = float("inf")
    for _ in range(max(1, timing_rounds)):
        started = time.perf_counter()
        for item in items:
            predict(item, redactor)
        best = min(best, time.perf_counter() - started)
    report.seconds_per_message = best / max(1, len(items))
    return report


def format_report(report: Report, set_name: str) -> str:
    lines = [
        f"set: {set_name} ({report.messages} messages)",
        f"{'label':<8} {'gold':>5} {'pred':>5} {'precision':>9} {'recall':>7} {'leaked chars':>14}",
    ]
    for label in (*PII_LABELS, OVERALL):
        score = report.scores[label]
        leaked = f"{score.leaked_chars}/{score.gold_chars}"
        lines.append(
            f"{label:<8} {score.gold:>5} {score.predicted:>5} {score.precision:>9.3f} {score.recall:>7.3f} {leaked:>14}"
        )
    lines.append(f"time per message: {report.seconds_per_message * 1e6:.0f} µs")
    return "\n".join(lines)


def format_errors(report: Report) -> str:
    lines = ["misses (gold span not found with its label):"]
    lines += [
        f"  {gold.label:<7} {text[gold.start : gold.end]!r:<40} in {text!r}" for text, gold in report.misses
    ]
    lines.append("false alarms (predicted span with no gold span of its label):")
    lines += [
        f"  {span.label:<7} {text[span.start : span.end]!r:<40} in {text!r}"
        for text, span in report.false_alarms
    ]
    lines.append("leaks (characters of a gold span left visible):")
    lines += [f"  {gold.label:<7} {visible!r:<40} in {text!r}" for text, gold, visible in report.leaks]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", choices=("test", "dev"), default="test", dest="set_name")
    parser.add_argument(
        "--errors", action="store_true", help="list misses, false alarms and leaks (dev only)"
    )
    arguments = parser.parse_args(argv)
    if arguments.errors and arguments.set_name == "test":
        parser.error("the test set is held out: list errors on --set dev only")
    report = evaluate(load_set(arguments.set_name))
    print(format_report(report, arguments.set_name))
    if arguments.errors:
        print(format_errors(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
