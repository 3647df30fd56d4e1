"""The pure parts of the scaling benchmark: /proc parsers, connection owners, CPU per message, its tables."""

from __future__ import annotations

from bench.failover_client import Attempt, Conversation, SentMessage
from bench.scaling import message_latencies
from bench.scaling_probes import (
    count_by_owner,
    descendants,
    machine_ticks,
    parse_stat,
    port_of,
    tcp_socket_ports,
    used_seconds,
)
from bench.scaling_tables import by_kind, model_inputs, ratio_table

STAT = "4242 (rasa (worker) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 31 7 3 20 0 1 0 99 1000 200"


def test_stat_reads_parent_and_cpu_ticks_past_a_command_with_spaces_and_parentheses() -> None:
    stat = parse_stat(STAT)
    assert (stat.pid, stat.parent, stat.command, stat.cpu_ticks) == (4242, 17, "rasa (worker) x", 281)


def test_machine_ticks_leave_out_idle_and_iowait() -> None:
    assert machine_ticks("cpu  100 5 20 1000 30 1 2 0 0 0\ncpu0 1 2 3 4\n") == (128, 1158)


def test_descendants_walks_the_whole_tree_and_nothing_else() -> None:
    parents = {10: 1, 11: 10, 12: 11, 13: 10, 20: 1}
    assert sorted(descendants(parents, 10)) == [10, 11, 12, 13]
    assert descendants(parents, 99) == [99]


def test_tcp_table_maps_socket_inodes_to_local_ports() -> None:
    text = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1538 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000 0 555 1 0 20 4\n"
    )
    assert tcp_socket_ports(text) == {555: 0x1538}


def test_connections_are_counted_per_owner_and_strangers_are_other() -> None:
    assert port_of("127.0.0.1:6379") == 6379 and port_of("[::1]:5432") == 5432
    owners = {5001: "rasa-1", 5002: "rasa-1", 5003: "rasa-2"}
    assert count_by_owner([5001, 5002, 5003, 9999], owners) == {"rasa-1": 2, "rasa-2": 1, "other": 1}


def test_used_seconds_counts_new_processes_from_zero_and_drops_exited_ones() -> None:
    assert used_seconds({1: 10.0, 2: 5.0}, {1: 12.5, 3: 1.0}) == 3.5


def test_cpu_per_message_sums_replicas_and_the_model_divides_the_cores() -> None:
    cpu_ms = {"rasa-1": 60.0, "rasa-2": 40.0, "actions-1": 10.0, "postgres (this stack)": 5.0}
    cpu_ms.update({"postgres (all)": 50.0, "redis (all)": 1.0, "rabbitmq (all)": 4.0})
    kinds = by_kind(cpu_ms)
    assert kinds["rasa"] == 100.0 and kinds["actions"] == 10.0
    # postgres (all) is other work's too: the stack's own backends count instead.
    inputs = model_inputs({"cpu_ms_per_msg": cpu_ms}, cores=2)
    assert inputs == {"cpu ms per msg": 120.0, "cpu-bound msg/s on 2 cores": 2000 / 120}


def test_ratios_are_against_the_first_configuration_at_the_same_level() -> None:
    rows = [
        {"configuration": "1 replica", "concurrent": 8, "msg_per_s": 10.0, "p95_ms": 400.0, "served by": {}},
        {"configuration": "2 replicas", "concurrent": 8, "msg_per_s": 12.0, "p95_ms": 300.0, "served by": {}},
    ]
    (line,) = ratio_table(rows)["rows"]
    assert line["msg/s / 1 replica"] == 1.2 and line["p95 / 1 replica"] == 0.75


def test_latency_runs_from_the_first_send_to_the_answer_and_resends_are_counted() -> None:
    answered = SentMessage("hi", "a", [Attempt(0.0, 1.0, 502, []), Attempt(1.5, 2.0, 200, ["hello"])])
    lost = SentMessage("still there?", "b", [Attempt(3.0, 4.0, 0, [])])
    conversation = Conversation(0, "status", "127.1.1.1", "s", 10042, "jane@example.com", [answered, lost])
    assert message_latencies([conversation]) == ([2.0], 1, 1)
