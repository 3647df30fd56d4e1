"""Serving benchmark: the full stack over REST against a bare `rasa init` bot under the same load.

Scripted multi-turn conversations (order status, refund, ineligible refund) call the real backend.
Each concurrency level runs a bounded number of conversations; every reply is checked.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import numpy as np

from bench.common import REPO_ROOT, rasa, run_timed
from tools.stack import Stack, StackConfig, free_port, latest_model

Script = List[Tuple[str, Sequence[str]]]  # (message, substrings of which one must be in the reply)
# Refunds need a one-time code and the backend issues 3 codes per email per 15 minutes, so refund
# conversations are driven up to the code step (the code request hits the backend); a code or the
# rate-limit answer both count as expected. A plain "no" then ends the form.
FRONTDESK: List[Script] = [
    [("where is my order 10042?", ["email"]), ("jane@example.com", ["Order 10042 was delivered"])],
    [("where is order 10043", ["email"]), ("my email is jane@example.com", ["10043"])],
    [
        ("I want a refund for order 10042", ["email"]),
        ("jane@example.com", ["code", "too many codes"]),
        ("no", ["stopped"]),
    ],
    [
        ("i need my money back for order 10046", ["email"]),
        ("jane@example.com", ["code", "too many codes"]),
        ("never mind", ["stopped"]),
    ],
]
BARE: List[Script] = [
    [("hello", ["Hey"]), ("I am sad", ["cheer"]), ("yes", ["Great"]), ("bye", ["Bye"])],
    [("hi", ["Hey"]), ("great", ["Great"]), ("goodbye", ["Bye"])],
]
LEVELS = (1, 8, 32)
# The load comes from one address and one email: budgets meant for attackers would stop it early.
BENCH_ENV = {"LOOKUP_FAILURES_PER_EMAIL": "100000/hour", "LOOKUP_FAILURES_PER_ADDRESS": "100000/hour"}


def integration_headers(config: StackConfig) -> Dict[str, str]:
    return {"Authorization": f"Bearer {config.rest_channel_token}"}


async def _conversation(
    session: aiohttp.ClientSession, url: str, script: Script, out: Dict, headers: Dict[str, str]
) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for message, expected in script:
        start = time.perf_counter()
        async with session.post(
            url, json={"sender": sender, "message": message}, headers=headers
        ) as response:
            replies = await response.json() if response.status == 200 else []
        out["latencies"].append(time.perf_counter() - start)
        text = "\n".join(reply.get("text", "") for reply in replies).lower()
        if response.status != 200 or not any(word.lower() in text for word in expected):
            out["unexpected"].append({"sent": message, "status": response.status, "reply": text[:200]})


async def _level(
    url: str,
    scripts: List[Script],
    concurrency: int,
    conversations: int,
    headers: Optional[Dict[str, str]] = None,
) -> Dict:
    out: Dict = {"latencies": [], "unexpected": []}
    queue = [scripts[i % len(scripts)] for i in range(conversations)]
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:

        async def worker() -> None:
            while queue:
                await _conversation(session, url, queue.pop(), out, headers or {})

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        out["wall"] = time.perf_counter() - start
    return out


def load(
    base_url: str, scripts: List[Script], bot: str, headers: Optional[Dict[str, str]] = None
) -> List[Dict]:
    """Warm up, then 1, 8 and 32 concurrent conversations (at least 3 conversations per client).

    Frontdesk's REST channel only takes senders it signed or an integration's token: the load generator
    is an integration (REST_CHANNEL_TOKEN), so its conversations need no session call first.
    """
    url = f"{base_url}/webhooks/rest/webhook"
    asyncio.run(_level(url, scripts, 2, 2 * len(scripts), headers))
    rows = []
    for concurrency in LEVELS:
        conversations = max(3 * concurrency, 12)
        result = asyncio.run(_level(url, scripts, concurrency, conversations, headers))
        lat = np.array(result["latencies"]) * 1000
        rows.append(
            {
                "bot": bot,
                "concurrent": concurrency,
                "conversations": conversations,
                "messages": len(lat),
                "p50_ms": float(np.percentile(lat, 50)),
                "p95_ms": float(np.percentile(lat, 95)),
                "p99_ms": float(np.percentile(lat, 99)),
                "msg_per_s": len(lat) / result["wall"],
                "unexpected_replies": len(result["unexpected"]),
                "unexpected_examples": result["unexpected"][:3],
            }
        )
        print(f"  {bot} c={concurrency}: p50 {rows[-1]['p50_ms']:.0f} ms, {rows[-1]['msg_per_s']:.1f} msg/s")
    return rows


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a process plus its live children, in MB."""
    pids = [pid] + [int(p) for p in _children(pid)]
    total = 0
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return round(total / 1024, 0)


def _children(pid: int) -> List[str]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return found + [grand for child in found for grand in _children(int(child))]


def frontdesk(workdir: Path) -> Tuple[List[Dict], Dict[str, float]]:
    var = workdir / "stack"
    config = StackConfig.isolated(var, model=latest_model(REPO_ROOT / "models"), extra_env=BENCH_ENV)
    stack = Stack(config)
    stack.start(timeout=300)
    try:
        rows = load(config.rasa_url, FRONTDESK, "frontdesk", integration_headers(config))
        rss = {name: peak_rss_mb(process.pid) for name, process in stack.processes.items()}
    finally:
        stack.stop()
    for row in rows:
        row["inputs"] = (
            f"model {config.model.name if config.model else '?'}, SQLite tracker store, action server, backend"
        )
    return rows, rss


def bare(workdir: Path) -> Tuple[List[Dict], Dict[str, float], Dict]:
    """`rasa init --no-prompt` (which also trains) in a temp dir, then `rasa run` there."""
    project = workdir / "bare"
    project.mkdir()
    init = run_timed(
        rasa("init", "--no-prompt", "--init-dir", str(project)), cwd=project, log=workdir / "init.log"
    )
    port = free_port()
    log = open(workdir / "bare-rasa.log", "ab")
    process = subprocess.Popen(
        rasa("run", "--port", str(port), "--interface", "127.0.0.1", "--model", "models"),
        cwd=project,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/webhooks/rest/", process)
        rows = load(f"http://127.0.0.1:{port}", BARE, "bare rasa init")
        rss = {"rasa (bare)": peak_rss_mb(process.pid)}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    for row in rows:
        row["inputs"] = "rasa init --no-prompt bot, in-memory tracker store, no action server"
    return rows, rss, {"rasa init --no-prompt (trains)": init}


def _wait(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def run() -> Dict:
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as tmp:
        ours, ours_rss = frontdesk(Path(tmp))
        base, base_rss, init = bare(Path(tmp))
    ratios = []
    for mine, theirs in zip(ours, base, strict=False):
        ratios.append(
            {
                "concurrent": mine["concurrent"],
                "p50 ratio": mine["p50_ms"] / theirs["p50_ms"],
                "p95 ratio": mine["p95_ms"] / theirs["p95_ms"],
                "throughput ratio": mine["msg_per_s"] / theirs["msg_per_s"],
                "p95 <= 150 ms": "yes" if mine["p95_ms"] <= 150 else "no",
                "throughput >= bare": "yes" if mine["msg_per_s"] >= theirs["msg_per_s"] else "no",
            }
        )
    return {"rows": ours + base, "ratios": ratios, "rss": {**ours_rss, **base_rss}, "init": init}
