"""NLU parse latency of two models side by side, in the same run: the served pipeline and a baseline.

Both models parse the same messages (the dev split) in alternation, one message at a time, after a
warm-up, so load on the machine hits both alike. Reports p50/p95 per model and the ratio.

    python -m bench.parse --baseline models/OLD.tar.gz [--candidate models/NEW.tar.gz] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from typing import Dict, List, Optional

from bench.common import write_results
from common.paths import REPO_ROOT
from tools.check_nlu_data import load_dir


async def measure(models: Dict[str, Path], texts: List[str], rounds: int) -> Dict[str, List[float]]:
    import logging

    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agents = {name: Agent.load(str(path)) for name, path in models.items()}
    for agent in agents.values():  # warm-up: first calls build graphs and caches
        for text in texts[:20]:
            await agent.parse_message(text)
    timings: Dict[str, List[float]] = {name: [] for name in agents}
    for _ in range(rounds):
        for text in texts:
            for name, agent in agents.items():
                started = time.perf_counter()
                await agent.parse_message(text)
                timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--candidate", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    from tools.stack import latest_model

    candidate = args.candidate or latest_model(REPO_ROOT / "models")
    texts = [text for _, text in load_dir(REPO_ROOT / "tests" / "nlu_dev")]
    timings = asyncio.run(measure({"baseline": args.baseline, "candidate": candidate}, texts, args.rounds))
    p50 = {name: statistics.median(values) for name, values in timings.items()}
    ratio = p50["candidate"] / p50["baseline"]
    rows = []
    for name, path in (("baseline", args.baseline), ("candidate", candidate)):
        values = timings[name]
        rows.append(
            {
                "model": f"{name}: {path.name}",
                "messages": len(values),
                "p50 ms": p50[name],
                "p95 ms": percentile(values, 0.95),
                "mean ms": statistics.fmean(values),
            }
        )
    command = (
        f"python -m bench.parse --baseline {args.baseline} --candidate {candidate} --rounds {args.rounds}"
    )
    path = write_results(
        "bench-parse",
        [
            {
                "title": "NLU parse latency, same messages, alternating",
                "rows": rows,
                "columns": ["model", "messages", "p50 ms", "p95 ms", "mean ms"],
                "after": f"candidate p50 / baseline p50 = {ratio:.2f}",
            }
        ],
        command,
    )
    for name, values in timings.items():
        print(
            f"{name}: p50 {p50[name]:.1f} ms, p95 {percentile(values, 0.95):.1f} ms over {len(values)} parses"
        )
    print(f"candidate p50 / baseline p50 = {ratio:.2f}  ({path})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
