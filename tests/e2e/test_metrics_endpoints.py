"""/metrics on every service of the real stack exposes the named series, with values that moved with the
traffic this test sends (a customer message, a fallback and a handoff)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.helpers import Customer
from tests.e2e.test_conversations import low_confidence_messages
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def scrape(url: str) -> Dict[str, list]:
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(answer.text)}


def value(samples: list, name: str, **labels: str) -> float:
    return sum(
        sample.value
        for sample in samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def test_every_service_exposes_its_series(stack: Stack) -> None:
    config = stack.config
    rasa_url = f"{config.rasa_url}/webhooks/metrics/"
    before = scrape(rasa_url)
    unclear = low_confidence_messages(stack, 1)[0]
    customer = Customer(stack)
    customer.say(unclear)
    assert "ticket #" in customer.say_text("I want to talk to a human")

    rasa = scrape(rasa_url)
    count = "frontdesk_nlu_confidence_count"
    assert (
        value(rasa["frontdesk_nlu_confidence"], count) >= value(before["frontdesk_nlu_confidence"], count) + 2
    )
    assert value(rasa["frontdesk_fallbacks"], "frontdesk_fallbacks_total") >= 1
    assert value(rasa["frontdesk_handoffs"], "frontdesk_handoffs_total", reason="user_requested") >= 1
    latency = rasa["frontdesk_http_request_duration_seconds"]
    assert (
        value(
            latency,
            "frontdesk_http_request_duration_seconds_count",
            service="rasa",
            route="/webhooks/rest/webhook",
        )
        >= 2
    )

    actions = scrape(f"http://{config.host}:{config.actions_port}/metrics")
    assert (
        value(
            actions["frontdesk_http_request_duration_seconds"],
            "frontdesk_http_request_duration_seconds_count",
            service="actions",
            route="/webhook",
        )
        >= 1
    )
    assert "frontdesk_pending_handoffs" in actions and "frontdesk_breaker_open" in actions
    breaker_apis = {sample.labels["api"] for sample in actions["frontdesk_breaker_open"]}
    assert "ticketing" in breaker_apis, breaker_apis

    backend = scrape(f"{config.backend_url}/metrics")
    routes = {sample.labels["route"] for sample in backend["frontdesk_http_request_duration_seconds"]}
    assert "/v1/tickets" in routes and not any(re.search(r"/\d+", route) for route in routes), routes

    console = scrape(f"{config.console_url}/metrics")
    assert value(console["frontdesk_agent_queue_length"], "frontdesk_agent_queue_length") >= 1

    webchat_url = config.webchat_url
    requests.get(webchat_url, timeout=10).raise_for_status()
    webchat = scrape(f"{webchat_url}/metrics")
    assert (
        value(
            webchat["frontdesk_http_request_duration_seconds"],
            "frontdesk_http_request_duration_seconds_count",
            service="webchat",
            route="/",
        )
        >= 1
    )
    for service in (rasa, actions, backend, console, webchat):
        assert "frontdesk_errors" in service  # declared (samples appear with the first error)


def json_lines(path: Path) -> List[Dict]:
    entries = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def test_one_customer_message_is_followed_across_services_in_json_logs(stack: Stack) -> None:
    customer = Customer(stack)
    assert "ticket #" in customer.say_text("I want to talk to a human")
    actions = [
        e for e in json_lines(stack.logs_dir / "actions.log") if e.get("conversation_id") == customer.sender
    ]
    assert actions and all(e["service"] == "actions" and e["request_id"] for e in actions), actions[:3]
    # The backend calls action_handoff made carry the action request's ids.
    backend = [
        e for e in json_lines(stack.logs_dir / "backend.log") if e.get("conversation_id") == customer.sender
    ]
    assert any(e["message"].startswith("POST /v1/tickets ") for e in backend), backend
    assert {e["request_id"] for e in backend} <= {e["request_id"] for e in actions}
