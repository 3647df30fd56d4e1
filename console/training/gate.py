"""The promotion gate: a candidate against the production model, on the same data, in one process.

Checks (any failure fails the gate, and a failed candidate can never be approved):
- both held-out NLU sets: the project's absolute bars (tools/nlu_eval.py GATES), and no intent whose F1
  drops by more than the tolerance below production's (intents with enough held-out examples to measure);
- the dialogue stories and end-to-end conversation tests (`rasa test core` on tests/, the customer's words
  read by the candidate's own NLU): the candidate may not fail more of them than production;
- a replay of the most recent real customer messages: how many predictions change, listed (redacted) for
  the approver. Changes are information, not a failure: a candidate exists to change some answers.
"""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from common.paths import REPO_ROOT
from common.settings import LearningSettings
from console.training.replay import recent_messages, redact_for_display
from tools.check_nlu_data import load_dir
from tools.nlu_eval import FALLBACK, GATES, Gate, SetScore, failures, parse_all

RASA = REPO_ROOT / ".venv" / "bin" / "rasa"
REPLAY_EXAMPLES_SHOWN = 50


@dataclass
class GateResult:
    checks: List[Dict[str, Any]] = field(default_factory=list)
    report: Dict[str, Any] = field(default_factory=dict)
    metrics: Dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        # A check that was not run (None) never passes a gate.
        return all(check["passed"] is True for check in self.checks)

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append({"name": name, "passed": passed, "detail": detail})


def _intents(parsed: Sequence[Dict[str, Any]]) -> List[str]:
    return [str((p.get("intent") or {}).get("name") or FALLBACK) for p in parsed]


async def _predict_both(
    candidate: Path, production: Optional[Path], texts: List[str]
) -> Tuple[List[str], Optional[List[str]]]:
    new = _intents(await parse_all(candidate, texts))
    old = _intents(await parse_all(production, texts)) if production else None
    return new, old


def f1_drops(new: SetScore, old: SetScore, *, tolerance: float, min_support: int) -> List[Dict[str, Any]]:
    """Intents whose F1 fell by more than the tolerance (only where support makes F1 meaningful)."""
    drops = []
    for intent, row in old.per_intent.items():
        if row["support"] < min_support:
            continue
        after = new.per_intent.get(intent, {"f1": 0.0})["f1"]
        if row["f1"] - after > tolerance:
            drops.append({"intent": intent, "before": round(row["f1"], 4), "after": round(after, 4)})
    return drops


def _stories_failed(model: Path, stories: Path, out: Path) -> Tuple[int, str]:
    """`rasa test core` on the stories: how many failed (0 when all pass) and where the report is."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(RASA), "test", "core", "--stories", str(stories), "--model", str(model), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=900,
    )
    failed_file = out / "failed_test_stories.yml"
    text = failed_file.read_text() if failed_file.exists() else ""
    return text.count("- story:"), str(out)


def run_gate(
    candidate: Path,
    production: Optional[Path],
    *,
    heldout: Dict[str, Path],
    stories: Path,
    work_dir: Path,
    settings: LearningSettings,
) -> GateResult:
    result = GateResult()
    sets = {name: load_dir(directory) for name, directory in heldout.items()}
    replay = recent_messages(settings.tracker_store_url, limit=settings.replay_messages)
    texts = [text for rows in sets.values() for _, text in rows] + replay
    new, old = asyncio.run(_predict_both(candidate, production, texts))
    offset = 0
    for name, rows in sets.items():
        truth, set_texts = [i for i, _ in rows], [t for _, t in rows]
        end = offset + len(rows)
        score = SetScore(name, truth, new[offset:end], set_texts)
        problems = failures(score, GATES.get(name, Gate()))
        result.check(f"{name}: project bars", not problems, "; ".join(problems) or "all bars met")
        summary: Dict[str, Any] = {"candidate": {"accuracy": score.accuracy, "macro_f1": score.macro_f1}}
        result.metrics[name] = summary["candidate"]
        if old is not None:
            before = SetScore(name, truth, old[offset:end], set_texts)
            drops = f1_drops(
                score, before, tolerance=settings.gate_f1_tolerance, min_support=settings.gate_min_support
            )
            summary["production"] = {"accuracy": before.accuracy, "macro_f1": before.macro_f1}
            summary["f1_drops"] = drops
            detail = ", ".join(f"{d['intent']} {d['before']:.2f} -> {d['after']:.2f}" for d in drops)
            result.check(
                f"{name}: no intent F1 drop over {settings.gate_f1_tolerance}",
                not drops,
                detail or "no intent dropped",
            )
        result.report[name] = summary
        offset = end

    if result.passed:
        failed_new, report_dir = _stories_failed(candidate, stories, work_dir / "core-candidate")
        failed_old = (
            _stories_failed(production, stories, work_dir / "core-production")[0]
            if failed_new and production
            else 0
        )
        result.metrics["stories_failed"] = failed_new
        result.report["stories"] = {
            "candidate_failed": failed_new,
            "production_failed": failed_old,
            "report": report_dir,
        }
        result.check(
            "dialogue stories and conversation tests",
            failed_new <= failed_old,
            f"candidate failed {failed_new} stories, production {failed_old}",
        )
    else:
        # The candidate has already failed: a minute of `rasa test core` would not change the verdict.
        result.checks.append(
            {
                "name": "dialogue stories and conversation tests",
                "passed": None,
                "detail": "not run: the NLU checks failed",
            }
        )

    replay_new = new[offset:]
    changed = []
    if old is not None:
        replay_old = old[offset:]
        changed = [
            {"text": redact_for_display(text), "production": before, "candidate": after}
            for text, before, after in zip(replay, replay_old, replay_new, strict=True)
            if before != after
        ]
    result.report["replay"] = {
        "messages": len(replay),
        "changed": len(changed),
        "examples": changed[:REPLAY_EXAMPLES_SHOWN],
    }
    result.metrics["replay_changed"] = len(changed)
    result.report["checks"] = result.checks
    result.report["passed"] = result.passed
    return result
