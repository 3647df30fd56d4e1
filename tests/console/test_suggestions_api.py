"""Agent assist over the console's HTTP API, against the real backend and the real knowledge base: the top
articles and drafts for a delivery question, a past agent reply redacted, each sent reply recorded with the
draft it started from and the edit distance, the edit-rate report, its Prometheus series, and clear refusals."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Iterator, List, Tuple

import pytest
import requests
from sqlalchemy import select

from common.database import make_engine
from common.event_stream import SUGGESTION_SENT, broker_events
from tests.console.assist_seed import open_handoff, resolved_with_replies
from tests.console.test_suggestions_service import table_distance
from tests.support import BackendServer, ConsoleServer, start_console, stop_process

# Letters only: six random digits would be masked as a code by the redactor.
TAG = "".join(chr(ord("a") + int(digit, 16) % 26) for digit in uuid.uuid4().hex[:6])
QUESTION = f"How long does express delivery take to the {TAG} islands? I ordered yesterday."
TICKETS: List[int] = []  # the conversations this module's tests worked, for the report's totals
PAST_REPLY = (
    f"Express delivery to the {TAG} islands takes 2 business days; order 15793 left our warehouse today."
)


@pytest.fixture(scope="module")
def seeded(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tuple[ConsoleServer, int]]:
    # The resolved ticket exists before the console first reads past replies (it caches them for minutes).
    past = resolved_with_replies(
        sqlite_backend.base_url, sqlite_backend.headers(), QUESTION, ["ok", PAST_REPLY]
    )
    folder = tmp_path_factory.mktemp("console-assist")
    server = start_console(sqlite_backend, folder, KB_PUBLISHED_DIR=str(folder / "kb-published"))
    yield server, past
    stop_process(server.process)


def claimed_delivery_question(console: ConsoleServer, backend: BackendServer) -> Tuple[requests.Session, int]:
    ticket_id = open_handoff(backend.base_url, backend.headers(), ["hello", QUESTION])
    bob = console.login("bob")
    assert bob.post(f"{console.base_url}/api/tickets/{ticket_id}/claim").status_code == 200
    TICKETS.append(ticket_id)
    return bob, ticket_id


def test_a_delivery_question_gets_the_delivery_article_and_drafts(
    seeded: Tuple[ConsoleServer, int], sqlite_backend: BackendServer
) -> None:
    console, past = seeded
    bob, ticket_id = claimed_delivery_question(console, sqlite_backend)
    answer = bob.post(f"{console.base_url}/api/tickets/{ticket_id}/suggestions")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["knowledge_available"] is True
    # Delivery times is among the two best (shipping options, about delivery too, may come close); best first.
    articles = {article["id"]: article for article in found["articles"]}
    assert "delivery-times" in [article["id"] for article in found["articles"][:2]], found["articles"]
    scores = [article["score"] for article in found["articles"]]
    assert scores == sorted(scores, reverse=True) and all(score >= 0.2 for score in scores)
    kb = {draft["article_id"]: draft for draft in found["drafts"] if draft["kind"] == "kb"}
    delivery = kb["delivery-times"]
    assert delivery["article_version"] == articles["delivery-times"]["version"] >= 1
    # The canonical answer, then the article's link: the article's words only.
    url = articles["delivery-times"]["url"]
    assert url.startswith("https://shop.example.com/help/")
    assert delivery["text"].startswith("Standard delivery takes") and delivery["text"].endswith(f"\n\n{url}")
    replies = [draft for draft in found["drafts"] if draft["kind"] == "past_reply"]
    assert replies and replies[0]["source_ticket_id"] == past
    # Another customer's order number is not this customer's business: redacted, the rest as the agent wrote it.
    assert "15793" not in replies[0]["text"] and "[ORDER]" in replies[0]["text"]
    assert replies[0]["text"].startswith(f"Express delivery to the {TAG} islands takes 2 business days")
    # Shown again (a refresh): the same drafts, not counted twice.
    again = bob.post(f"{console.base_url}/api/tickets/{ticket_id}/suggestions").json()
    assert [d["id"] for d in again["drafts"]] == [d["id"] for d in found["drafts"]]


def test_an_off_topic_conversation_gets_no_article(
    seeded: Tuple[ConsoleServer, int], sqlite_backend: BackendServer
) -> None:
    console, _past = seeded
    ticket_id = open_handoff(sqlite_backend.base_url, sqlite_backend.headers(), ["the weather is bad today"])
    bob = console.login("bob")
    found = bob.post(f"{console.base_url}/api/tickets/{ticket_id}/suggestions").json()
    assert found["knowledge_available"] is True
    assert found["articles"] == [] and [d for d in found["drafts"] if d["kind"] == "kb"] == []


def test_sent_replies_record_the_draft_and_the_edit_distance(
    seeded: Tuple[ConsoleServer, int], sqlite_backend: BackendServer
) -> None:
    console, _past = seeded
    bob, ticket_id = claimed_delivery_question(console, sqlite_backend)
    base = f"{console.base_url}/api/tickets/{ticket_id}"
    drafts = bob.post(f"{base}/suggestions").json()["drafts"]
    kb = next(d for d in drafts if d["kind"] == "kb")
    past = next(d for d in drafts if d["kind"] == "past_reply")
    edited = "Hi there! " + kb["text"].replace("3 to 5", "three to five") + " Anything else?"
    assert (
        bob.post(f"{base}/reply", json={"text": f"  {edited}\n", "suggestion_id": kb["id"]}).status_code
        == 201
    )
    assert (
        bob.post(f"{base}/reply", json={"text": past["text"], "suggestion_id": past["id"]}).status_code == 201
    )
    assert bob.post(f"{base}/reply", json={"text": "Typed without a draft."}).status_code == 201

    usage = bob.get(f"{base}/suggestions/usage").json()
    assert [row["kind"] for row in usage] == ["kb", "past_reply", None]
    first, second, typed = usage
    assert first["suggestion_id"] == kb["id"] and first["article_id"] == "delivery-times"
    # Measured against what was sent (trimmed, as the customer gets it).
    assert first["edit_distance"] == table_distance(kb["text"], edited)
    assert first["edit_rate"] == pytest.approx(first["edit_distance"] / max(len(kb["text"]), len(edited)))
    assert (second["edit_distance"], second["edit_rate"], second["source_ticket_id"]) == (
        0,
        0.0,
        past["source_ticket_id"],
    )
    assert typed["suggestion_id"] is None and typed["edit_distance"] is None and typed["sent_length"] == 22

    # The two replies from drafts went on the console's event stream for the metrics, without their text.
    with make_engine(f"sqlite:///{console.log_path.parent}/events.db").connect() as connection:
        rows = connection.execute(select(broker_events.c.data)).scalars().all()
    published = [json.loads(row) for row in rows]
    assist = [e for e in published if e["event"] == SUGGESTION_SENT and e["ticket_id"] == ticket_id]
    assert [(e["suggestion"], e["edited"], e["edit_rate"]) for e in assist] == [
        ("kb", True, first["edit_rate"]),
        ("past_reply", False, 0.0),
    ]
    assert assist[0]["article_id"] == "delivery-times" and assist[0]["sender_id"].startswith("assist-")
    assert "three to five" not in json.dumps(assist)


def test_refusals_are_clear_and_send_nothing(
    seeded: Tuple[ConsoleServer, int], sqlite_backend: BackendServer
) -> None:
    console, _past = seeded
    bob, ticket_id = claimed_delivery_question(console, sqlite_backend)
    _, other_ticket = claimed_delivery_question(console, sqlite_backend)
    other_draft = bob.post(f"{console.base_url}/api/tickets/{other_ticket}/suggestions").json()["drafts"][0]
    messages_before = len(sqlite_backend.get(f"/v1/tickets/{ticket_id}").json()["messages"])

    wrong = bob.post(
        f"{console.base_url}/api/tickets/{ticket_id}/reply",
        json={"text": "Hello", "suggestion_id": other_draft["id"]},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "unknown_suggestion"
    for bad in (0, -3, "seven", 2**40):
        answer = bob.post(
            f"{console.base_url}/api/tickets/{ticket_id}/reply", json={"text": "Hello", "suggestion_id": bad}
        )
        assert answer.status_code == 422, (bad, answer.text)
    assert len(sqlite_backend.get(f"/v1/tickets/{ticket_id}").json()["messages"]) == messages_before
    assert bob.get(f"{console.base_url}/api/tickets/{ticket_id}/suggestions/usage").json() == []

    assert bob.post(f"{console.base_url}/api/tickets/999999/suggestions").status_code == 404
    assert bob.post(f"{console.base_url}/api/tickets/0/suggestions").status_code == 422
    logged_out = requests.post(f"{console.base_url}/api/tickets/{ticket_id}/suggestions", timeout=10)
    assert logged_out.status_code == 401
    assert requests.get(f"{console.base_url}/api/suggestions/edit-rate", timeout=10).status_code == 401


def test_the_edit_rate_report_and_its_prometheus_series(
    seeded: Tuple[ConsoleServer, int], sqlite_backend: BackendServer
) -> None:
    console, _past = seeded
    bob, ticket_id = claimed_delivery_question(console, sqlite_backend)
    kb = next(
        d
        for d in bob.post(f"{console.base_url}/api/tickets/{ticket_id}/suggestions").json()["drafts"]
        if d["kind"] == "kb"
    )
    sent = kb["text"][: len(kb["text"]) // 2]  # half of it deleted
    assert (
        bob.post(
            f"{console.base_url}/api/tickets/{ticket_id}/reply",
            json={"text": sent, "suggestion_id": kb["id"]},
        ).status_code
        == 201
    )

    alice = console.login("alice")  # an admin; the report is for leads and admins
    assert bob.get(f"{console.base_url}/api/suggestions/edit-rate").status_code == 403
    report = alice.get(f"{console.base_url}/api/suggestions/edit-rate").json()
    assert len(report["days"]) == 30
    assert report["days"][-1]["day"] == datetime.now(timezone.utc).date().isoformat()
    # Every reply this module's console recorded, across the tests before this one and this one.
    usage = []
    for worked in TICKETS:
        usage += alice.get(f"{console.base_url}/api/tickets/{worked}/suggestions/usage").json()
    used = [row for row in usage if row["suggestion_id"] is not None]
    assert (report["sent"], report["used"]) == (len(usage), len(used))
    assert report["mean_edit_rate"] == pytest.approx(sum(r["edit_rate"] for r in used) / len(used), abs=1e-3)
    assert report["shown"] >= len({row["suggestion_id"] for row in used})

    bad = alice.get(
        f"{console.base_url}/api/suggestions/edit-rate", params={"from": "2026-05-02", "to": "2026-05-01"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_range"
    assert (
        alice.get(f"{console.base_url}/api/suggestions/edit-rate", params={"from": "yesterday"}).status_code
        == 422
    )

    metrics = requests.get(f"{console.base_url}/metrics", timeout=10).text
    assert 'frontdesk_agent_suggestions_shown_total{kind="kb",service="console"}' in metrics
    assert 'frontdesk_agent_replies_total{service="console",suggestion="kb"}' in metrics
    count = next(
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith('frontdesk_agent_suggestion_edit_rate_count{kind="kb",service="console"}')
    )
    assert count == len([row for row in used if row["kind"] == "kb"])
