"""What a Frontdesk stack is: its ports, its per-run secrets and where its state lives (tools/stack.py runs it)."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional

from common.paths import VAR_DIR
from tools.processes import free_port

VENV_BIN = Path(sys.executable).parent


def latest_model(models_dir: Path) -> Path:
    """The newest trained model, or a clear error if there is none."""
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    if not models:
        raise SystemExit(
            f"No trained model in {models_dir}/. Run `make train` (or `make run`, which trains)."
        )
    return models[-1]


# Appended to endpoints.yml for a Rasa that serves the registry's production model (Rasa substitutes the
# variables; the ETag is the archive's sha256, so an unchanged model is a 304 and costs nothing).
MODEL_SERVER_ENDPOINT = """
# Added by tools/stack.py: the production model comes from the console's model registry.
models:
  url: ${MODEL_SERVER_URL}
  token: ${MODEL_SERVER_TOKEN}
  wait_time_between_pulls: ${MODEL_PULL_SECONDS}
"""


def _token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class StackConfig:
    var_dir: Path = VAR_DIR
    host: str = "127.0.0.1"
    backend_port: int = 8000
    actions_port: int = 5055
    rasa_port: int = 5005
    console_port: int = 8090
    webchat_port: int = 8080
    # Back-office triage (triage/): the contact form and the SMTP receiver.
    triage_port: int = 8095
    triage_smtp_port: int = 2525
    model: Optional[Path] = None
    database_url: Optional[str] = None
    # Each service's own credential, fresh per run; the admin one is for people and tests reading the backend.
    actions_token: str = field(default_factory=_token)
    console_token: str = field(default_factory=_token)
    admin_token: str = field(default_factory=_token)
    triage_token: str = field(default_factory=_token)
    action_server_token: str = field(default_factory=_token)
    # Rasa's HTTP API can rewrite any conversation: only the console (and tests) hold this token.
    rasa_api_token: str = field(default_factory=_token)
    rest_channel_token: str = field(default_factory=_token)
    console_service_token: str = field(default_factory=_token)
    # Rasa presents it to pull the production model from the console's registry (the model server).
    model_server_token: str = field(default_factory=_token)
    model_pull_seconds: int = 10
    session_secret: Optional[str] = None
    tracker_db: Optional[Path] = None
    run_id: str = field(default_factory=lambda: secrets.token_hex(8))
    extra_env: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def isolated(cls, var_dir: Path, **overrides: Any) -> StackConfig:
        """A private stack: free ports and its own SQLite databases under var_dir (tests and benchmarks)."""
        values: Dict[str, Any] = dict(
            var_dir=var_dir,
            backend_port=free_port(),
            actions_port=free_port(),
            rasa_port=free_port(),
            console_port=free_port(),
            webchat_port=free_port(),
            triage_port=free_port(),
            triage_smtp_port=free_port(),
            database_url=f"sqlite:///{var_dir}/backend.db",
            session_secret=_token() + _token(),
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

    @property
    def triage_url(self) -> str:
        return f"http://{self.host}:{self.triage_port}"

    def ports(self) -> Dict[str, int]:
        return {
            "backend": self.backend_port,
            "actions": self.actions_port,
            "rasa": self.rasa_port,
            "console": self.console_port,
            "webchat": self.webchat_port,
            "triage": self.triage_port,
            "triage-smtp": self.triage_smtp_port,
        }


def kept_secret(var_dir: Path, name: str) -> str:
    """A secret kept in var/ across runs (web chat sessions survive a restart); 0600, made once."""
    path = var_dir / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip()
