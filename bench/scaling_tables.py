"""The scaling benchmark's arithmetic and tables (bench/scaling.py): CPU per message by process kind, the
capacity model's inputs, each configuration against 1 replica. Pure: tests/bench/test_scaling_probes.py.
"""

from __future__ import annotations

from typing import Any, Dict, List

# Process kinds in the table: the stack's own processes summed by kind, then the shared services.
KINDS = {
    "rasa": ("rasa-",),
    "actions": ("actions-",),
    "backend": ("backend",),
    "nginx": ("nginx",),
    "analytics": ("analytics",),
    "console, webchat": ("console", "webchat"),
    "postgres (this stack)": ("postgres (this stack)",),
    "postgres (all)": ("postgres (all)",),
    "redis (all)": ("redis (all)",),
    "rabbitmq (all)": ("rabbitmq (all)",),
}
# What one message costs the stack: its processes, its PostgreSQL backends, and Redis and RabbitMQ (which
# cannot be split by client: all of their time, an upper bound).
STACK = (
    "rasa", "actions", "backend", "nginx", "analytics", "console, webchat", "postgres (this stack)",
    "redis (all)", "rabbitmq (all)",
)  # fmt: skip


def by_kind(cpu_ms: Dict[str, float]) -> Dict[str, float]:
    """CPU ms per message summed over each kind's processes (rasa-1 and rasa-2 are "rasa")."""
    return {
        kind: sum(value for name, value in cpu_ms.items() if name.startswith(prefixes))
        for kind, prefixes in KINDS.items()
    }


def cpu_ms_of_stack(kinds: Dict[str, float]) -> float:
    return sum(kinds[kind] for kind in STACK)


def model_inputs(row: Dict[str, Any], cores: int) -> Dict[str, float]:
    """The capacity model's inputs: CPU ms per message of the stack (STACK), and the msg/s that much CPU
    allows on `cores` cores if nothing else ran."""
    total = cpu_ms_of_stack(by_kind(row["cpu_ms_per_msg"]))
    return {
        "cpu ms per msg": total,
        f"cpu-bound msg/s on {cores} cores": 1000 * cores / total if total else 0.0,
    }


def throughput_table(rows: List[Dict[str, Any]], cores: int) -> Dict[str, Any]:
    lines = []
    for row in rows:
        kinds = by_kind(row["cpu_ms_per_msg"])
        lines.append(
            {
                **{key: row[key] for key in ("configuration", "concurrent", "messages", "unanswered")},
                "msg/s": row["msg_per_s"],
                "p50 ms": row["p50_ms"],
                "p95 ms": row["p95_ms"],
                "machine busy %": row["machine busy %"],
                "other work, cores": row["other work, cores"],
                **{f"{kind} ms/msg": value for kind, value in kinds.items()},
                **model_inputs(row, cores),
            }
        )
    columns = list(lines[0]) if lines else []
    return {"title": "Throughput and CPU per message", "columns": columns, "rows": lines}


def ratio_table(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Each configuration against the first (1 replica) at the same level."""
    first = rows[0]["configuration"] if rows else ""
    base = {row["concurrent"]: row for row in rows if row["configuration"] == first}
    lines = [
        {
            "configuration": row["configuration"],
            "concurrent": row["concurrent"],
            f"msg/s / {first}": row["msg_per_s"] / base[row["concurrent"]]["msg_per_s"],
            f"p95 / {first}": row["p95_ms"] / base[row["concurrent"]]["p95_ms"],
            "served by": row["served by"],
        }
        for row in rows
        if row["configuration"] != first
    ]
    columns = ["configuration", "concurrent", f"msg/s / {first}", f"p95 / {first}", "served by"]
    return {"title": "Scaling", "columns": columns, "rows": lines}


def resources_table(resources: Dict[str, Any]) -> Dict[str, Any]:
    lines = [
        {
            "configuration": name,
            **{key: value for key, value in facts.items() if key != "all connections, most at once"},
        }
        for name, facts in resources.items()
    ]
    columns = ["configuration", "peak RSS MB", "postgres connections", "redis connections"]
    return {"title": "Per replica", "columns": columns, "rows": lines}
