"""Entry points for `make bench` and `make bench-nlu`; each writes bench/results/<name>-*.{md,json}.

python -m bench.run bench   # serving first, then training cold/warm, project NLU (default vs ours), KB retrieval
python -m bench.run nlu     # Banking77: rasa init default vs ours (long)
python -m bench.run serving # only the serving part of `bench` (about 8 minutes)
python -m bench.run long    # latency at turn 200 against turn 5: 200-turn conversations (6-8 minutes)
python -m bench.run capacity  # open loop: simultaneous conversations with p95 < 300 ms (about 17 minutes)
python -m bench.run serving --baseline-env FRONTDESK_RASA_PATCHES_OFF=all   # A/B: + a "before" stack
python -m bench.run serving --baseline-model models/<older>.tar.gz          # A/B: + a stack serving it

The throughput ratio (Frontdesk msg/s / bare rasa init msg/s, same run) is the headline of every run that
serves: printed first and the first table of the results file.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bench import capacity, long_conversations, nlu, serving, training
from bench.common import write_results

OURS = [nlu.CONFIGS / "linear.yml"]
PROJECT_CONFIG = nlu.REPO_ROOT / "config.yml"
NLU_COLUMNS = [
    "pipeline",
    "inputs",
    "accuracy",
    "macro_f1",
    "train_s",
    "train_peak_rss_mb",
    "parse_p50_ms",
    "parse_p95_ms",
    "fallback_rate",
]
SERVING_COLUMNS = [
    "bot",
    "concurrent",
    "conversations",
    "messages",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "msg_per_s",
    "unexpected_replies",
    "inputs",
]


KNOWLEDGE_COLUMNS = ["articles", "answerable", "unanswerable", "recall@1", "recall@3", "mrr"]
KNOWLEDGE_COLUMNS += ["answered_correctly", "correct_abstention", "abstention_precision", "wrong_answer_rate"]
KNOWLEDGE_COLUMNS += ["threshold", "margin", "ms_per_question"]


def nlu_section(title: str, rows: List[Dict], extra: List[str]) -> Dict:
    return {"title": title, "rows": rows, "columns": NLU_COLUMNS + extra}


def bench(baseline: Optional[serving.Baseline]) -> List[Dict]:
    # Serving first: its throughput ratio is the headline, printed before the long NLU part starts.
    start = time.monotonic()
    sections = serving_sections(baseline)
    sections[0]["intro"] = f"Serving part: {time.monotonic() - start:.0f} s wall."
    sections += timed_part("long conversations: turn 200 against turn 5", long_conversations.run)
    sections += timed_part("open-loop capacity: p95 < 300 ms", capacity.run)
    with tempfile.TemporaryDirectory(prefix="bench-logs-") as logs:
        print("training: cold and warm cache", flush=True)
        rows = training.run(Path(logs))
        sections.append(
            {
                "title": "Training (rasa train, project model)",
                "rows": rows,
                "columns": ["run", "wall_s", "peak_rss_mb", "inputs", "command"],
            }
        )
    print("NLU: project data, rasa init default vs config.yml vs ours", flush=True)
    rows = nlu.compare("project", [nlu.DEFAULT_CONFIG, PROJECT_CONFIG, *OURS])
    sections.append(
        nlu_section(
            "NLU on the project's held-out set",
            rows,
            ["oos_taken_as_intent", "oos_taken_as_intent_raw", "weakest"],
        )
    )
    sections[-1]["after"] = (
        "accuracy and macro-F1 use the classifier's top intent (nlu_fallback ignored); fallback_rate is how "
        "often the FallbackClassifier fired; oos_taken_as_intent: out_of_scope examples whose final intent "
        "(after fallback) is a real intent, _raw: before fallback. Train time includes Rasa start-up."
    )
    print("knowledge base: retrieval on the held-out questions", flush=True)
    sections.append(knowledge_section())
    return sections


def timed_part(what: str, part: Callable[[], List[Dict]]) -> List[Dict]:
    """A part's sections, its wall time in the first one's intro (so `make bench` says what took how long)."""
    print(what, flush=True)
    start = time.monotonic()
    sections = part()
    sections[0]["intro"] = f"This part: {time.monotonic() - start:.0f} s wall."
    return sections


def long_options(args: List[str]) -> List[Dict]:
    """--turns N (at least 30), --concurrent N ... (conversations at once, each level in turn) and
    --baseline-env NAME=value ... (a second Frontdesk stack with that environment, same run)."""
    import argparse

    parser = argparse.ArgumentParser(prog="bench.run long")
    parser.add_argument("--turns", type=int, default=long_conversations.TURNS)
    parser.add_argument("--concurrent", type=int, nargs="+", default=list(long_conversations.CONCURRENCY))
    parser.add_argument("--baseline-env", nargs="*", default=[], metavar="NAME=value")
    options = parser.parse_args(args)
    baseline = serving.Baseline(serving.parse_env(options.baseline_env)) if options.baseline_env else None
    return long_conversations.run(options.concurrent, options.turns, baseline)


def knowledge_section() -> Dict:
    """Retrieval on tests/kb/questions_test.yml, as `make kb-eval` prints it (knowledge/evaluation.py)."""
    from knowledge.evaluation import QUESTION_SETS, evaluate

    report = evaluate(QUESTION_SETS["test"])
    row: Dict = {key: round(value, 4) for key, value in report.metrics.items()}
    row.update(
        articles=report.articles,
        threshold=report.threshold,
        margin=report.margin,
        ms_per_question=round(1000 * report.seconds / max(1, len(report.outcomes)), 1),
    )
    return {
        "title": "Knowledge-base retrieval (held-out questions, tests/kb/questions_test.yml)",
        "rows": [row],
        "columns": KNOWLEDGE_COLUMNS,
        "after": "Ranking figures over the answerable questions; abstention over the unanswerable ones; the "
        "wrong-answer rate over all. Threshold and margin were tuned on the dev set only.",
    }


def serving_sections(baseline: Optional[serving.Baseline]) -> List[Dict]:
    """The full stack over REST against a bare `rasa init` bot under the same load, in the same run; the
    ratio table comes first and is printed as soon as it is known."""
    sections: List[Dict] = []
    print("serving: full stack vs bare rasa init bot", flush=True)
    served = serving.run(baseline)
    ratio_section = {
        "title": "Throughput ratio: Frontdesk / bare rasa init bot (same run, same load)",
        "rows": served["ratios"],
        "columns": list(served["ratios"][-1].keys()),
    }
    print(headline(ratio_section["rows"]), flush=True)
    sections.append(ratio_section)
    sections.append(
        {
            "title": "Serving over REST (scripted multi-turn conversations)",
            "rows": served["rows"],
            "columns": SERVING_COLUMNS,
        }
    )
    rss_rows = [{"process": name, "peak_rss_mb": mb} for name, mb in served["rss"].items()]
    rss_rows += [
        {"process": f"{name}: wall {t.wall_s} s", "peak_rss_mb": t.peak_rss_mb}
        for name, t in served["init"].items()
    ]
    sections.append(
        {
            "title": "Peak RSS per process (VmHWM, after the load)",
            "rows": rss_rows,
            "columns": ["process", "peak_rss_mb"],
        }
    )
    return sections


def headline(ratios: List[Dict]) -> str:
    """One line per Frontdesk variant: its throughput ratio to the bare bot at each concurrency level."""
    lines = []
    for bot in dict.fromkeys(row["bot"] for row in ratios):
        levels = ", ".join(
            f"c={row['concurrent']} {row['throughput ratio']:.2f}" for row in ratios if row["bot"] == bot
        )
        lines.append(f"THROUGHPUT RATIO {bot} / bare rasa init: {levels}")
    return "\n".join(lines)


def bench_nlu(args: List[str]) -> List[Dict]:
    """Options: --limit N (training examples per intent), --default-epochs N (cap the default's DIET)."""
    import argparse

    parser = argparse.ArgumentParser(prog="bench.run nlu")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--default-epochs", type=int)
    options = parser.parse_args(args)
    configs = [nlu.DEFAULT_CONFIG, nlu.CONFIGS / "banking77.yml"]
    rows = nlu.compare("banking77", configs, options.limit, options.default_epochs)
    section = nlu_section("Banking77 (PolyAI, CC BY 4.0, Casanueva et al. 2020)", rows, [])
    section["after"] = "Published anchors: fine-tuned BERT 93.66%, USE+ConveRT 93.36% test accuracy."
    return [section]


def serving_options(args: List[str]) -> Optional[serving.Baseline]:
    """--baseline-env NAME=value ... and/or --baseline-model PATH: a second Frontdesk stack with that
    environment or model, the A/B baseline; without them, Frontdesk with the encoder cache off."""
    import argparse

    parser = argparse.ArgumentParser(prog="bench.run serving")
    parser.add_argument("--baseline-env", nargs="*", default=[], metavar="NAME=value")
    parser.add_argument("--baseline-model", type=Path)
    options = parser.parse_args(args)
    if not options.baseline_env and not options.baseline_model:
        return serving.ENCODER_CACHE_OFF
    if options.baseline_model and not options.baseline_model.is_file():
        raise SystemExit(f"--baseline-model {options.baseline_model}: no such model file")
    return serving.Baseline(serving.parse_env(options.baseline_env), options.baseline_model)


def main(argv: List[str]) -> int:
    which = argv[0] if argv else "bench"
    start = time.monotonic()
    if which == "serving":
        sections, name = serving_sections(serving_options(argv[1:])), "bench-serving"
        extra = f" ({' '.join(argv[1:])})" if argv[1:] else ""
    elif which == "bench":
        sections, name = bench(serving_options(argv[1:])), "bench"
        extra = f" ({' '.join(argv[1:])})" if argv[1:] else ""
    elif which == "long":
        sections, name = long_options(argv[1:]), "bench-long"
        extra = f" ARGS=\"{' '.join(argv[1:])}\"" if argv[1:] else ""
    elif which == "capacity":
        sections, name, extra = capacity.run(), "bench-capacity", ""
    else:
        sections, name = bench_nlu(argv[1:]), "bench-nlu"
        extra = f' BENCH_NLU_ARGS="{" ".join(argv[1:])}"' if argv[1:] else ""
    part = sections[0].get("intro", "")
    sections[0]["intro"] = f"Whole run: {time.monotonic() - start:.0f} s wall. {part}".strip()
    path = write_results(name, sections, f"make {name}{extra}")
    if which in ("serving", "bench"):
        print(headline(sections[0]["rows"]))
    print(f"wrote {path} and {path.with_suffix('.json')} ({time.monotonic() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
