"""Open-loop capacity: how many simultaneous conversations one Rasa process holds with p95 under 300 ms.

New conversations arrive as a Poisson process; each customer sends a script's messages, pausing 5-20 s
(uniform) after each reply, as people do. A level is the number of simultaneous conversations aimed at:
by Little's law the arrival rate is level / mean conversation length. Each step warms up for 1.5 mean
conversation lengths (a system started empty takes about that long to fill up), then measures for 60 s:
p95 over the messages sent in that window, the simultaneous conversations actually open (sampled every
second) and the messages per second. Levels are searched (`next_level`): from a start estimated from a short
closed-loop burst, up or down by 1.5x until one level passes and one fails, then halfway (geometrically)
until they are within 1.2x of each other.

python -m bench.run capacity   (make bench-capacity)
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp
import numpy as np

from bench.serving import BARE, FRONTDESK, FRONTDESK_BOT, Script, Server, bare, exchange, frontdesk

PAUSE_S = (5.0, 20.0)
P95_LIMIT_MS = 300.0
WINDOW_S = 60.0
WARM_UP_CONVERSATIONS = 1.5
STEP_FACTOR = 1.5
PRECISION = 1.2
MAX_STEPS = 6
# The serving benchmark's scripts plus longer ones, as chats go: a greeting, an order checked, thanks and
# the one rating the bot asks for; store questions answered from the knowledge base; a request the bot
# can't do in the chat.
FRONTDESK_CAPACITY: List[Script] = FRONTDESK + [
    [
        ("hi", ["Frontdesk"]),
        ("where is my order 10042?", ["email"]),
        ("jane@example.com", ["Order 10042 was delivered"]),
        ("thanks", ["rate the help"]),
        ("5", ["Thank you for the rating"]),
        ("bye", ["Goodbye"]),
    ],
    [
        ("how long does delivery take?", ["Source: Delivery times"]),
        ("do you ship to Norway?", ["Source: International delivery"]),
        ("what payment methods do you accept?", ["Source: Payment methods"]),
        ("thanks", ["You're welcome"]),
    ],
    [
        ("hello", ["Frontdesk"]),
        ("can I change the size of my order?", ["can't change an order"]),
        ("no", ["Alright"]),
        ("are you a bot?", ["I'm a bot"]),
    ],
]


def mean_conversation_s(scripts: Sequence[Script], pause_s: Sequence[float] = PAUSE_S) -> float:
    """Mean time a conversation is open, replies aside: a pause after every reply but the last."""
    mean_pause = (pause_s[0] + pause_s[1]) / 2
    return float(np.mean([(len(script) - 1) * mean_pause for script in scripts]))


def arrival_rate(level: float, scripts: Sequence[Script]) -> float:
    """New conversations per second that keep `level` of them open on average (Little's law)."""
    return level / mean_conversation_s(scripts)


def arrival_times(rate_per_s: float, duration_s: float, rng: random.Random) -> List[float]:
    """A Poisson process on [0, duration_s): exponential gaps with mean 1 / rate."""
    times: List[float] = []
    at = rng.expovariate(rate_per_s)
    while at < duration_s:
        times.append(at)
        at += rng.expovariate(rate_per_s)
    return times


def starting_level(msg_per_s: float, scripts: Sequence[Script], utilisation: float = 0.5) -> int:
    """The level whose messages would keep the server `utilisation` busy, from its closed-loop rate."""
    messages = float(np.mean([len(script) for script in scripts]))
    per_conversation = messages / mean_conversation_s(scripts)  # messages per second one conversation sends
    return max(1, round(utilisation * msg_per_s / per_conversation))


def next_level(
    results: Dict[int, bool], start: int, factor: float = STEP_FACTOR, precision: float = PRECISION
) -> Optional[int]:
    """The next level to measure, given each measured level's verdict (True: p95 under the limit); None
    when the capacity is known to within `precision` (or no level is left between a pass and a fail)."""
    if not results:
        return start
    passed = [level for level, ok in results.items() if ok]
    failed = [level for level, ok in results.items() if not ok]
    if not failed:
        return math.ceil(max(passed) * factor)
    if not passed:
        lower = math.floor(min(failed) / factor)
        return lower if 1 <= lower < min(failed) else None
    low = max(passed)
    above = [level for level in failed if level > low]
    if not above:  # noise: every failure sits below a pass; the best pass stands, look above it
        return math.ceil(low * factor)
    high = min(above)
    if high / low <= precision or high - low <= 1:
        return None
    middle = round(math.sqrt(low * high))
    return min(max(middle, low + 1), high - 1)


def capacity(results: Dict[int, bool]) -> Optional[int]:
    """The largest passing level below the smallest failure above it (None if nothing passed)."""
    passed = [level for level, ok in results.items() if ok]
    if not passed:
        return None
    failed_above = [level for level, ok in results.items() if not ok and level > min(passed)]
    ceiling = min(failed_above) if failed_above else math.inf
    return max(level for level in passed if level < ceiling)


async def _customer(
    session: aiohttp.ClientSession, server: Server, script: Script, start: float, end: float, step: Dict
) -> None:
    """One customer: arrives, talks, pauses; a message due after the window is not sent, but the customer
    stays (and counts as open) until the window ends, as one who would have gone on talking."""
    loop = asyncio.get_running_loop()
    sender = f"bench-cap-{uuid.uuid4().hex[:12]}"
    step["open"] += 1
    try:
        for index, (message, expected) in enumerate(script):
            sent = loop.time()
            answer = await exchange(session, server.webhook, server.headers, sender, message)
            if sent >= start:
                step["latencies"].append(answer.seconds)
                if not answer.as_expected(expected):
                    step["unexpected"].append(
                        {"sent": message, "status": answer.status, "reply": answer.text[:200]}
                    )
            if index == len(script) - 1:
                return
            pause = step["rng"].uniform(*PAUSE_S)
            await asyncio.sleep(min(pause, max(0.0, end - loop.time())))
            if loop.time() >= end:
                return
    finally:
        step["open"] -= 1


async def _step(server: Server, scripts: List[Script], level: int, seed: int) -> Dict:
    """Poisson arrivals for a warm-up plus the measured window. Started empty, the number of open
    conversations only reaches the level once the longest scripts have run their course: 1.5 mean
    conversation lengths bring it to about 90 %; open_mean says what the window really held."""
    rng = random.Random(seed)
    warm_up = WARM_UP_CONVERSATIONS * mean_conversation_s(scripts)
    arrivals = arrival_times(arrival_rate(level, scripts), warm_up + WINDOW_S, rng)
    step: Dict = {"latencies": [], "unexpected": [], "open": 0, "rng": rng}
    loop = asyncio.get_running_loop()
    begin = loop.time()
    start, end = begin + warm_up, begin + warm_up + WINDOW_S
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:

        async def arrive(at: float) -> None:
            await asyncio.sleep(at)
            await _customer(session, server, rng.choice(scripts), start, end, step)

        customers = [asyncio.ensure_future(arrive(at)) for at in arrivals]
        open_counts = []
        await asyncio.sleep(warm_up)
        while loop.time() < end:
            open_counts.append(step["open"])
            await asyncio.sleep(1.0)
        await asyncio.gather(*customers)  # in-flight messages finish; nobody sends after the window
    latencies = np.array(step["latencies"]) * 1000
    p95 = float(np.percentile(latencies, 95)) if len(latencies) else math.inf
    return {
        "bot": server.bot,
        "level": level,
        "open_mean": round(float(np.mean(open_counts)), 1),
        "open_max": max(open_counts),
        "messages": len(latencies),
        "msg_per_s": len(latencies) / WINDOW_S,
        "p50_ms": float(np.percentile(latencies, 50)) if len(latencies) else math.inf,
        "p95_ms": p95,
        "p99_ms": float(np.percentile(latencies, 99)) if len(latencies) else math.inf,
        "p95 < 300 ms": "yes" if p95 < P95_LIMIT_MS else "no",
        "unexpected_replies": len(step["unexpected"]),
        "unexpected_examples": step["unexpected"][:3],
        "step_s": round(warm_up + WINDOW_S),
    }


def closed_loop_rate(server: Server) -> float:
    """Messages per second at 4 concurrent conversations, back to back (the search's first guess)."""
    server.level(2, 2 * len(server.scripts))  # warm-up: models, graphs, the knowledge base
    result = server.level(4, 4 * len(server.scripts))
    return len(result["latencies"]) / result["wall"]


def search(server: Server, scripts: List[Script]) -> Dict:
    """Measure levels until the capacity is known to within PRECISION (at most MAX_STEPS steps)."""
    rate = closed_loop_rate(server)
    start = starting_level(rate, scripts)
    print(f"  {server.bot}: closed-loop {rate:.1f} msg/s, first level {start}", flush=True)
    verdicts: Dict[int, bool] = {}
    rows: List[Dict] = []
    level = next_level(verdicts, start)
    while level is not None and len(rows) < MAX_STEPS:
        row = asyncio.run(_step(server, scripts, level, seed=level))
        verdicts[level] = row["p95_ms"] < P95_LIMIT_MS
        rows.append(row)
        print(
            f"  {server.bot} level {level}: open {row['open_mean']} (max {row['open_max']}), "
            f"{row['msg_per_s']:.2f} msg/s, p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms, "
            f"{row['unexpected_replies']} unexpected",
            flush=True,
        )
        level = next_level(verdicts, start)
    return {"rows": rows, "capacity": capacity(verdicts), "closed_loop_msg_per_s": rate, "start": start}


def summary_row(server: Server, found: Dict) -> Dict:
    best = found["capacity"]
    at = next((row for row in found["rows"] if row["level"] == best), None)
    return {
        "bot": server.bot,
        "capacity (conversations, p95 < 300 ms)": best if best is not None else "none passed",
        "open_mean at capacity": at["open_mean"] if at else "-",
        "msg_per_s at capacity": at["msg_per_s"] if at else "-",
        "p95_ms at capacity": at["p95_ms"] if at else "-",
        "levels measured": ", ".join(str(row["level"]) for row in found["rows"]),
        "closed_loop_msg_per_s": found["closed_loop_msg_per_s"],
    }


def run() -> List[Dict]:
    """Frontdesk's full stack, then the bare bot (both up, searched one after the other)."""
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp, contextlib.ExitStack() as running:
        served = running.enter_context(frontdesk(Path(tmp, "frontdesk"), FRONTDESK_BOT, {}))
        bare_server, _ = running.enter_context(bare(Path(tmp)))
        plans = [(served, FRONTDESK_CAPACITY), (bare_server, BARE)]
        found = [(server, search(server, scripts)) for server, scripts in plans]
    summary = [summary_row(server, result) for server, result in found]
    steps = [row for _, result in found for row in result["rows"]]
    return [
        {
            "title": "Open-loop capacity: simultaneous conversations one Rasa process holds with p95 < 300 ms",
            "rows": summary,
            "columns": list(summary[0].keys()),
            "after": f"Poisson arrivals, pauses of {PAUSE_S[0]:.0f}-{PAUSE_S[1]:.0f} s (uniform) after each "
            "reply; level = conversations aimed at (Little's law), open_mean = conversations the window really "
            "held (sampled every second). "
            f"Capacity to within {PRECISION}x. Whole part: {time.monotonic() - began:.0f} s.",
        },
        {
            "title": "Open-loop steps (each: a warm-up of 1.5 mean conversations, then 60 s measured)",
            "rows": steps,
            "columns": ["bot", "level", "open_mean", "open_max", "messages", "msg_per_s"]
            + ["p50_ms", "p95_ms", "p99_ms", "p95 < 300 ms", "unexpected_replies", "step_s"],
        },
    ]
