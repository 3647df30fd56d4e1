"""The inbox over the console's HTTP API, as its own process reading a tracker store file: trainers only,
no personal data in any answer, labels and refusals as the API promises."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import requests

from common.paths import REPO_ROOT
from tests.console.test_inbox_service import FakeTracker
from tests.support import BackendServer, ConsoleServer, start_console, stop_process

UNSURE = [("check_order_status", 0.45), ("check_refund_status", 0.4)]


def add_trainer(console: ConsoleServer, username: str) -> None:
    folder = console.log_path.parent
    password = f"{username}-{uuid.uuid4().hex[:12]}"
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "console.cli",
            "add-agent",
            username,
            username.title(),
            "--role",
            "agent",
            "--role",
            "trainer",
        ],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "FRONTDESK_ENV": "development",
            "CONSOLE_DATABASE_URL": f"sqlite:///{folder}/console.db",
            "CONSOLE_AGENT_PASSWORD": password,
        },
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    console.agents[username] = password


@pytest.fixture(scope="module")
def inbox(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tuple[ConsoleServer, FakeTracker]]:
    folder = tmp_path_factory.mktemp("console-inbox")
    tracker = FakeTracker(folder / "rasa-tracker.db")
    # A conversation with an email, a phone number and a one-time code in it, all of it unsure to NLU.
    tracker.slot("web-1", "email", "erin.walsh@example.net")
    tracker.user("web-1", "hi my email is erin.walsh@example.net, where is order 10042", UNSURE)
    tracker.bot("web-1", "I sent a code to erin.walsh@example.net. Please type it.")
    tracker.slot("web-1", "requested_slot", "verification_code")
    tracker.user("web-1", "the code is 834126 and call me on +1 (415) 555-0134", UNSURE)
    tracker.loop("web-1", None)
    tracker.user("web-2", "where is order 10043", UNSURE)
    tracker.user("web-3", "Where is order 10044?", UNSURE)
    tracker.user("web-3", "what is the weather like today", [("faq", 0.2)], fallback=True)
    server = start_console(sqlite_backend, folder, TRACKER_STORE_URL=tracker.url)
    # Trainers of this test's own (tests/support.py may add others).
    add_trainer(server, "ann")
    add_trainer(server, "ben")
    yield server, tracker
    stop_process(server.process)


SECRETS = ("erin", "walsh", "example.net", "834126", "415", "0134", "10042")


def test_trainers_see_groups_with_no_personal_data_in_any_answer(
    inbox: Tuple[ConsoleServer, FakeTracker],
) -> None:
    console, _ = inbox
    ann = console.login("ann")
    listed = ann.get(f"{console.base_url}/api/inbox/groups")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["synced_at"] and [group["count"] for group in body["groups"]][0] == 2
    top = body["groups"][0]
    assert top["text"] == "where is order [ORDER]" and top["sources"] == ["low_confidence"]
    assert (top["top_intent"], top["confidence"], top["margin"]) == ("check_order_status", 0.45, 0.05)
    raw = [listed.text]
    for group in body["groups"]:
        detail = ann.get(f"{console.base_url}/api/inbox/groups/{group['id']}")
        assert detail.status_code == 200
        raw.append(detail.text)
        for item in detail.json()["items"]:
            assert set(item) >= {
                "id",
                "text",
                "sources",
                "ranking",
                "model_id",
                "conversation",
                "source_ref",
                "labels",
            }
            assert item["source_ref"].startswith("tracker:") and item["model_id"]
    everything = "\n".join(raw)
    for secret in SECRETS:
        assert secret not in everything, secret
    assert "[EMAIL]" in everything and "[CODE]" in everything and "[PHONE]" in everything
    fallback = ann.get(f"{console.base_url}/api/inbox/groups", params={"source": "fallback"}).json()["groups"]
    assert [(group["text"], group["top_intent"]) for group in fallback] == [
        ("what is the weather like today", "faq")
    ]
    assert ann.post(f"{console.base_url}/api/inbox/sync").status_code == 200


def test_labels_agreement_intents_and_export_preview(inbox: Tuple[ConsoleServer, FakeTracker]) -> None:
    console, _ = inbox
    ann, ben = console.login("ann"), console.login("ben")
    base = f"{console.base_url}/api/inbox"
    group = ann.get(f"{base}/groups").json()["groups"][0]
    written = ann.post(f"{base}/groups/{group['id']}/labels", json={"kind": "accept"})
    assert written.status_code == 200, written.text
    assert [label["intent"] for label in written.json()["labels"]] == ["check_order_status"] * 2
    item_id = written.json()["labels"][0]["item_id"]
    again = ben.post(
        f"{base}/items/{item_id}/labels", json={"kind": "intent", "intent": "check_refund_status"}
    )
    assert again.status_code == 200 and again.json()["labels"][0]["trainer"] == "ben"
    labelled = ann.get(f"{base}/groups").json()["groups"][0]["labels"]
    assert {"trainer": "ben", "kind": "intent", "intent": "check_refund_status"} in labelled
    agreement = ann.get(f"{base}/agreement").json()
    assert agreement["items"] == 1 and agreement["overall"] == 0.0  # they disagree, as chance would
    assert {entry["intent"] for entry in agreement["per_intent"]} == {
        "check_order_status",
        "check_refund_status",
    }
    intents = ann.get(f"{base}/intents").json()["intents"]
    assert "check_order_status" in intents and "nlu_fallback" not in intents
    preview = ann.get(f"{base}/export")
    assert preview.status_code == 200, preview.text
    # One item agreed on, one disputed (left out); the agreed one is new or a duplicate of the project's data.
    result = preview.json()
    assert result["skipped_disagreements"] == 1
    assert result["examples"] + result["heldout"] + result["skipped_duplicates"] == 1
    assert "+++ b/data/nlu/learned.yml" in preview.json()["patch"]
    assert not (Path(REPO_ROOT) / "data" / "nlu" / "learned.yml").exists()


def test_bad_input_is_a_4xx_with_the_error_envelope(inbox: Tuple[ConsoleServer, FakeTracker]) -> None:
    console, _ = inbox
    ann = console.login("ann")
    base = f"{console.base_url}/api/inbox"
    cases = [
        ann.get(f"{base}/groups", params={"source": "gossip"}),
        ann.get(f"{base}/groups/abc"),
        ann.get(f"{base}/groups/0"),
        ann.get(f"{base}/groups/999999"),
        ann.post(f"{base}/items/999999/labels", json={"kind": "accept"}),
        ann.post(f"{base}/groups/1/labels", json={"kind": "guess"}),
        ann.post(f"{base}/groups/1/labels", json={"kind": "intent", "intent": "made_up"}),
        ann.post(f"{base}/groups/1/labels", json={"kind": "new_intent", "intent": "Not Snake"}),
        ann.post(
            f"{base}/groups/1/labels",
            json={
                "kind": "intent",
                "intent": "faq",
                "entities": [{"entity": "email", "value": "x", "start": 5, "end": 900}],
            },
        ),
        ann.post(f"{base}/groups/1/labels", json=[1, 2]),
        ann.post(
            f"{base}/groups/1/labels",
            data="kind=accept",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ]
    for answer in cases:
        assert 400 <= answer.status_code < 500, (answer.request.url, answer.status_code, answer.text)
        assert set(answer.json()["error"]) == {"code", "message", "details"}


def test_only_trainers_reach_the_inbox(inbox: Tuple[ConsoleServer, FakeTracker]) -> None:
    console, _ = inbox
    bob = console.login("bob")  # an agent, not a trainer
    base = f"{console.base_url}/api/inbox"
    routes = [
        ("GET", "/groups"),
        ("GET", "/groups/1"),
        ("POST", "/groups/1/labels"),
        ("POST", "/items/1/labels"),
        ("GET", "/agreement"),
        ("GET", "/export"),
        ("GET", "/intents"),
        ("POST", "/sync"),
    ]
    for method, path in routes:
        body = {"kind": "accept"} if method == "POST" else None
        answer = bob.request(method, f"{base}{path}", json=body)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "role_required", path
        anonymous = requests.request(method, f"{base}{path}", json=body, timeout=10)
        assert anonymous.status_code == 401, path
