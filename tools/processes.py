"""Ports and child processes for the stack runner: free and busy ports, and children that die with it."""

from __future__ import annotations

import ctypes
import signal
import socket
import sys
from typing import Callable, List, Optional

PR_SET_PDEATHSIG = 1

PORT_VARIABLES = {
    "backend": "BACKEND_PORT",
    "actions": "ACTIONS_PORT",
    "rasa": "RASA_PORT",
    "console": "CONSOLE_PORT",
    "webchat": "WEBCHAT_PORT",
    "triage": "TRIAGE_PORT",
    "triage-smtp": "TRIAGE_SMTP_PORT",
}


class PortsBusy(RuntimeError):
    """Some port the stack needs is taken; the message says which and how to free it."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port (a closing connection does not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def die_with_parent() -> Optional[Callable[[], None]]:
    """A preexec_fn that makes the child get SIGTERM when the runner dies (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def arrange() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return arrange


def busy_ports_message(busy: List[str]) -> str:
    lines = ["These ports are already in use, so Frontdesk did not start:"]
    for entry in busy:
        name, port = entry.split(" ")
        lines.append(
            f"  {port} ({name}): see what holds it with `lsof -i :{port}` or `fuser {port}/tcp`, stop it "
            f"(`fuser -k {port}/tcp`), or use another port with {PORT_VARIABLES[name]}=<port> make run"
        )
    lines.append("An earlier `make run` that was not stopped cleanly is the usual cause.")
    return "\n".join(lines)
