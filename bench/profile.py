"""Where the serving time goes: py-spy samples the Rasa server and the action server under load.

python -m bench.profile   (make bench-profile)  ->  bench/results/profile-latest.md, and py-spy's raw
collapsed stacks in bench/results/profile-<process>-latest.txt (for questions the summary does not answer,
such as who calls a function).
python -m bench.profile NAME=value ...   profiles a stack started with that environment (make bench-profile
PROFILE_ENV="FRONTDESK_RASA_PATCHES_OFF=all": the code before a cut).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Dict, List

from bench.common import RESULTS, VENV_BIN, write_results
from bench.serving import BENCH_ENV, FRONTDESK, _level, integration_headers, parse_env
from tools.stack import REPO_ROOT, Stack, StackConfig, latest_model

SECONDS = 40


INTERESTING = (
    "rasa/core",
    "rasa/nlu",
    "rasa/engine",
    "rasa/utils",
    "rasa/shared",
    "actions/",
    "channels/",
    "sqlalchemy/orm",
    "jsonschema/validators",
    "aiohttp/client",
    "tensorflow/python/eager/def_fun",
    "nlu_components/",
)


def summarise(raw: Path, top: int = 25) -> List[Dict]:
    """Share of samples per function (file:function) from py-spy's collapsed stacks: `busy` is every
    sample outside the idle event loop; inclusive rows are frames from the packages in INTERESTING."""
    inclusive: Counter = Counter()
    leaf: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [
            re.sub(r" \((.*?site-packages/|.*?/work/main/)?(.*?):\d+\)", r" (\2)", f)
            for f in stack.split(";")
        ]
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        leaf[frames[-1]] += n
    idle = sum(c for f, c in leaf.items() if f.startswith("serve (sanic/server/runners.py"))
    rows = [{"kind": "busy (not waiting in the event loop)", "frame": "-", "share": 1 - idle / total}]
    chosen = [(f, c) for f, c in inclusive.most_common() if any(key in f for key in INTERESTING)]
    rows += [{"kind": "inclusive", "frame": f, "share": c / total} for f, c in chosen[:top]]
    rows += [{"kind": "self", "frame": f, "share": c / total} for f, c in leaf.most_common(12)]
    return rows


def main(argv: List[str]) -> int:
    extra_env = parse_env(argv)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        var = Path(tmp)
        config = StackConfig.isolated(
            var, model=latest_model(REPO_ROOT / "models"), extra_env={**BENCH_ENV, **extra_env}
        )
        stack = Stack(config)
        stack.start(timeout=300)
        try:
            url = f"{config.rasa_url}/webhooks/rest/webhook"
            asyncio.run(_level(url, FRONTDESK, 2, 8, integration_headers(config)))
            spies = {
                name: subprocess.Popen(
                    [
                        str(VENV_BIN / "py-spy"),
                        "record",
                        "--nonblocking",
                        "--format",
                        "raw",
                        "-d",
                        str(SECONDS),
                        "-r",
                        "200",
                        "-o",
                        str(var / f"{name}.txt"),
                        "-p",
                        str(stack.processes[name].pid),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for name in ("rasa", "actions")
            }
            stop = threading.Event()

            def drive() -> None:
                while not stop.is_set():
                    asyncio.run(_level(url, FRONTDESK, 8, 16, integration_headers(config)))

            driver = threading.Thread(target=drive)
            driver.start()
            for spy in spies.values():
                spy.wait()
            stop.set()
            driver.join()
        finally:
            stack.stop()
        RESULTS.mkdir(parents=True, exist_ok=True)
        for name in ("rasa", "actions"):
            shutil.copy(var / f"{name}.txt", RESULTS / f"profile-{name}-latest.txt")
        sections = [
            {
                "title": f"{name}: share of samples ({SECONDS} s at 8 concurrent conversations)",
                "rows": summarise(var / f"{name}.txt"),
                "columns": ["kind", "frame", "share"],
            }
            for name in ("rasa", "actions")
        ]
    command = "make bench-profile" + (f' PROFILE_ENV="{" ".join(argv)}"' if argv else "")
    print(write_results("profile", sections, command), RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
