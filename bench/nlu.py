"""NLU quality: pipelines trained and tested on the same data in the same run.

python -m bench.nlu project   [--configs a.yml b.yml]   # data/nlu -> tests/nlu
python -m bench.nlu banking77 [--limit N]               # Banking77 train.csv -> test.csv
"""

from __future__ import annotations

import asyncio
import csv
import json
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import rasa.cli as rasa_cli
from sklearn.metrics import f1_score

from bench.common import REPO_ROOT, rasa, run_timed

DEFAULT_CONFIG = Path(rasa_cli.__file__).parent / "initial_project" / "config.yml"  # what `rasa init` writes
CONFIGS = REPO_ROOT / "bench" / "configs"
BANKING77 = Path("/work/shared/benchmarks/banking77")
OOS = "out_of_scope"
Examples = List[Tuple[str, str]]  # (intent, text)


def project_data() -> Tuple[Path, Examples]:
    from tools.check_nlu_data import load_examples

    return REPO_ROOT / "data" / "nlu", load_examples(sorted((REPO_ROOT / "tests" / "nlu").glob("*.yml")))


def banking77_data(workdir: Path, limit: Optional[int]) -> Tuple[Path, Examples]:
    """Train split as Rasa JSON (texts stay literal), test split as (intent, text); `limit` per intent."""

    def read(name: str) -> Examples:
        with open(BANKING77 / name, newline="") as handle:
            return [(row["category"], row["text"]) for row in csv.DictReader(handle)]

    train, test = read("train.csv"), read("test.csv")
    if limit:
        seen: Counter = Counter()
        train = [ex for ex in train if seen.update([ex[0]]) or seen[ex[0]] <= limit]
    path = workdir / "banking77-train.json"
    common = [{"text": text, "intent": intent, "entities": []} for intent, text in train]
    path.write_text(json.dumps({"rasa_nlu_data": {"common_examples": common}}))
    return path, test


def default_with_epochs(epochs: int, workdir: Path) -> Path:
    """The `rasa init` config with its commented default pipeline made explicit and DIET's epochs changed."""
    lines, in_pipeline = [], False
    for line in DEFAULT_CONFIG.read_text().splitlines():
        if line.startswith("pipeline:"):
            in_pipeline, line = True, "pipeline:"
        elif line.startswith("# Configuration for Rasa Core"):
            in_pipeline = False
        if in_pipeline and line.startswith("#   "):
            line = line[2:].replace("epochs: 100", f"epochs: {epochs}")
        lines.append(line)
    path = workdir / f"default-epochs{epochs}.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def train(config: Path, nlu: Path, workdir: Path, name: str, project: bool) -> Tuple[Path, Dict]:
    """`rasa train nlu` with a fresh cache directory, so the time is a real training."""
    out = workdir / name
    out.mkdir(parents=True, exist_ok=True)
    # Rasa writes auto-filled defaults back into the config file it trains with: give it a copy.
    config = Path(shutil.copy(config, out / "config.yml"))
    command = rasa(
        "train", "nlu", "-c", str(config), "--nlu", str(nlu), "--out", str(out), "--fixed-model-name", name
    )
    cwd = REPO_ROOT if project else workdir
    timed = run_timed(
        command, cwd=cwd, env={"RASA_CACHE_DIRECTORY": str(out / "cache")}, log=out / "train.log"
    )
    return out / f"{name}.tar.gz", {"train_s": timed.wall_s, "train_peak_rss_mb": timed.peak_rss_mb}


def evaluate(model: Path, test: Examples) -> Dict:
    """Parse every test message through the loaded model; metrics on the classifier's top intent."""
    import logging

    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    raw, final, latency = [], [], []
    for _intent, text in test:
        start = time.perf_counter()
        parsed = loop.run_until_complete(agent.parse_message(text))
        latency.append(time.perf_counter() - start)
        ranking = [r["name"] for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        raw.append(ranking[0] if ranking else parsed["intent"]["name"])
        final.append(parsed["intent"]["name"])
    loop.close()
    gold = [intent for intent, _ in test]
    labels = sorted(set(gold))
    per_intent = f1_score(gold, raw, labels=labels, average=None, zero_division=0)
    weakest = sorted(zip(per_intent, labels, strict=False))[:3]
    ms = np.array(latency) * 1000
    result = {
        "examples": len(test),
        "accuracy": float(np.mean([g == p for g, p in zip(gold, raw, strict=False)])),
        "macro_f1": float(np.mean(per_intent)),
        "fallback_rate": float(np.mean([p == "nlu_fallback" for p in final])),
        "weakest": ", ".join(f"{label} {score:.2f}" for score, label in weakest),
        "parse_p50_ms": float(np.percentile(ms, 50)),
        "parse_p95_ms": float(np.percentile(ms, 95)),
    }
    oos = [(r, f) for g, r, f in zip(gold, raw, final, strict=False) if g == OOS]
    if oos:
        result["oos_taken_as_intent"] = float(np.mean([f not in (OOS, "nlu_fallback") for _r, f in oos]))
        result["oos_taken_as_intent_raw"] = float(np.mean([r != OOS for r, _f in oos]))
    return result


def compare(
    dataset: str, configs: Sequence[Path], limit: Optional[int] = None, default_epochs: Optional[int] = None
) -> List[Dict]:
    """Train and test each config on the same data; `default_epochs` caps DIET's epochs in the default."""
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"bench-nlu-{dataset}-") as tmp:
        workdir = Path(tmp)
        nlu, test = project_data() if dataset == "project" else banking77_data(workdir, limit)
        for config in configs:
            label = (
                "rasa init default" if config == DEFAULT_CONFIG else config.relative_to(REPO_ROOT).as_posix()
            )
            name = config.stem if config != DEFAULT_CONFIG else "default"
            if config == DEFAULT_CONFIG and default_epochs:
                config = default_with_epochs(default_epochs, workdir)
                label += f" with DIET epochs {default_epochs} (not 100: time cap)"
            try:
                model, timing = train(config, nlu, workdir, f"{dataset}-{name}", dataset == "project")
                scores = evaluate(model, test)
            except Exception as exc:  # one broken pipeline must not lose the others' numbers
                rows.append({"pipeline": label, "dataset": dataset, "error": repr(exc)[:300]})
                print(f"  {dataset} {label}: FAILED {exc!r}", flush=True)
                continue
            inputs = "data/nlu -> tests/nlu" if dataset == "project" else "banking77 train.csv -> test.csv"
            if limit:
                inputs += f" (train limited to {limit} per intent)"
            rows.append({"pipeline": label, "dataset": dataset, "inputs": inputs, **timing, **scores})
            rows[-1]["command"] = f"rasa train nlu -c {label} --nlu {nlu.name} + in-process parse"
            print(
                f"  {dataset} {label}: acc {scores['accuracy']:.4f} macro-F1 {scores['macro_f1']:.4f}",
                flush=True,
            )
    return rows


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", choices=["project", "banking77"])
    parser.add_argument("--configs", nargs="*", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--default-epochs", type=int)
    args = parser.parse_args()
    chosen = [p.resolve() if p.name != "default" else DEFAULT_CONFIG for p in args.configs or []] or [
        DEFAULT_CONFIG
    ]
    for row in compare(args.dataset, chosen, args.limit, args.default_epochs):
        print(json.dumps(row, default=str))
