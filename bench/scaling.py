"""Scaling curve (issue 18, `make bench-scaling`): closed-loop throughput through nginx on the scaled stack
(tools/scaled_stack.py) with 1 Rasa replica and with 2, and what each message costs every process.

Both configurations are up at once, each a scaled stack of its own (its own nginx, backend, 2 action servers
and PostgreSQL databases) on the machine's one PostgreSQL, Redis and RabbitMQ; they take turns at each level,
the order rotating every round (as bench/serving.py's `load`), so other work on this shared machine hits
both alike. The load is bench/failover_client.py's scripted customers (order status and verified refunds,
each conversation from its own source address, since nginx balances with ip_hash and limits each address)
started back to back by `concurrency` workers for `seconds`: a closed loop with no pauses.

Around each level: CPU seconds of each process (/proc/<pid>/stat, children included), of this stack's
PostgreSQL backends (pg_stat_activity's pids), of all of PostgreSQL, Redis and RabbitMQ (shared with other
work) and of the whole machine; mid-level, the PostgreSQL and Redis connections each process holds. At the
end, each replica's peak RSS. Results: bench/results/scaling-<time>.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from bench import scaling_probes as probes
from bench.common import REPO_ROOT, markdown_table, write_results
from bench.failover import seed_refund_customers
from bench.failover_checks import WEBHOOK, access_log
from bench.failover_client import Conversation, Endpoints, Load, RefundCustomer
from bench.scaling_tables import (
    by_kind,
    cpu_ms_of_stack,
    ratio_table,
    resources_table,
    throughput_table,
)
from bench.serving import BENCH_ENV, latency_summary, peak_rss_mb
from tools.scaled_stack import POSTGRES, REDIS, ScaledConfig, ScaledStack
from tools.stack import latest_model

# source_address() gives every conversation its own 127.a.b.1 up to number 63_499.
MAX_CONVERSATIONS = 63_000


@dataclass
class Plan:
    levels: Tuple[int, ...] = (8, 32)
    seconds: float = 40
    rounds: int = 2
    replicas: Tuple[int, ...] = (1, 2)
    # Each refund needs a backend customer of its own; order numbers stay 5 digits (see bench/failover.py).
    refund_customers: int = 350


@dataclass
class Configuration:
    """One scaled stack under test and what its levels measured, pooled over rounds."""

    name: str
    stack: ScaledStack
    endpoints: Endpoints
    refund_customers: List[RefundCustomer]
    next_number: int = 0
    pooled: Dict[int, Dict[str, Any]] = field(default_factory=dict)

    def roots(self) -> Dict[str, int]:
        return {name: process.pid for name, process in self.stack.processes.items()}

    def replicas(self) -> List[str]:
        return [name for name in self.stack.processes if name.startswith("rasa-")]


def postgres_backends(databases: Sequence[str]) -> List[Tuple[int, int]]:
    """(backend pid, client port) of every connection to these databases (pg_stat_activity)."""
    import psycopg2

    with (
        contextlib.closing(
            psycopg2.connect(host=POSTGRES.host, port=POSTGRES.port, user="postgres", dbname="postgres")
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT pid, client_port FROM pg_stat_activity WHERE datname = ANY(%s) AND client_port > 0",
            (list(databases),),
        )
        return [(int(pid), int(port)) for pid, port in cursor.fetchall()]


def redis_client_ports() -> List[int]:
    import redis

    client = redis.Redis(host=REDIS.host, port=REDIS.port, socket_timeout=5)
    return [probes.port_of(entry["addr"]) for entry in client.client_list()]


def databases(config: Configuration) -> List[str]:
    return [config.stack.scaled.tracker_db, config.stack.scaled.keys_db]


def cpu_snapshot(config: Configuration) -> Dict[str, Any]:
    """CPU seconds so far: each process of the stack, this stack's PostgreSQL backends (per pid, since
    backends come and go), the shared services and the machine."""
    processes = probes.scan()
    backend_pids = [pid for pid, _ in postgres_backends(databases(config))]
    return {
        "kinds": {
            **probes.tree_cpu_seconds(processes, config.roots()),
            **probes.service_cpu_seconds(processes),
            "postgres (this stack)": probes.per_pid_seconds(processes, backend_pids),
        },
        "machine": probes.machine_busy(),
    }


def connections(config: Configuration) -> Dict[str, Dict[str, int]]:
    owners = probes.owners_of_ports(probes.scan(), config.roots())
    postgres_ports = [port for _, port in postgres_backends(databases(config))]
    return {
        "postgres": probes.count_by_owner(postgres_ports, owners),
        "redis": probes.count_by_owner(redis_client_ports(), owners),
    }


def message_latencies(conversations: Sequence[Conversation]) -> Tuple[List[float], int, int]:
    """(seconds from first send to answer of every answered message, unanswered messages, resends)."""
    latencies, unanswered, resends = [], 0, 0
    for conversation in conversations:
        for message in conversation.messages:
            resends += message.retries
            if message.answered:
                latencies.append(message.attempts[-1].ended - message.attempts[0].started)
            else:
                unanswered += 1
    return latencies, unanswered, resends


async def _run_level(config: Configuration, load: Load, concurrency: int, seconds: float) -> Dict[str, Any]:
    """The load, with the connections counted halfway through (pools are full then)."""
    loop = asyncio.get_running_loop()
    running = asyncio.create_task(load.run(concurrency, seconds))
    await asyncio.sleep(seconds / 2)
    counted = await loop.run_in_executor(None, connections, config)
    await running
    return counted


def level(config: Configuration, concurrency: int, seconds: float) -> None:
    """One round of one level; pooled into config.pooled[concurrency]."""
    if config.next_number > MAX_CONVERSATIONS:
        raise RuntimeError("out of source addresses: fewer seconds or rounds")
    load = Load(config.endpoints, config.refund_customers, config.next_number)
    before, started = cpu_snapshot(config), time.time()
    counted = asyncio.run(_run_level(config, load, concurrency, seconds))
    after, ended = cpu_snapshot(config), time.time()
    config.next_number += len(load.conversations)
    config.refund_customers = load.refund_customers
    pool = config.pooled.setdefault(concurrency, new_pool())
    pool_conversations(pool, load.conversations, ended - started)
    for kind, readings in after["kinds"].items():
        used = probes.used_seconds(before["kinds"].get(kind, {}), readings)
        pool["cpu"][kind] = pool["cpu"].get(kind, 0.0) + used
    pool["machine"] = [pool["machine"][i] + after["machine"][i] - before["machine"][i] for i in range(2)]
    for store, owners in counted.items():
        for owner, count in owners.items():
            key = f"{store} {owner}"
            pool["connections"][key] = max(pool["connections"].get(key, 0), count)
    assert config.stack.nginx is not None
    for line in access_log(config.stack.nginx.access_log):
        if started <= line.time <= ended and line.uri == WEBHOOK and line.answered_by:
            name = config.stack.name_of(line.answered_by)
            pool["served"][name] = pool["served"].get(name, 0) + 1


def pool_conversations(pool: Dict[str, Any], conversations: Sequence[Conversation], wall: float) -> None:
    latencies, unanswered, resends = message_latencies(conversations)
    pool["latencies"] += latencies
    pool["wall"] += wall
    pool["unanswered"] += unanswered
    pool["resends"] += resends
    pool["conversations"] += len(conversations)
    pool["refunds"] += sum(c.kind == "refund" for c in conversations)
    pool["unexpected"] += [c.unexpected for c in conversations if c.unexpected]


def new_pool() -> Dict[str, Any]:
    return {
        "latencies": [], "wall": 0.0, "unanswered": 0, "resends": 0, "conversations": 0, "refunds": 0,
        "unexpected": [], "cpu": {}, "machine": [0, 0], "connections": {}, "served": {},
    }  # fmt: skip


def row_of(config: Configuration, concurrency: int) -> Dict[str, Any]:
    """One configuration at one level: throughput, latency, CPU ms per message of each kind."""
    pool = config.pooled[concurrency]
    summary = latency_summary(pool["latencies"], pool["wall"])
    busy, total = pool["machine"]
    row: Dict[str, Any] = {"configuration": config.name, "concurrent": concurrency, **summary}
    row.update(
        {
            "conversations (refunds)": f"{pool['conversations']} ({pool['refunds']})",
            "unanswered": pool["unanswered"],
            "resends": pool["resends"],
            "unexpected": len(pool["unexpected"]),
            "unexpected examples": pool["unexpected"][:3],
            "machine busy %": round(100 * busy / max(total, 1), 0),
            "machine busy, cores": busy / probes.TICKS_PER_SECOND / pool["wall"],
            "served by": dict(sorted(pool["served"].items())),
            "connections": dict(sorted(pool["connections"].items())),
        }
    )
    messages = max(summary["messages"], 1)
    row["cpu_ms_per_msg"] = {kind: 1000 * used / messages for kind, used in sorted(pool["cpu"].items())}
    stack_cores = cpu_ms_of_stack(by_kind(row["cpu_ms_per_msg"])) * summary["msg_per_s"] / 1000
    row["this stack, cores"] = stack_cores
    row["other work, cores"] = row["machine busy, cores"] - stack_cores
    return row


def warm_up(config: Configuration) -> None:
    """A few conversations first: a replica's first messages load what it has not used yet."""
    load = Load(config.endpoints, config.refund_customers, config.next_number)
    asyncio.run(load.run(4, 10))
    config.next_number += len(load.conversations)
    config.refund_customers = load.refund_customers


@contextlib.contextmanager
def configuration(folder: Path, replicas: int, model: Path, plan: Plan) -> Iterator[Configuration]:
    """A scaled stack with `replicas` Rasa replicas (2 action servers whatever their number), seeded."""
    scaled = ScaledConfig.isolated(
        folder, replicas=replicas, stack={"model": model, "extra_env": dict(BENCH_ENV)}
    )
    stack = ScaledStack(scaled)
    name = f"{replicas} replica" + ("s" if replicas > 1 else "")
    print(f"Starting the scaled stack with {name} ({model.name})...", flush=True)
    stack.start()
    try:
        single = stack.config
        endpoints = Endpoints(
            scaled.public_url, single.rest_channel_token, single.backend_url, single.admin_token
        )
        yield Configuration(name, stack, endpoints, seed_refund_customers(scaled, plan.refund_customers))
    finally:
        stack.stop()


def run(plan: Plan, model: Path) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """Every configuration up, warmed, then each level `rounds` times per configuration, in turns."""
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as folder, contextlib.ExitStack() as running:
        configs = [
            running.enter_context(configuration(Path(folder, f"replicas-{count}"), count, model, plan))
            for count in plan.replicas
        ]
        for config in configs:
            warm_up(config)
        for concurrency in plan.levels:
            for turn in range(plan.rounds):
                for config in configs[turn % len(configs) :] + configs[: turn % len(configs)]:
                    print(f"  {config.name}, {concurrency} concurrent, round {turn + 1}", flush=True)
                    level(config, concurrency, plan.seconds)
        rows = [row_of(config, concurrency) for concurrency in plan.levels for config in configs]
        resources = {config.name: resources_of(config) for config in configs}
    return rows, resources


def resources_of(config: Configuration) -> Dict[str, Any]:
    """Peak RSS of each replica, and the most connections each held to PostgreSQL and Redis at any level."""
    held: Dict[str, int] = {}
    for pool in config.pooled.values():
        for key, count in pool["connections"].items():
            held[key] = max(held.get(key, 0), count)
    return {
        "peak RSS MB": {name: peak_rss_mb(config.stack.processes[name].pid) for name in config.replicas()},
        "postgres connections": {name: held.get(f"postgres {name}", 0) for name in config.replicas()},
        "redis connections": {name: held.get(f"redis {name}", 0) for name in config.replicas()},
        "all connections, most at once": held,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument("--levels", type=int, nargs="+", default=list(Plan.levels))
    parser.add_argument("--seconds", type=float, default=Plan.seconds, help="per level and round")
    parser.add_argument("--rounds", type=int, default=Plan.rounds)
    parser.add_argument("--model", type=Path, help="default: the newest in models/")
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)
    plan = Plan(levels=tuple(args.levels), seconds=args.seconds, rounds=args.rounds)
    model = args.model or latest_model(REPO_ROOT / "models")
    rows, resources = run(plan, model)
    cores = probes.cores()
    sections = [throughput_table(rows, cores), ratio_table(rows), resources_table(resources)]
    sections[0]["intro"] = (
        f"Closed loop through nginx, {plan.seconds:.0f} s per level and round, {plan.rounds} rounds, the "
        f"configurations in turns; model {model.name}. CPU ms/msg: CPU time over the level / answered messages "
        "(\"(all)\": every process of that service, other work's included); other work, cores: the machine's "
        "busy cores minus this stack's."
    )
    raw = {"title": "Every measure", "columns": ["configuration", "concurrent"], "rows": rows}
    extra = {
        "title": "Connections",
        "columns": ["configuration"],
        "rows": [{"configuration": k, **v} for k, v in resources.items()],
    }
    path = write_results("scaling", [*sections, raw, extra], "python -m bench.scaling " + " ".join(arguments))
    for section in sections:
        print(f"\n{section['title']}\n" + markdown_table(section["rows"], section["columns"]))
    print(f"Results: {path} (and .json)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
