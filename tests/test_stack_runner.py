"""`make run`'s runner (finding 14): it refuses busy ports, stops everything on SIGHUP or SIGTERM, and its
children die with it even when it is killed with kill -9. Real runs of `python -m tools.run`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator

import pytest

from tools.stack import PORT_VARIABLES, REPO_ROOT, Stack, StackConfig, free_port, port_in_use

pytestmark = pytest.mark.e2e


def ports() -> Dict[str, int]:
    return {name: free_port() for name in PORT_VARIABLES}


def runner_env(chosen: Dict[str, int]) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({PORT_VARIABLES[name]: str(port) for name, port in chosen.items()})
    return env


def start_runner(tmp_path: Path, chosen: Dict[str, int]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tools.run", "--var-dir", str(tmp_path / "var")],
        cwd=REPO_ROOT,
        env=runner_env(chosen),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_line(process: subprocess.Popen, text: str, timeout: float = 300) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"never printed {text!r}:\n{''.join(seen)[-3000:]}")


def all_free(chosen: Dict[str, int], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(port_in_use("127.0.0.1", port) for port in chosen.values()):
            return True
        time.sleep(0.5)
    return False


def test_a_busy_port_is_named_and_nothing_starts(tmp_path: Path) -> None:
    chosen = ports()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", chosen["backend"]))
        squatter.listen()
        finished = subprocess.run(
            [sys.executable, "-m", "tools.run", "--var-dir", str(tmp_path / "var")],
            cwd=REPO_ROOT,
            env=runner_env(chosen),
            capture_output=True,
            text=True,
            timeout=120,
        )
        others_free = not any(
            port_in_use("127.0.0.1", port) for name, port in chosen.items() if name != "backend"
        )
    assert finished.returncode == 1
    assert f"{chosen['backend']} (backend)" in finished.stderr and "fuser" in finished.stderr, finished.stderr
    assert "BACKEND_PORT" in finished.stderr
    assert others_free


@pytest.fixture
def runner_ports() -> Iterator[Dict[str, int]]:
    chosen = ports()
    yield chosen
    # Whatever happened, nothing of this test may keep running.
    assert all_free(chosen, timeout=30)


@pytest.mark.parametrize("how", ["SIGHUP", "SIGKILL"])
def test_closing_the_terminal_or_killing_the_runner_stops_every_service(
    tmp_path: Path, runner_ports: Dict[str, int], how: str
) -> None:
    runner = start_runner(tmp_path, runner_ports)
    try:
        wait_for_line(runner, "Frontdesk is running")
        assert all(port_in_use("127.0.0.1", port) for port in runner_ports.values())
        runner.send_signal(getattr(signal, how))  # SIGKILL: no handler runs; the children must die anyway
        runner.wait(60)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert all_free(runner_ports, timeout=30), {
        name: port_in_use("127.0.0.1", port) for name, port in runner_ports.items()
    }


class StaleHealth(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        body = b'{"status": "ok", "run_id": "an-earlier-run"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_readiness_is_checked_against_this_runs_id(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StaleHealth)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        stack = Stack(StackConfig.isolated(tmp_path))
        url = f"http://127.0.0.1:{server.server_address[1]}/health"
        # A process from an earlier run answers "ok" on the port, but with its own run id: not ready.
        assert stack.answers_as_this_run(url) is False
        stack.config.run_id = "an-earlier-run"
        assert stack.answers_as_this_run(url) is True
    finally:
        server.shutdown()
