"""Starts the whole assistant as real processes: reference backend, action server, Rasa server, agent
console, customer web chat and back-office triage (email and contact form), plus the analytics consumer and
the hourly retention purge.

`make run` uses it in the foreground (tools/run.py); the end-to-end tests and benchmarks use the same class on
free ports.

- Every process runs in development mode with this run's own secrets, and dies with the runner (Linux
  parent-death signal), even when the runner is killed with `kill -9`.
- SIGINT, SIGTERM and SIGHUP (a closed terminal) stop everything.
- Busy ports are refused before anything starts, naming the port and how to free it.
- Readiness checks compare each health route's run id with this run's, so a stale process on the same
  port can never pass for this run's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

from common.paths import REPO_ROOT
from tools.processes import (
    PORT_VARIABLES,
    PortsBusy,
    busy_ports_message,
    die_with_parent,
    free_port,
    port_in_use,
)
from tools.stack_config import (
    MODEL_SERVER_ENDPOINT,
    VENV_BIN,
    StackConfig,
    kept_secret,
    latest_model,
)


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
                "FRONTDESK_ENV": "development",
                "FRONTDESK_RUN_ID": config.run_id,
                "DATABASE_URL": config.database_url
                or env.get("DATABASE_URL")
                or f"sqlite:///{config.var_dir}/backend.db",
                "BACKEND_ACTIONS_TOKEN": config.actions_token,
                "BACKEND_CONSOLE_TOKEN": config.console_token,
                "BACKEND_ADMIN_TOKEN": config.admin_token,
                "BACKEND_TRIAGE_TOKEN": config.triage_token,
                "TRIAGE_SMTP_HOST": config.host,
                "TRIAGE_SMTP_PORT": str(config.triage_smtp_port),
                "BACKEND_URL": config.backend_url,
                "ACTION_SERVER_URL": config.actions_url,
                "ACTION_SERVER_TOKEN": config.action_server_token,
                "RASA_TRACKER_DB": str(config.tracker_db or config.var_dir / "rasa-tracker.db"),
                "CONVERSATION_KEYS_DB": str(config.var_dir / "conversation-keys.db"),
                "RASA_URL": config.rasa_url,
                "RASA_PUBLIC_URL": env.get("RASA_PUBLIC_URL", config.rasa_url),
                "RASA_API_TOKEN": config.rasa_api_token,
                "REST_CHANNEL_TOKEN": config.rest_channel_token,
                "CONSOLE_SERVICE_TOKEN": config.console_service_token,
                "CHANNEL_SESSION_SECRET": config.session_secret
                or kept_secret(config.var_dir, "channel-session-secret"),
                "CONSOLE_URL": config.console_url,
                "MODEL_SERVER_TOKEN": config.model_server_token,
                "MODEL_SERVER_URL": f"{config.console_url}/models/production",
                "MODEL_PULL_SECONDS": str(config.model_pull_seconds),
                "MODEL_REGISTRY_DIR": str(config.var_dir / "registry"),
                "CONSOLE_DATABASE_URL": env.get(
                    "CONSOLE_DATABASE_URL", f"sqlite:///{config.var_dir}/console.db"
                ),
                # One event stream: Rasa's SQL event broker writes the file, the console adds its events,
                # the analytics consumer reads them into its store.
                "EVENT_STREAM_DB": str(config.var_dir / "events.db"),
                "EVENT_STREAM_URL": f"sqlite:///{config.var_dir}/events.db",
                "ANALYTICS_DATABASE_URL": f"sqlite:///{config.var_dir}/analytics.db",
                "HANDOFF_QUEUE_DATABASE_URL": env.get(
                    "HANDOFF_QUEUE_DATABASE_URL", f"sqlite:///{config.var_dir}/pending-handoffs.db"
                ),
                # The console's editor publishes articles here and the action server answers from them; the
                # passage vectors (cached by content hash) stay shared between runs.
                "KB_PUBLISHED_DIR": env.get("KB_PUBLISHED_DIR", str(config.var_dir / "kb-published")),
                # The retention purge's log files: this run's own (its var dir), not another run's.
                "LOGS_DIR": str(config.var_dir),
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                # TensorFlow (the sentence encoder) on one thread per Rasa process: its work per message is
                # a few small matrix products, where a second thread cost more CPU than it saved, CPU the
                # action server and backend need on the same machine (bench/SERVING.md, step 9).
                "TF_INTRA_OP_PARALLELISM_THREADS": env.get("TF_INTRA_OP_PARALLELISM_THREADS", "1"),
                "TF_INTER_OP_PARALLELISM_THREADS": env.get("TF_INTER_OP_PARALLELISM_THREADS", "1"),
                # How long a conversation's lock outlives a replica killed mid-message (Rasa: 60 s): under
                # nginx's 60 s read timeout, so a customer's resend is answered by the other replica instead
                # of timing out while the first attempt still runs (bench/SERVING.md, kill test).
                "TICKET_LOCK_LIFETIME": env.get("TICKET_LOCK_LIFETIME", "20"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(config.extra_env)
        return env

    def ports(self) -> Dict[str, int]:
        """Every port this stack listens on, by name (a larger stack adds its own)."""
        return self.config.ports()

    def busy_ports(self) -> List[str]:
        """ "name port" for every port that something else already listens on."""
        return [
            f"{name} {port}" for name, port in self.ports().items() if port_in_use(self.config.host, port)
        ]

    def _spawn(self, name: str, command: List[str]) -> subprocess.Popen:
        log = open(self.logs_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        self.processes[name] = process
        return process

    def _python(self, *arguments: str) -> List[str]:
        return [sys.executable, "-m", *arguments]

    def start_backend(self) -> None:
        """Migrate, seed and serve the reference backend."""
        subprocess.run(self._python("backend.cli", "seed"), cwd=REPO_ROOT, env=self.env(), check=True)
        self._spawn(
            "backend",
            self._python(
                "backend.cli", "serve", "--host", self.config.host, "--port", str(self.config.backend_port)
            ),
        )

    def start_actions(self) -> None:
        """Run the action server (only Rasa, with ACTION_SERVER_TOKEN, may call it)."""
        self._spawn(
            "actions",
            self._python(
                "actions.server", "--host", self.config.host, "--port", str(self.config.actions_port)
            ),
        )

    def start_rasa(self, name: str = "rasa", port: Optional[int] = None) -> None:
        """Run the Rasa server with our channels and the HTTP API (token required); another name and port
        start one more replica on the same stores (the replica tests).

        Without an explicit model it serves the registry's production model, pulled from the console (the
        model server) and switched without a restart when an approver promotes or rolls back. An explicit
        model (RASA_MODEL=path, the benchmarks) is served as it is."""
        model_arguments = ["--model", str(self.config.model)] if self.config.model else []
        self._spawn(
            name,
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--enable-api",
                "--interface",
                self.config.host,
                "--port",
                str(port or self.config.rasa_port),
                *model_arguments,
                "--endpoints",
                str(self.rasa_endpoints()),
                "--credentials",
                "credentials.yml",
                # One argument: a random token may start with "-", which argparse would read as an option.
                f"--auth-token={self.config.rasa_api_token}",
            ],
        )

    def rasa_endpoints(self) -> Path:
        """endpoints.yml, plus the model server when Rasa serves the registry's production model."""
        if self.config.model:
            return REPO_ROOT / "endpoints.yml"
        served = self.config.var_dir / "endpoints-registry.yml"
        served.write_text((REPO_ROOT / "endpoints.yml").read_text() + MODEL_SERVER_ENDPOINT)
        return served

    def register_first_model(self) -> None:
        """A new registry's first production model: the newest archive in models/ (`make train`'s)."""
        subprocess.run(
            self._python("console.registry", "bootstrap", "--model", str(latest_model(REPO_ROOT / "models"))),
            cwd=REPO_ROOT,
            env=self.env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start_console(self) -> None:
        """Run the agent console (demo agents alice and bob get passwords in var/console-demo-agents.txt)."""
        subprocess.run(
            self._python("console.cli", "demo-agents", "--passwords-file", str(self.demo_passwords_file)),
            cwd=REPO_ROOT,
            env=self.env(),
            check=True,
        )
        self._spawn(
            "console",
            self._python(
                "console.cli", "serve", "--host", self.config.host, "--port", str(self.config.console_port)
            ),
        )

    def start_webchat(self) -> None:
        """Serve the customer web chat page."""
        self._spawn(
            "webchat",
            self._python(
                "webchat.server", "--host", self.config.host, "--port", str(self.config.webchat_port)
            ),
        )

    def start_triage(self) -> None:
        """Run back-office triage: the SMTP receiver and the web contact form (triage/)."""
        self._spawn(
            "triage",
            self._python(
                "triage", "serve", "--host", self.config.host, "--port", str(self.config.triage_port)
            ),
        )

    def start_analytics(self) -> None:
        """Run the analytics consumer: the event stream into the metrics store."""
        self._spawn("analytics", self._python("analytics.consumer"))

    def start_privacy_purge(self) -> None:
        """Run the retention purge (privacy/retention.py) now and every PRIVACY_PURGE_INTERVAL_SECONDS, with
        what verified customers asked for in the chat (privacy/customer_requests.py)."""
        self._spawn("privacy-purge", self._python("privacy", "purge", "--every", "--customer-requests"))

    @property
    def demo_passwords_file(self) -> Path:
        return self.config.var_dir / "console-demo-agents.txt"

    def demo_passwords(self) -> Dict[str, str]:
        """Demo agent username -> password (local runs and tests only)."""
        lines = self.demo_passwords_file.read_text().split("\n")
        return dict(line.split(" ", 1) for line in lines if line.strip())

    def start(self, timeout: float = 240) -> None:
        """Start everything and wait until each part answers; PortsBusy before anything starts."""
        busy = self.busy_ports()
        if busy:
            raise PortsBusy(busy_ports_message(busy))
        self.start_backend()
        self.start_actions()
        self.start_console()
        if not self.config.model:
            # Rasa's first pull happens as it starts: the registry must have a model and be answering.
            self.register_first_model()
            self.wait_ready(timeout, ["console"])
        self.start_rasa()
        self.start_webchat()
        self.start_triage()
        self.start_analytics()
        self.start_privacy_purge()
        self.wait_ready(timeout)

    def health_urls(self) -> Dict[str, str]:
        config = self.config
        return {
            "backend": f"{config.backend_url}/health",
            "actions": f"http://{config.host}:{config.actions_port}/health",
            "rasa": f"{config.rasa_url}/webhooks/rest/",
            "console": f"{config.console_url}/health",
            "triage": f"{config.triage_url}/health",
            "webchat": f"{config.webchat_url}/health",
        }

    def answers_as_this_run(self, url: str) -> bool:
        """The health route answered, and with this run's id (not a stale process on the same port)."""
        try:
            answer = requests.get(url, timeout=2)
            return answer.ok and answer.json().get("run_id") == self.config.run_id
        except (requests.RequestException, ValueError):
            return False

    def wait_ready(self, timeout: float, names: Optional[List[str]] = None) -> None:
        """Block until every process (or those named) answers as this run's, or fail with their logs."""
        pending = {
            name: url
            for name, url in self.health_urls().items()
            if name in self.processes and (names is None or name in names)
        }
        deadline = time.monotonic() + timeout
        while pending:
            for name, url in list(pending.items()):
                process = self.processes[name]
                if process.poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"{name} exited with {process.returncode}; see {self.logs_dir / (name + '.log')}"
                    )
                if self.answers_as_this_run(url):
                    del pending[name]
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


__all__ = ["PORT_VARIABLES", "PortsBusy", "Stack", "StackConfig", "free_port", "latest_model", "port_in_use"]
