"""Unsafe defaults (finding 9): production is the default, and every service refuses to start without its
secrets, or with a development stand-in, and says which variable is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Dict, List

import pytest
import requests

from common.settings import DEVELOPMENT_SECRETS
from tests import attacks
from tests.support import wait_until_answering
from tools.stack import REPO_ROOT, free_port

pytestmark = pytest.mark.attack

SECRET_VARIABLES = (*DEVELOPMENT_SECRETS, "REST_CHANNEL_TOKEN", "BACKEND_ADMIN_TOKEN")
CHANNELS = "from channels.rest import GuardedRestInput; from channels.socketio import GuardedSocketIOInput; GuardedRestInput.from_credentials(None); GuardedSocketIOInput.from_credentials(None)"
SERVICES: Dict[str, List[str]] = {
    "backend": [sys.executable, "-m", "backend.cli", "serve", "--port", "0"],
    "console": [sys.executable, "-m", "console.cli", "serve", "--port", "0"],
    "action server": [sys.executable, "-m", "actions.server", "--port", "0"],
    "triage": [sys.executable, "-m", "triage", "serve", "--port", "0"],
    # Rasa loads these channel classes when it starts; they refuse as they are built.
    "rasa channels": [sys.executable, "-c", CHANNELS],
}


def production_env(**values: str) -> Dict[str, str]:
    """The environment of a deployment that set nothing: no FRONTDESK_ENV, no secrets."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SECRET_VARIABLES and key != "FRONTDESK_ENV"
    }
    env["CONSOLE_DATABASE_URL"] = "sqlite:///:memory:"
    env.update(values)
    return env


def refusal(command: List[str], env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_refuses_to_start_in_production_without_its_secrets(service: str) -> None:
    bypasses = 0
    missing = refusal(SERVICES[service], production_env())
    bypasses += missing.returncode == 0
    assert missing.returncode != 0
    named = [variable for variable in DEVELOPMENT_SECRETS if variable in missing.stderr]
    assert named and "is not set" in missing.stderr, missing.stderr[-2000:]
    # The development stand-ins are refused by name too, even when every variable is set.
    dev_values = production_env(**DEVELOPMENT_SECRETS)
    dev = refusal(SERVICES[service], dev_values)
    bypasses += dev.returncode == 0
    assert dev.returncode != 0 and "development default" in dev.stderr, dev.stderr[-2000:]
    entry = attacks.record("unsafe_defaults", attempts=2, bypasses=bypasses)
    assert entry.bypasses == 0


def test_production_is_the_default_and_shows_no_codes(tmp_path) -> None:
    secrets = {name: f"{name.lower()}-{os.urandom(16).hex()}" for name in DEVELOPMENT_SECRETS}
    port = free_port()
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/backend.db", **secrets)
    subprocess.run(
        [sys.executable, "-m", "backend.cli", "migrate"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=open(tmp_path / "backend.log", "ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/health", process, tmp_path / "backend.log")
        outbox = requests.get(
            f"http://127.0.0.1:{port}/v1/outbox",
            headers={"Authorization": f"Bearer {secrets['BACKEND_ACTIONS_TOKEN']}"},
            timeout=10,
        )
    finally:
        process.terminate()
        process.wait(10)
    entry = attacks.record("unsafe_defaults", bypasses=int(outbox.status_code != 404))
    assert entry.bypasses == 0, outbox.text


def test_secrets_files_stay_out_of_git_and_images() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO_ROOT).returncode == 0
    docker_ignored = ".env" in (REPO_ROOT / ".dockerignore").read_text().split()
    entry = attacks.record("unsafe_defaults", attempts=2, bypasses=int(not ignored) + int(not docker_ignored))
    assert entry.bypasses == 0
