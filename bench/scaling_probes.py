"""What the scaling benchmark (bench/scaling.py) reads from this machine around each load level: CPU time of
each process kind from /proc/<pid>/stat (utime + stime, children included), the whole machine's busy time
from /proc/stat, and which process holds each PostgreSQL and Redis connection (the client's local port,
matched to the sockets in /proc/<pid>/fd).

The parsers are pure (tests/bench/test_scaling_probes.py); the readers only gather the text they parse.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Set, Tuple

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
# Processes of the shared services, by the name the kernel shows (/proc/<pid>/stat's second field).
SERVICE_COMMANDS = {"postgres": "postgres", "redis": "redis-server", "rabbitmq": "beam.smp"}


@dataclass(frozen=True)
class ProcessStat:
    pid: int
    parent: int
    command: str
    cpu_ticks: int  # utime + stime


def parse_stat(text: str) -> ProcessStat:
    """One /proc/<pid>/stat line. The command sits in parentheses and may itself hold spaces or ")"."""
    opening, closing = text.index("("), text.rindex(")")
    rest = text[closing + 2 :].split()
    # After the command: state(3) ppid(4) ... utime(14) stime(15), counted from field 3 here.
    return ProcessStat(
        int(text[:opening]), int(rest[1]), text[opening + 1 : closing], int(rest[11]) + int(rest[12])
    )


def machine_ticks(proc_stat: str) -> Tuple[int, int]:
    """(busy, total) ticks of all cores from /proc/stat's first line; idle and iowait are not busy."""
    values = [int(value) for value in proc_stat.splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])  # guest time is already inside user time
    return total - idle, total


def descendants(parents: Mapping[int, int], root: int) -> List[int]:
    """root and every process below it, from a pid -> parent pid map."""
    children: Dict[int, List[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        waiting.extend(children.get(pid, []))
    return found


def tcp_socket_ports(proc_net_tcp: str) -> Dict[int, int]:
    """socket inode -> local port, from /proc/net/tcp or tcp6 (hex local_address "ADDR:PORT", inode 10th)."""
    ports = {}
    for line in proc_net_tcp.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 9:
            ports[int(fields[9])] = int(fields[1].rsplit(":", 1)[1], 16)
    return ports


def port_of(address: str) -> int:
    """The port of "host:port" (Redis CLIENT LIST's addr; an IPv6 host has colons of its own)."""
    return int(address.rsplit(":", 1)[1])


def count_by_owner(client_ports: Iterable[int], owner_of_port: Mapping[int, str]) -> Dict[str, int]:
    """Connections per owning process; a port none of ours holds belongs to "other" (other work's)."""
    return dict(Counter(owner_of_port.get(port, "other") for port in client_ports))


def used_seconds(before: Mapping[int, float], after: Mapping[int, float]) -> float:
    """CPU seconds used between two per-pid readings: a process that started in between counts from 0, one
    that exited in between is lost (its time went with it), so this is a lower bound."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def scan() -> Dict[int, ProcessStat]:
    """Every process this user may read (/proc/<pid>/stat is readable for other users' processes too)."""
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = parse_stat((entry / "stat").read_text())
                found[stat.pid] = stat
    return found


def per_pid_seconds(processes: Mapping[int, ProcessStat], pids: Iterable[int]) -> Dict[int, float]:
    return {pid: processes[pid].cpu_ticks / TICKS_PER_SECOND for pid in pids if pid in processes}


def tree_cpu_seconds(
    processes: Mapping[int, ProcessStat], roots: Mapping[str, int]
) -> Dict[str, Dict[int, float]]:
    """CPU seconds so far of each named process and its children, per pid."""
    parents = {pid: stat.parent for pid, stat in processes.items()}
    return {name: per_pid_seconds(processes, descendants(parents, pid)) for name, pid in roots.items()}


def service_cpu_seconds(processes: Mapping[int, ProcessStat]) -> Dict[str, Dict[int, float]]:
    """CPU seconds so far of every process of the shared services, per pid (other work's included)."""
    return {
        f"{kind} (all)": per_pid_seconds(processes, [p for p, s in processes.items() if s.command == command])
        for kind, command in SERVICE_COMMANDS.items()
    }


def machine_busy() -> Tuple[int, int]:
    return machine_ticks((PROC / "stat").read_text())


def socket_inodes(pid: int) -> Set[int]:
    """Inodes of the sockets a process holds ("socket:[123]" links in /proc/<pid>/fd)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in (PROC / str(pid) / "fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(int(target[8:-1]))
    return inodes


def owners_of_ports(processes: Mapping[int, ProcessStat], roots: Mapping[str, int]) -> Dict[int, str]:
    """Local TCP port -> the named process (or a child of it) that holds the socket."""
    inode_ports: Dict[int, int] = {}
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            inode_ports.update(tcp_socket_ports((PROC / "net" / table).read_text()))
    parents = {pid: stat.parent for pid, stat in processes.items()}
    owners = {}
    for name, root in roots.items():
        for pid in descendants(parents, root):
            for inode in socket_inodes(pid):
                if inode in inode_ports:
                    owners[inode_ports[inode]] = name
    return owners


def cores() -> int:
    return os.cpu_count() or 1
