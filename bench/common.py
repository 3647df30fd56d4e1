"""Shared helpers: machine and version facts, timed subprocesses with peak RSS, result files."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from common.paths import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
NOISE = "2 cores shared with other work (tests may run at the same time): timings are noisy."


def machine() -> Dict[str, object]:
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        "?",
    )
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 2**20, 1),
        "cpu": cpu,
        "os": platform.platform(),
    }


def versions() -> Dict[str, str]:
    names = ["rasa", "rasa-sdk", "tensorflow", "numpy", "scikit-learn"]
    found = {name: metadata.version(name) for name in names}
    found["python"] = platform.python_version()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True)
    found["git"] = commit.stdout.decode().strip()
    return found


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


@dataclass
class Timed:
    wall_s: float
    peak_rss_mb: float
    returncode: int


def run_timed(
    command: Sequence[str],
    cwd: Path = REPO_ROOT,
    env: Optional[Dict[str, str]] = None,
    log: Optional[Path] = None,
) -> Timed:
    """Run a command under /usr/bin/time: wall seconds and the peak RSS of its largest process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as rss:
        full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
        out = open(log, "ab") if log else subprocess.DEVNULL
        start = time.monotonic()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *command],
            cwd=cwd,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        wall = time.monotonic() - start
        text = rss.read().strip().splitlines()
    peak = float(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan")
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}; log: {log}")
    return Timed(round(wall, 1), round(peak, 0), done.returncode)


def rasa(*args: str) -> List[str]:
    return [str(VENV_BIN / "rasa"), *args]


def markdown_table(rows: List[Dict[str, object]], columns: List[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(col, "")) for col in columns) + " |")
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value).replace("|", "\\|")


def write_results(name: str, sections: List[Dict[str, Any]], command: str) -> Path:
    """bench/results/<name>-<stamp>.{md,json} plus <name>-latest.{md,json}; each section is one table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"command": command, "date": now(), "machine": machine(), "versions": versions(), "note": NOISE}
    for section in sections:
        for row in section["rows"]:
            row.setdefault("command", command)
            row.setdefault("date", meta["date"])
            row.setdefault("machine", meta["machine"])
            row.setdefault("versions", meta["versions"])
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    md = [f"# {name}", "", f"- command: `{command}`", f"- date: {meta['date']}"]
    md += [f"- machine: {json.dumps(meta['machine'])}", f"- versions: {json.dumps(meta['versions'])}"]
    md += [f"- note: {NOISE}", ""]
    for section in sections:
        md += [f"## {section['title']}", ""]
        md += [section["intro"], ""] if section.get("intro") else []
        md += [markdown_table(section["rows"], section["columns"]), ""]
        md += [section["after"], ""] if section.get("after") else []
    text, data = "\n".join(md), json.dumps({**meta, "sections": sections}, indent=2, default=str)
    for suffix in (stamp, "latest"):
        (RESULTS / f"{name}-{suffix}.md").write_text(text)
        (RESULTS / f"{name}-{suffix}.json").write_text(data)
    return RESULTS / f"{name}-{stamp}.md"
