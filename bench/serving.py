"""Serving benchmark: the full stack over REST against a bare `rasa init` bot under the same load.

Scripted multi-turn conversations (order status, refund, ineligible refund) call the real backend.
Each concurrency level runs a bounded number of conversations; every reply is checked.

A/B: `run(Baseline(env=..., model=...))` also starts a second Frontdesk stack with that environment (e.g.
`FRONTDESK_RASA_PATCHES_OFF=all`, the code before a cut) or that model (e.g. one trained before a change to
config.yml) and loads it in turns with the others, so a change is measured against its baseline in the
same run, never across runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp
import numpy as np

from bench.common import REPO_ROOT, rasa, run_timed
from tools.stack import Stack, StackConfig, free_port, latest_model

Script = List[Tuple[str, Sequence[str]]]  # (message, substrings of which one must be in the reply)
# Refunds need a one-time code and the backend issues 3 codes per email per 15 minutes, so refund
# conversations are driven up to the code step (the code request hits the backend); a code or the
# rate-limit answer both count as expected. A plain "no" then ends the form ("stopped"), or, after the
# rate-limit answer, which already ended it, gets "Alright. If you need anything else, just ask."
FRONTDESK: List[Script] = [
    [("where is my order 10042?", ["email"]), ("jane@example.com", ["Order 10042 was delivered"])],
    [("where is order 10043", ["email"]), ("my email is jane@example.com", ["10043"])],
    [
        ("I want a refund for order 10042", ["email"]),
        ("jane@example.com", ["code", "too many codes"]),
        ("no", ["stopped", "alright"]),
    ],
    [
        ("i need my money back for order 10046", ["email"]),
        ("jane@example.com", ["code", "too many codes"]),
        ("never mind", ["stopped", "alright"]),
    ],
]
BARE: List[Script] = [
    [("hello", ["Hey"]), ("I am sad", ["cheer"]), ("yes", ["Great"]), ("bye", ["Bye"])],
    [("hi", ["Hey"]), ("great", ["Great"]), ("goodbye", ["Bye"])],
]
LEVELS = (1, 8, 32)
ROUNDS = 3
FRONTDESK_BOT = "frontdesk"
BARE_BOT = "bare rasa init"
# The load comes from one address and one email: budgets meant for attackers would stop it early.
BENCH_ENV = {"LOOKUP_FAILURES_PER_EMAIL": "100000/hour", "LOOKUP_FAILURES_PER_ADDRESS": "100000/hour"}


def integration_headers(config: StackConfig) -> Dict[str, str]:
    return {"Authorization": f"Bearer {config.rest_channel_token}"}


@dataclass
class Exchange:
    """One customer message over the REST webhook and what came back."""

    status: int
    text: str  # the replies' texts, joined and lower-cased
    seconds: float

    def as_expected(self, expected: Sequence[str]) -> bool:
        return self.status == 200 and any(word.lower() in self.text for word in expected)


async def exchange(
    session: aiohttp.ClientSession, webhook: str, headers: Dict[str, str], sender: str, message: str
) -> Exchange:
    start = time.perf_counter()
    async with session.post(
        webhook, json={"sender": sender, "message": message}, headers=headers
    ) as response:
        replies = await response.json() if response.status == 200 else []
    text = "\n".join(reply.get("text") or "" for reply in replies).lower()
    return Exchange(response.status, text, time.perf_counter() - start)


async def _conversation(
    session: aiohttp.ClientSession, url: str, script: Script, out: Dict, headers: Dict[str, str]
) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for message, expected in script:
        answer = await exchange(session, url, headers, sender, message)
        out["latencies"].append(answer.seconds)
        if not answer.as_expected(expected):
            out["unexpected"].append({"sent": message, "status": answer.status, "reply": answer.text[:200]})


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


@dataclass
class Server:
    """One bot under load: where it listens, what it is sent, and its processes (for peak RSS)."""

    bot: str
    url: str
    scripts: List[Script]
    inputs: str
    headers: Dict[str, str] = field(default_factory=dict)
    pids: Dict[str, int] = field(default_factory=dict)
    # Rasa's HTTP API, where the server has it (trackers read by bench.long_conversations): its token, and
    # the prefix the channel puts before a sender id to name the tracker.
    api_token: Optional[str] = None
    sender_prefix: str = ""

    def tracker_url(self, sender: str) -> Optional[str]:
        if self.api_token is None:
            return None
        return f"{self.url}/conversations/{self.sender_prefix}{sender}/tracker?token={self.api_token}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    def level(self, concurrency: int, conversations: int) -> Dict:
        webhook = self.webhook
        return asyncio.run(_level(webhook, self.scripts, concurrency, conversations, self.headers))


def load(servers: List[Server], rounds: int = ROUNDS) -> List[Dict]:
    """Warm every server up, then 1, 8 and 32 concurrent conversations (at least 3 per client and round).

    All servers stay up and take turns: each level runs `rounds` times per server, the order rotating
    every round, so a burst of other work on this shared machine hits every server alike. A row pools
    its server's rounds (latency percentiles over all messages, msg/s = messages / summed wall time).
    Frontdesk's REST channel only takes senders it signed or an integration's token: the load generator
    is an integration (REST_CHANNEL_TOKEN), so its conversations need no session call first.
    """
    for server in servers:
        server.level(2, 2 * len(server.scripts))
    rows = []
    for concurrency in LEVELS:
        conversations = max(3 * concurrency, 12)
        pooled: Dict[str, Dict] = {s.bot: {"latencies": [], "unexpected": [], "wall": 0.0} for s in servers}
        for turn in range(rounds):
            for server in servers[turn % len(servers) :] + servers[: turn % len(servers)]:
                result = server.level(concurrency, conversations)
                for key in ("latencies", "unexpected"):
                    pooled[server.bot][key] += result[key]
                pooled[server.bot]["wall"] += result["wall"]
        for server in servers:
            result = pooled[server.bot]
            rows.append(
                {
                    "bot": server.bot,
                    "concurrent": concurrency,
                    "conversations": conversations * rounds,
                    **latency_summary(result["latencies"], result["wall"]),
                    "unexpected_replies": len(result["unexpected"]),
                    "unexpected_examples": result["unexpected"][:3],
                    "inputs": server.inputs,
                }
            )
            row = rows[-1]
            print(
                f"  {server.bot} c={concurrency}: p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms, "
                f"{row['msg_per_s']:.1f} msg/s, {row['unexpected_replies']} unexpected"
            )
    return rows


def latency_summary(latencies_s: Sequence[float], wall_s: float) -> Dict[str, float]:
    """Messages, p50/p95/p99 in ms and msg/s (messages over the summed wall time of the rounds)."""
    lat = np.array(latencies_s) * 1000
    return {
        "messages": len(lat),
        "p50_ms": float(np.percentile(lat, 50)),
        "p95_ms": float(np.percentile(lat, 95)),
        "p99_ms": float(np.percentile(lat, 99)),
        "msg_per_s": len(lat) / wall_s,
    }


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


@contextlib.contextmanager
def frontdesk(
    workdir: Path, bot: str, extra_env: Dict[str, str], model: Optional[Path] = None
) -> Iterator[Server]:
    """The full stack (backend, action server, Rasa, console, web chat) on free ports, with extra_env,
    serving `model` (by default the newest in models/)."""
    config = StackConfig.isolated(
        workdir, model=model or latest_model(REPO_ROOT / "models"), extra_env={**BENCH_ENV, **extra_env}
    )
    from channels.rest import SERVICE_PREFIX  # imports Rasa's channels: only when a stack is started

    stack = Stack(config)
    stack.start(timeout=300)
    try:
        served = config.model.name if config.model else "?"
        yield Server(
            bot,
            config.rasa_url,
            FRONTDESK,
            f"model {served}, SQLite tracker store, action server, backend",
            integration_headers(config),
            {name: process.pid for name, process in stack.processes.items()},
            api_token=config.rasa_api_token,
            sender_prefix=SERVICE_PREFIX,
        )
    finally:
        stack.stop()


@contextlib.contextmanager
def bare(workdir: Path) -> Iterator[Tuple[Server, Dict]]:
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
        server = Server(
            BARE_BOT,
            f"http://127.0.0.1:{port}",
            BARE,
            "rasa init --no-prompt bot, in-memory tracker store, no action server",
            pids={"rasa": process.pid},
        )
        yield server, {"rasa init --no-prompt (trains)": init}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


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


def parse_env(assignments: Sequence[str]) -> Dict[str, str]:
    """["NAME=value", ...] -> {"NAME": "value"}; anything else is refused."""
    parsed = dict(item.split("=", 1) for item in assignments if "=" in item)
    if len(parsed) != len(assignments):
        raise SystemExit(f"expected NAME=value assignments, got {' '.join(assignments)!r}")
    return parsed


def ratio_rows(rows: List[Dict], baseline_bot: Optional[str]) -> List[Dict]:
    """Each Frontdesk variant against the bare bot at each level, throughput first; and, in an A/B run,
    the change against the baseline variant (same run, same load)."""
    by_key = {(row["bot"], row["concurrent"]): row for row in rows}
    ratios = []
    for row in rows:
        if row["bot"] == BARE_BOT:
            continue
        bare_row = by_key[(BARE_BOT, row["concurrent"])]
        ratio = {
            "bot": row["bot"],
            "concurrent": row["concurrent"],
            "throughput ratio": row["msg_per_s"] / bare_row["msg_per_s"],
            "p95 ratio": row["p95_ms"] / bare_row["p95_ms"],
            "p50 ratio": row["p50_ms"] / bare_row["p50_ms"],
            "throughput >= bare": "yes" if row["msg_per_s"] >= bare_row["msg_per_s"] else "no",
            "p95 <= bare p95": "yes" if row["p95_ms"] <= bare_row["p95_ms"] else "no",
        }
        if baseline_bot and row["bot"] != baseline_bot:
            before = by_key[(baseline_bot, row["concurrent"])]
            ratio["throughput / baseline"] = row["msg_per_s"] / before["msg_per_s"]
            ratio["p95 / baseline"] = row["p95_ms"] / before["p95_ms"]
        ratios.append(ratio)
    return ratios


@dataclass
class Baseline:
    """The "before" of an A/B run: a second Frontdesk stack with this environment and/or this model."""

    env: Dict[str, str] = field(default_factory=dict)
    model: Optional[Path] = None
    label: Optional[str] = None

    @property
    def bot(self) -> str:
        if self.label:
            return self.label
        what = [f"{name}={value}" for name, value in self.env.items()]
        what += [f"model {self.model.name}"] if self.model else []
        return f"frontdesk baseline ({' '.join(what)})"


# The baseline when none is asked for. The scripts' texts repeat, so with the sentence-embedding cache
# (MINILM_CACHE_SIZE) the encoder runs only on a conversation's first sight of each text and Frontdesk's row
# is the best case for the encoder; this stack, with the cache off, encodes every message, as if every text
# were new (the worst case). Real traffic lies between: its short replies ("yes", "no", "thanks") repeat,
# its order numbers and emails do not. Both rows are printed, so neither is mistaken for the other.
ENCODER_CACHE_OFF = Baseline(
    env={"MINILM_CACHE_SIZE": "0"}, label="frontdesk, every message encoded (MINILM_CACHE_SIZE=0)"
)


def run(baseline: Optional[Baseline] = None, rounds: int = ROUNDS) -> Dict:
    """Frontdesk (and, with a baseline, a second Frontdesk stack with its environment or model, the "before"
    of an A/B comparison) against the bare bot, all up at once and loaded in turns (see `load`)."""
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as tmp, contextlib.ExitStack() as running:
        servers = []
        if baseline:
            servers.append(
                running.enter_context(
                    frontdesk(Path(tmp, "baseline"), baseline.bot, baseline.env, baseline.model)
                )
            )
        servers.append(running.enter_context(frontdesk(Path(tmp, "frontdesk"), FRONTDESK_BOT, {})))
        bare_server, init = running.enter_context(bare(Path(tmp)))
        servers.append(bare_server)
        rows = load(servers, rounds)
        rss = {
            f"{process} ({server.bot})": peak_rss_mb(pid)
            for server in servers
            for process, pid in server.pids.items()
        }
    baseline_bot = baseline.bot if baseline else None
    return {"rows": rows, "ratios": ratio_rows(rows, baseline_bot), "rss": rss, "init": init}
