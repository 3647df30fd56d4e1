"""Prometheus configuration, alert rules and the Grafana dashboard: validated by Debian's promtool (make test
installs `prometheus` when missing and runs as root) and checked against the series the code defines."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import List, Set

import pytest
import yaml
from prometheus_client.registry import REGISTRY

import common.telemetry  # noqa: F401 - defines the series
from common.paths import REPO_ROOT

PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
GRAFANA_DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "frontdesk.json"
SERIES = re.compile(r"\bfrontdesk_[a-z_]+")
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def promtool() -> str:
    path = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not path:
        if os.environ.get("PROMTOOL"):
            pytest.fail("PROMTOOL is set but missing")
        pytest.skip("promtool is not installed (make test installs Debian's prometheus package)")
    return path


def run(*arguments: str, cwd: Path) -> str:
    done = subprocess.run([promtool(), *arguments], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_promtool_accepts_the_scrape_config_with_its_rules(tmp_path: Path) -> None:
    # The config names the token file compose mounts; point it at a real file so promtool checks everything.
    token = tmp_path / "metrics_token"
    token.write_text("a-token-for-promtool")
    config = (PROMETHEUS_DIR / "prometheus.yml").read_text().replace("/run/secrets/metrics_token", str(token))
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(PROMETHEUS_DIR / "alerts.yml", tmp_path / "alerts.yml")
    assert "SUCCESS" in run("check", "config", "prometheus.yml", cwd=tmp_path)


def test_promtool_accepts_the_rules_and_their_unit_tests_pass() -> None:
    assert "SUCCESS: 7 rules found" in run("check", "rules", "alerts.yml", cwd=PROMETHEUS_DIR)
    assert "SUCCESS" in run("test", "rules", "alerts.test.yml", cwd=PROMETHEUS_DIR)


def test_the_required_alerts_exist_and_each_is_unit_tested() -> None:
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())["groups"][0]["rules"]
    names = {rule["alert"] for rule in rules}
    assert names >= {
        "BackendDown",
        "BreakerOpen",
        "ErrorRateSpike",
        "AgentQueueGrowing",
        "SlowAnswers",
        "DegradedToHumans",
    }
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts.test.yml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert tested == names


def defined_series() -> Set[str]:
    return {metric.name for metric in REGISTRY.collect() if metric.name.startswith("frontdesk_")} | {
        "frontdesk_breaker_open"  # collected at scrape time, from the breakers that exist then
    }


def used_series(text: str) -> List[str]:
    used = []
    for name in SERIES.findall(text):
        for suffix in SUFFIXES:
            if name.endswith(suffix) and name[: -len(suffix)] in defined_series():
                name = name[: -len(suffix)]
        used.append(name)
    return used


def test_alerts_and_dashboard_use_only_series_the_services_expose() -> None:
    alerts = used_series((PROMETHEUS_DIR / "alerts.yml").read_text())
    dashboard = json.loads(GRAFANA_DASHBOARD.read_text())
    panels = used_series(" ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"]))
    assert alerts and panels
    assert set(alerts) | set(panels) <= defined_series(), set(alerts) | set(panels) - defined_series()
    assert {panel["datasource"]["uid"] for panel in dashboard["panels"]} == {"frontdesk-prometheus"}
    datasource = yaml.safe_load(
        (REPO_ROOT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    assert datasource["datasources"][0]["uid"] == "frontdesk-prometheus"


def test_compose_runs_prometheus_and_grafana_with_the_files() -> None:
    services = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert "metrics_token" in services["prometheus"]["secrets"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in services["grafana"]["volumes"]
    scraped = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())["scrape_configs"]
    targets = {target for job in scraped for config in job["static_configs"] for target in config["targets"]}
    for name in ("backend", "actions", "console", "webchat", "rasa-1", "rasa-2"):
        assert any(target.startswith(f"{name}:") for target in targets), name
        assert services[name]["environment"]["METRICS_TOKEN"].startswith("${METRICS_TOKEN:?")
