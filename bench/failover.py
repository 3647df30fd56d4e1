"""Failover benchmark (issue 18, `make bench-failover`): scripted customers through nginx on the scaled stack
(tools/scaled_stack.py) while parts of it fail.

1. Kill: order-status and refund conversations (refunds verified with a one-time code read from the
   backend's development outbox, a route production does not mount) from `concurrency` customers; the
   busiest Rasa replica gets SIGKILL at `rasa_kill_at`, the busiest action server at `actions_kill_at`.
   Then both are started again, as an orchestrator would.
2. PostgreSQL cut: Rasa reaches PostgreSQL (tracker store and conversation keys) through a TCP proxy
   (tools/tcp_proxy.py) that drops every connection for `outage_seconds` while customers chat.
3. Redis cut: the same for the lock store (and the replicas' shared rate limits).

After each phase: what the customers saw (bench/failover_client.py) against nginx's access log, the
backend's refunds and codes, and the PostgreSQL tracker store (bench/failover_checks.py). The table goes to
bench/results/failover-<time>.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy.orm import sessionmaker

from bench.common import REPO_ROOT, markdown_table, write_results
from bench.failover_checks import (
    WEBHOOK,
    Backend,
    TrackerStore,
    access_log,
    action_calls_after,
    busiest,
    client_counts,
    failure_timelines,
    replica_continuity,
    unexpected_examples,
)
from bench.failover_client import Conversation, Endpoints, Load, RefundCustomer
from bench.serving import BENCH_ENV
from common.database import make_engine
from tests.factories import Factory
from tools.scaled_stack import POSTGRES, REDIS, Address, ScaledConfig, ScaledStack
from tools.stack import latest_model
from tools.tcp_proxy import TcpProxy

ACTION_CALL = "/webhook"


@dataclass
class Plan:
    concurrency: int = 8
    kill_phase_seconds: float = 70
    rasa_kill_at: float = 20
    actions_kill_at: float = 40
    outage_phase_seconds: float = 45
    outage_at: float = 10
    outage_seconds: float = 20
    outage_mode: str = "refuse"
    lock_lifetime: Optional[int] = None  # TICKET_LOCK_LIFETIME for the replicas; None: the stack's 20 s
    # Order numbers must stay 5 digits starting with 1: 11_000 + 10 per customer, so at most 800.
    refund_customers: int = 600


@dataclass
class BackendDatabase:
    session_factory: sessionmaker


def seed_refund_customers(config: ScaledConfig, count: int) -> List[RefundCustomer]:
    """Customers of the benchmark's own, each with one order delivered 3 days ago (inside the refund
    window): the backend sends 3 codes per customer per 15 minutes, so every refund needs its own."""
    engine = make_engine(config.stack.database_url or "")
    factory = Factory(BackendDatabase(sessionmaker(bind=engine, future=True)), order_id_base=11_000)
    made = [
        factory.customer([{"status": "delivered", "total_cents": 5990, "delivered_days_ago": 3}])
        for _ in range(count)
    ]
    engine.dispose()
    return [RefundCustomer(person.email, person.order_ids[0]) for person in made]


class Failover:
    def __init__(self, stack: ScaledStack, plan: Plan, refund_customers: List[RefundCustomer]) -> None:
        self.stack, self.plan = stack, plan
        config = stack.config
        self.endpoints = Endpoints(
            stack.scaled.public_url, config.rest_channel_token, config.backend_url, config.admin_token
        )
        self.refund_customers = refund_customers
        self.backend = Backend(config.backend_url, config.admin_token)
        self.next_number = 0
        assert stack.nginx is not None
        self.access_log = stack.nginx.access_log

    def _load(self) -> Load:
        load = Load(self.endpoints, self.refund_customers, self.next_number)
        return load

    def _finish(self, load: Load) -> List[Conversation]:
        self.next_number += len(load.conversations)
        self.refund_customers = load.refund_customers
        return load.conversations

    async def _kill(self, load: Load) -> Dict[str, Any]:
        plan, stack, started = self.plan, self.stack, time.time()
        running = asyncio.create_task(load.run(plan.concurrency, plan.kill_phase_seconds))
        await asyncio.sleep(plan.rasa_kill_at)
        replica = busiest(access_log(self.access_log), WEBHOOK, started, stack.scaled.replica_addresses())
        replica_killed_at = self._kill_9(stack.name_of(replica))
        await asyncio.sleep(plan.actions_kill_at - plan.rasa_kill_at)
        action_server = busiest(
            access_log(self.access_log), ACTION_CALL, started, stack.scaled.action_addresses()
        )
        actions_killed_at = self._kill_9(stack.name_of(action_server))
        await running
        return {
            "killed replica": stack.name_of(replica),
            "replica killed at s": round(replica_killed_at - started, 1),
            "killed action server": stack.name_of(action_server),
            "action server killed at s": round(actions_killed_at - started, 1),
            "_replica": replica,
            "_replica_killed_at": replica_killed_at,
            "_started": started,
            "_action_server": action_server,
            "_actions_killed_at": actions_killed_at,
        }

    def _kill_9(self, name: str) -> float:
        process = self.stack.processes[name]
        print(f"  kill -9 {name} (pid {process.pid})", flush=True)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        return time.time()

    def kill_phase(self) -> Dict[str, Any]:
        load = self._load()
        facts = asyncio.run(self._kill(load))
        conversations = self._finish(load)
        killed, killed_at = facts.pop("_replica"), facts.pop("_replica_killed_at")
        started = facts.pop("_started")
        action_server, actions_killed_at = facts.pop("_action_server"), facts.pop("_actions_killed_at")
        row = {"phase": "kill -9 replica + action server", **facts}
        lines = access_log(self.access_log)
        row.update(replica_continuity(lines, conversations, killed, killed_at))
        row.update(action_calls_after(lines, ACTION_CALL, action_server, actions_killed_at))
        row.update(self._checks(conversations, started))
        self.restart(facts["killed replica"], facts["killed action server"])
        return row

    def restart(self, *names: str) -> None:
        for name in names:
            self.stack.start_one(name)
        self.stack.wait_ready(300, list(names))
        time.sleep(
            11
        )  # nginx tries a failed upstream again after fail_timeout (10 s, deploy/nginx.conf's default)

    async def _outage(self, load: Load, proxy: TcpProxy) -> Dict[str, float]:
        plan, loop, started = self.plan, asyncio.get_running_loop(), time.time()
        running = asyncio.create_task(load.run(plan.concurrency, plan.outage_phase_seconds))
        await asyncio.sleep(plan.outage_at)
        cut_at = time.time()
        await loop.run_in_executor(None, proxy.cut, plan.outage_mode)
        await asyncio.sleep(plan.outage_seconds)
        await loop.run_in_executor(None, proxy.restore)
        restored_at = time.time()
        await running
        return {"cut_at": cut_at, "restored_at": restored_at, "started": started}

    def outage_phase(self, service: str, proxy: TcpProxy) -> Dict[str, Any]:
        load = self._load()
        window = asyncio.run(self._outage(load, proxy))
        conversations = self._finish(load)
        row: Dict[str, Any] = {
            "phase": f"{service} cut for {self.plan.outage_seconds:.0f} s ({self.plan.outage_mode})"
        }
        row["cut at s"] = round(window["cut_at"] - window["started"], 1)
        row["restored at s"] = round(window["restored_at"] - window["started"], 1)
        row.update(during_outage(conversations, window["cut_at"], window["restored_at"]))
        row.update(self._checks(conversations, window["started"]))
        return row

    def _checks(self, conversations: List[Conversation], started: float) -> Dict[str, Any]:
        replica_url = f"http://{self.stack.scaled.replica_addresses()[0]}"
        live = [
            name
            for name, process in self.stack.processes.items()
            if name.startswith("rasa-") and process.poll() is None
        ]
        if live:
            replica_url = f"http://{self.stack.scaled.replica_addresses()[int(live[0].split('-')[1]) - 1]}"
        row = client_counts(conversations)
        row.update(self.backend.effects(conversations))
        row.update(TrackerStore(replica_url, self.stack.config.rasa_api_token).compare(conversations))
        row["unexpected examples"] = unexpected_examples(conversations)
        row["failed messages, every attempt"] = failure_timelines(conversations, started)
        return row


def during_outage(conversations: List[Conversation], cut_at: float, restored_at: float) -> Dict[str, Any]:
    """What customers were shown while the service was cut, and how soon after the restore each
    conversation that failed was answered again."""
    shown: Counter = Counter()
    statuses: Counter = Counter()
    back_after = []
    for conversation in conversations:
        attempts = conversation.attempts()
        for attempt in attempts:
            if cut_at <= attempt.started <= restored_at:
                statuses[attempt.status] += 1
                shown.update(text[:90] for text in attempt.texts)
        if any(not attempt.answered for attempt in attempts):
            later = [a.ended - restored_at for a in attempts if a.answered and a.started >= restored_at]
            if later:
                back_after.append(min(later))
    return {
        "HTTP statuses during the cut": dict(statuses),
        "texts shown during the cut": dict(shown.most_common(4)),
        "answered again after restore, max s": round(max(back_after), 1) if back_after else 0.0,
    }


SHOWN = [
    "conversations", "refund conversations", "finished", "messages", "messages lost",
    "client retries", "messages retried",
    "failed: nginx 502/504", "failed: 503 store out, resend", "failed: empty answer (200 [])",
    "failed: no HTTP answer", "failed: other HTTP status",
    "unexpected replies", "trace in a reply", "conversations with a failure", "recover p50 s", "recover max s",
    "on killed replica before the kill", "under way on it at the kill", "continued on the other replica",
    "action calls after the kill", "moved off the killed server", "action calls failed",
    "refunds told", "refund rows in backend", "duplicate refunds", "refunds made but not confirmed",
    "codes sent", "extra codes sent",
    "bot texts seen", "missing from tracker store", "stored, never seen", "user messages stored twice",
    "answered again after restore, max s",
]  # fmt: skip


def table(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """One column per phase, one row per measure."""
    columns = ["measure", *[row["phase"] for row in rows]]
    lines = [{"measure": key, **{row["phase"]: row.get(key, "") for row in rows}} for key in SHOWN]
    return {"title": "Failover under load", "columns": columns, "rows": lines}


def run(plan: Plan, model: Path) -> List[Dict[str, Any]]:
    postgres_proxy, redis_proxy = (
        TcpProxy(POSTGRES.host, POSTGRES.port).start(),
        TcpProxy(REDIS.host, REDIS.port).start(),
    )
    extra_env = dict(BENCH_ENV)
    if plan.lock_lifetime:
        extra_env["TICKET_LOCK_LIFETIME"] = str(plan.lock_lifetime)
    with tempfile.TemporaryDirectory(prefix="bench-failover-") as folder:
        config = ScaledConfig.isolated(
            Path(folder),
            stack={"model": model, "extra_env": extra_env},
            rasa_postgres=Address(postgres_proxy.host, postgres_proxy.port),
            rasa_redis=Address(redis_proxy.host, redis_proxy.port),
        )
        stack = ScaledStack(config)
        print(f"Starting the scaled stack ({model.name})...", flush=True)
        stack.start()
        try:
            failover = Failover(stack, plan, seed_refund_customers(config, plan.refund_customers))
            print("Phase 1: kill -9 under load", flush=True)
            rows = [failover.kill_phase()]
            print("Phase 2: PostgreSQL cut", flush=True)
            rows.append(failover.outage_phase("PostgreSQL", postgres_proxy))
            print("Phase 3: Redis cut", flush=True)
            rows.append(failover.outage_phase("Redis", redis_proxy))
        finally:
            stack.stop()
            postgres_proxy.stop()
            redis_proxy.stop()
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.failover", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=Plan.concurrency)
    parser.add_argument("--outage-seconds", type=float, default=Plan.outage_seconds)
    parser.add_argument("--outage-mode", choices=("refuse", "blackhole"), default=Plan.outage_mode)
    parser.add_argument(
        "--lock-lifetime",
        type=int,
        help="TICKET_LOCK_LIFETIME for the replicas (the stack: 20; Rasa alone: 60)",
    )
    parser.add_argument("--model", type=Path, help="default: the newest in models/")
    args = parser.parse_args(argv)
    plan = Plan(
        concurrency=args.concurrency,
        outage_seconds=args.outage_seconds,
        outage_mode=args.outage_mode,
        lock_lifetime=args.lock_lifetime,
    )
    rows = run(plan, args.model or latest_model(REPO_ROOT / "models"))
    section = table(rows)
    facts = [
        f"- {row['phase']}: {key}: {value}"
        for row in rows
        for key, value in row.items()
        if key not in SHOWN and key != "phase"
    ]
    section["after"] = "\n".join(facts)
    raw = {"title": "Phases, every measure", "columns": ["phase"], "rows": rows}
    path = write_results("failover", [section, raw], "make bench-failover " + " ".join(argv or []))
    print(markdown_table(section["rows"], section["columns"]))
    print(section["after"])
    print(f"Results: {path} (and .json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
