"""`rasa train` of the project's own model: cold (empty cache directory) and warm (same cache again)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Dict, List

from bench.common import REPO_ROOT, rasa, run_timed


def run(log_dir: Path) -> List[Dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        env = {"RASA_CACHE_DIRECTORY": f"{tmp}/cache"}
        for kind in ("cold", "warm"):
            command = rasa("train", "--out", f"{tmp}/{kind}", "--fixed-model-name", kind)
            timed = run_timed(command, cwd=REPO_ROOT, env=env, log=log_dir / f"train-{kind}.log")
            rows.append(
                {
                    "run": f"rasa train, {kind} cache",
                    "inputs": "config.yml, domain.yml, data/ (RASA_CACHE_DIRECTORY = fresh temp dir)",
                    "wall_s": timed.wall_s,
                    "peak_rss_mb": timed.peak_rss_mb,
                    "command": f"RASA_CACHE_DIRECTORY=<tmp>/cache rasa train --out <tmp>/{kind}",
                }
            )
            print(f"  train {kind}: {timed.wall_s} s, {timed.peak_rss_mb} MB")
    return rows
