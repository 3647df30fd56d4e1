"""Starts the whole assistant as real processes: reference backend, action server, Rasa server, agent
console and customer web chat.

`make run` uses it in the foreground; the end-to-end tests use the same class on free ports.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def latest_model(models_dir: Path) -> Path:
    """The newest trained model, or a clear error if there is none."""
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    if not models:
        raise SystemExit(
            f"No trained model in {models_dir}/. Run `make train` (or `make run`, which trains)."
        )
    return models[-1]


@dataclass
class StackConfig:
    var_dir: Path = REPO_ROOT / "var"
    host: str = "127.0.0.1"
    backend_port: int = 8000
    actions_port: int = 5055
    rasa_port: int = 5005
    console_port: int = 8090
    webchat_port: int = 8080
    model: Optional[Path] = None
    database_url: Optional[str] = None
    backend_token: str = "dev-backend-token"
    # Rasa's HTTP API can rewrite any conversation: only the console (and tests) hold this token.
    rasa_api_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    webchat_session_secret: Optional[str] = None
    tracker_db: Optional[Path] = None
    extra_env: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def isolated(cls, var_dir: Path, backend_token: str, **overrides: Any) -> StackConfig:
        """A private stack: free ports and its own SQLite database under var_dir (tests and benchmarks)."""
        values: Dict[str, Any] = dict(
            var_dir=var_dir,
            backend_port=free_port(),
            actions_port=free_port(),
            rasa_port=free_port(),
            console_port=free_port(),
            webchat_port=free_port(),
            backend_token=backend_token,
            database_url=f"sqlite:///{var_dir}/backend.db",
        )
        values.update(overrides)
        return cls(**values)

    @property
    def backend_url(self) -> str:
        return f"http://{self.host}:{self.backend_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def console_url(self) -> str:
        return f"http://{self.host}:{self.console_port}"

    @property
    def webchat_url(self) -> str:
        return f"http://{self.host}:{self.webchat_port}"


def webchat_secret(var_dir: Path) -> str:
    """The web chat's session-signing secret: WEBCHAT_SESSION_SECRET, else one kept in var/ across runs."""
    if os.environ.get("WEBCHAT_SESSION_SECRET"):
        return os.environ["WEBCHAT_SESSION_SECRET"]
    path = var_dir / "webchat-session-secret"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip()


class Stack:
    """Owns the processes; stop() ends them all, whatever state they are in."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.processes: Dict[str, subprocess.Popen] = {}
        self.config.var_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir = self.config.var_dir / "logs"
        self.logs_dir.mkdir(exist_ok=True)

    def env(self) -> Dict[str, str]:
        """Environment shared by the processes."""
        config = self.config
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": config.database_url
                or env.get("DATABASE_URL")
                or f"sqlite:///{config.var_dir}/backend.db",
                "BACKEND_API_TOKEN": config.backend_token,
                "BACKEND_URL": config.backend_url,
                "ACTION_SERVER_URL": config.actions_url,
                "RASA_TRACKER_DB": str(config.tracker_db or config.var_dir / "rasa-tracker.db"),
                "RASA_URL": config.rasa_url,
                "RASA_PUBLIC_URL": env.get("RASA_PUBLIC_URL", config.rasa_url),
                "RASA_API_TOKEN": config.rasa_api_token,
                "CONSOLE_URL": config.console_url,
                "CONSOLE_DATABASE_URL": env.get(
                    "CONSOLE_DATABASE_URL", f"sqlite:///{config.var_dir}/console.db"
                ),
                "WEBCHAT_SESSION_SECRET": config.webchat_session_secret or webchat_secret(config.var_dir),
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(config.extra_env)
        return env

    def _spawn(self, name: str, command: List[str]) -> subprocess.Popen:
        log = open(self.logs_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_backend(self) -> None:
        """Migrate, seed and serve the reference backend."""
        subprocess.run(
            [sys.executable, "-m", "backend.cli", "seed"], cwd=REPO_ROOT, env=self.env(), check=True
        )
        self._spawn(
            "backend",
            [
                sys.executable,
                "-m",
                "backend.cli",
                "serve",
                "--host",
                self.config.host,
                "--port",
                str(self.config.backend_port),
            ],
        )

    def start_actions(self) -> None:
        """Run the action server."""
        self._spawn(
            "actions",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(self.config.actions_port),
            ],
        )

    def start_rasa(self) -> None:
        """Run the Rasa server with the REST channel and the HTTP API."""
        model = self.config.model or latest_model(REPO_ROOT / "models")
        self._spawn(
            "rasa",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--enable-api",
                "--interface",
                self.config.host,
                "--port",
                str(self.config.rasa_port),
                "--model",
                str(model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--auth-token",
                self.config.rasa_api_token,
            ],
        )

    def start_console(self) -> None:
        """Run the agent console (demo agents alice and bob get passwords in var/console-demo-agents.txt)."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "console.cli",
                "demo-agents",
                "--passwords-file",
                str(self.demo_passwords_file),
            ],
            cwd=REPO_ROOT,
            env=self.env(),
            check=True,
        )
        self._spawn(
            "console",
            [
                sys.executable,
                "-m",
                "console.cli",
                "serve",
                "--host",
                self.config.host,
                "--port",
                str(self.config.console_port),
            ],
        )

    def start_webchat(self) -> None:
        """Serve the customer web chat page."""
        self._spawn(
            "webchat",
            [
                sys.executable,
                "-m",
                "webchat.server",
                "--host",
                self.config.host,
                "--port",
                str(self.config.webchat_port),
            ],
        )

    @property
    def demo_passwords_file(self) -> Path:
        return self.config.var_dir / "console-demo-agents.txt"

    def demo_passwords(self) -> Dict[str, str]:
        """Demo agent username -> password (local runs and tests only)."""
        lines = self.demo_passwords_file.read_text().split("\n")
        return dict(line.split(" ", 1) for line in lines if line.strip())

    def start(self, timeout: float = 240) -> None:
        """Start everything and wait until each part answers."""
        self.start_backend()
        self.start_actions()
        self.start_rasa()
        self.start_console()
        self.start_webchat()
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        """Block until every process answers, or fail with their logs."""
        checks = {
            "backend": f"{self.config.backend_url}/health",
            "actions": f"http://{self.config.host}:{self.config.actions_port}/health",
            "rasa": f"{self.config.rasa_url}/webhooks/rest/",
            "console": f"{self.config.console_url}/health",
            "webchat": f"{self.config.webchat_url}/health",
        }
        checks = {name: url for name, url in checks.items() if name in self.processes}
        deadline = time.monotonic() + timeout
        pending = dict(checks)
        while pending:
            for name, url in list(pending.items()):
                process = self.processes[name]
                if process.poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"{name} exited with {process.returncode}; see {self.logs_dir / (name + '.log')}"
                    )
                try:
                    if requests.get(url, timeout=2).ok:
                        del pending[name]
                except requests.RequestException:
                    pass
            if pending and time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"not ready after {timeout:.0f}s: {', '.join(pending)}; logs in {self.logs_dir}"
                )
            if pending:
                time.sleep(0.5)

    def stop(self, name: Optional[str] = None, grace: float = 10) -> None:
        """Stop one process or all of them: SIGTERM to the process group, SIGKILL after the grace period."""
        names = [name] if name else list(self.processes)
        for each in names:
            process = self.processes.get(each)
            if process and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for each in names:
            process = self.processes.get(each)
            if process is None:
                continue
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


DEMO_HELP = """
Frontdesk is running.
  Customer web chat : {webchat}
  Agent console     : {console}   (demo agents, username and password: {agents})

  Chat over REST : curl -s {rasa}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                     -d '{{"sender": "demo", "message": "where is my order 10042?"}}'
  Chat in a shell: make shell        (in another terminal)
  Rasa HTTP API  : {rasa}   (trackers: /conversations/<id>/tracker?token=<this run's token, in
                   {token_file}>)
  Action server  : {actions}
  Backend API    : {backend}/docs  (OpenAPI: {backend}/openapi.json, token: BACKEND_API_TOKEN)
  Logs           : {logs}

Demo customers (email / order numbers):
  jane@example.com    10042 delivered 3 days ago, 10043 shipped, 10044 placed, 10045 cancelled,
                      10046 delivered 60 days ago (outside the refund window), 10047 already refunded
  omar@example.com    10050 delivered, 10051 shipped, 10052 placed (a declined card), 10053 cancelled,
                      10054 refund pending
  li.wei@example.com  10060 delivered, 10061 shipped, 10062 placed, 10063 cancelled

Balance, invoices, refunds, account changes and password resets ask for a one-time code.
  Read the code "sent" by email: make otp TO=jane@example.com
  Li Wei's authenticator app:    .venv/bin/python -c "import pyotp; print(pyotp.TOTP('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP').now())"

Press Ctrl-C to stop everything.
"""


def main(argv: Optional[List[str]] = None) -> int:
    """Run the stack in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Run backend, action server and Rasa server together.")
    parser.add_argument("--model", type=Path, default=os.environ.get("RASA_MODEL") or None)
    args = parser.parse_args(argv)
    config = StackConfig(
        backend_port=int(os.environ.get("BACKEND_PORT", 8000)),
        actions_port=int(os.environ.get("ACTIONS_PORT", 5055)),
        rasa_port=int(os.environ.get("RASA_PORT", 5005)),
        console_port=int(os.environ.get("CONSOLE_PORT", 8090)),
        webchat_port=int(os.environ.get("WEBCHAT_PORT", 8080)),
        backend_token=os.environ.get("BACKEND_API_TOKEN", "dev-backend-token"),
        model=args.model,
    )
    if os.environ.get("RASA_API_TOKEN"):
        config.rasa_api_token = os.environ["RASA_API_TOKEN"]
    stack = Stack(config)
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            print("\nStopping Frontdesk...", flush=True)
            stack.stop()
            print("Stopped.", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(
        "Starting the backend, action server, Rasa, agent console and web chat (Rasa takes about 30 s)...",
        flush=True,
    )
    try:
        stack.start()
    except RuntimeError as exc:
        print(f"Frontdesk failed to start: {exc}", file=sys.stderr)
        return 1
    token_file = config.var_dir / "rasa-api-token"
    token_file.touch(mode=0o600)
    token_file.write_text(config.rasa_api_token)
    agents = ", ".join(f"{name} / {password}" for name, password in stack.demo_passwords().items())
    print(
        DEMO_HELP.format(
            rasa=config.rasa_url,
            actions=config.actions_url,
            backend=config.backend_url,
            logs=stack.logs_dir,
            webchat=config.webchat_url,
            console=config.console_url,
            agents=agents,
            token_file=token_file,
        )
    )
    while True:
        for name, process in stack.processes.items():
            if process.poll() is not None:
                print(
                    f"{name} stopped unexpectedly (exit {process.returncode}); see {stack.logs_dir}/{name}.log"
                )
                stack.stop()
                return 1
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
