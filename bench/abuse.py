"""Abuse benchmark: do customers still get answers while the console's public routes are flooded?

`make bench-abuse`. One private stack; scripted customers (order status, a handoff that asks the console
for the wait, a store question) chat over REST from their own addresses, first alone (baseline), then
while 100 requests a second hit the console's public routes (availability, login, the page) for 30 s from
a pool of addresses. Reported side by side: customer turns, replies saying the store's systems are
unavailable (must be 0), handoffs that could promise a wait, latency, and what the flood got back.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import numpy as np
import requests

from bench.common import REPO_ROOT, write_results
from tools.stack import Stack, StackConfig, latest_model

FLOOD_RATE = 100  # requests per second
FLOOD_SECONDS = 30
FLOOD_ADDRESSES = 20
UNAVAILABLE = "aren't responding"
SCRIPTS = [
    ["where is my order 10042?", "jane@example.com"],
    ["I want to talk to a human"],
    ["how long does delivery take?"],
]


def address(index: int) -> str:
    return f"198.18.{index // 250}.{index % 250 + 1}"


def customers(stack: Stack, seconds: float, seed: int) -> Dict:
    """Scripted conversations one after another for `seconds`; every reply kept."""
    rng = random.Random(seed)
    turns: List[float] = []
    unavailable = handoffs = waits = 0
    started = time.monotonic()
    url = stack.config.rasa_url
    count = 0
    while time.monotonic() - started < seconds:
        count += 1
        headers = {"X-Real-IP": address(1000 + seed * 100 + count)}
        sender = requests.post(f"{url}/webhooks/rest/session", headers=headers, timeout=30).json()["sender"]
        for message in rng.choice(SCRIPTS):
            begin = time.perf_counter()
            replies = requests.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                headers=headers,
                timeout=60,
            ).json()
            turns.append(time.perf_counter() - begin)
            text = " ".join(reply.get("text", "") for reply in replies)
            unavailable += UNAVAILABLE in text
            if "human" in message:
                handoffs += 1
                waits += "about" in text and "min" in text
    latencies = np.array(turns) * 1000
    return {
        "customer_turns": len(turns),
        "backend_unavailable_replies": unavailable,
        "handoffs": handoffs,
        "handoffs_with_a_wait_estimate": waits,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p95_ms": float(np.percentile(latencies, 95)),
    }


def flood(stack: Stack, stop: threading.Event, outcomes: Counter) -> None:
    console = stack.config.console_url
    routes = [("GET", "/api/availability", None)] * 7 + [
        ("POST", "/api/login", {"username": "alice", "password": "not-the-password"}),
        ("POST", "/api/login", {"username": "nobody", "password": "guess"}),
        ("GET", "/", None),
    ]
    session = requests.Session()
    interval = 1.0 / (FLOOD_RATE / 4)  # four flooding threads share the rate
    next_at = time.monotonic()
    while not stop.is_set():
        method, path, body = random.choice(routes)
        params = (
            {"ticket_id": random.randint(1, 10_000)}
            if "availability" in path and random.random() < 0.5
            else None
        )
        headers = {"X-Real-IP": address(random.randrange(FLOOD_ADDRESSES))}
        try:
            status = session.request(
                method, f"{console}{path}", json=body, params=params, headers=headers, timeout=10
            ).status_code
        except requests.RequestException:
            status = 0
        outcomes[f"{path} {status}"] += 1
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))


def agent_on_duty(stack: Stack, stop: threading.Event) -> None:
    """Bob keeps the console open (seen within 90 s), so handoffs can promise a wait."""
    session = requests.Session()
    password = stack.demo_passwords()["bob"]
    session.post(
        f"{stack.config.console_url}/api/login", json={"username": "bob", "password": password}, timeout=10
    )
    while not stop.wait(20):
        session.get(f"{stack.config.console_url}/api/me", timeout=10)


def run() -> List[Dict]:
    with tempfile.TemporaryDirectory(prefix="bench-abuse-") as tmp:
        config = StackConfig.isolated(
            Path(tmp),
            model=latest_model(REPO_ROOT / "models"),
            extra_env={"FRONTDESK_TRUST_PROXY": "true", "RASA_RATE_LIMIT": "1000/minute"},
        )
        stack = Stack(config)
        stack.start(timeout=300)
        on_duty = threading.Event()
        threading.Thread(target=agent_on_duty, args=(stack, on_duty), daemon=True).start()
        try:
            customers(stack, 5, seed=0)  # warm up
            print("baseline: customers alone", flush=True)
            baseline = customers(stack, FLOOD_SECONDS, seed=1)
            print(
                f"flood: {FLOOD_RATE} requests/s to the console's public routes for {FLOOD_SECONDS} s",
                flush=True,
            )
            outcomes: Counter = Counter()
            stop = threading.Event()
            with ThreadPoolExecutor(max_workers=4) as pool:
                for _ in range(4):
                    pool.submit(flood, stack, stop, outcomes)
                flooded = customers(stack, FLOOD_SECONDS, seed=2)
                stop.set()
            queue_reads = (
                (stack.logs_dir / "backend.log").read_text().count("GET /v1/tickets?category=handoff")
            )
        finally:
            on_duty.set()
            stack.stop()
    sent = sum(outcomes.values())
    rows = [
        {"phase": "customers alone", **baseline, "flood_requests": 0, "flood_per_s": 0.0},
        {
            "phase": "customers during the flood",
            **flooded,
            "flood_requests": sent,
            "flood_per_s": sent / FLOOD_SECONDS,
        },
    ]
    flood_rows = [{"route and status": key, "requests": count} for key, count in sorted(outcomes.items())]
    return [
        {
            "title": "Customers with and without a flood on the console's public routes",
            "rows": rows,
            "columns": [
                "phase",
                "customer_turns",
                "backend_unavailable_replies",
                "handoffs",
                "handoffs_with_a_wait_estimate",
                "p50_ms",
                "p95_ms",
                "flood_requests",
                "flood_per_s",
            ],
            "after": f"Backend queue reads by the console over the whole run: {queue_reads}.",
        },
        {"title": "What the flood got back", "rows": flood_rows, "columns": ["route and status", "requests"]},
    ]


def main() -> int:
    start = time.monotonic()
    sections = run()
    sections[0]["intro"] = f"Whole run: {time.monotonic() - start:.0f} s wall."
    path = write_results("bench-abuse", sections, "make bench-abuse")
    for row in sections[0]["rows"]:
        print(row)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
