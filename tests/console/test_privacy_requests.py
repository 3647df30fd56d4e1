"""Data-subject requests through the console's HTTP API, against the real backend and a tracker store written
by the encrypted tracker store: privacy users only, a second person approves, the export bundle holds every
store's data about the customer and nobody else's, the erasure receipt lists each store and leaves nothing."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from common.paths import DOMAIN_PATH, REPO_ROOT
from console.corrections.models import Correction  # noqa: F401 - the table the console creates
from privacy.tracker_store import EncryptedSQLTrackerStore
from tests.factories import Factory, MadeCustomer
from tests.support import TOKENS, BackendServer, ConsoleServer, start_console, stop_process

SAID = "my parcel never came, ring me on 020 7946 0991"


def _conversation(store: EncryptedSQLTrackerStore, sender: str, customer_id: int, text: str) -> None:
    tracker = DialogueStateTracker(sender, store.domain.slots)
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(text, {"name": "report_missing_parcel", "confidence": 0.9}),
        SlotSet("verified_customer_id", float(customer_id)),  # a float slot, as the domain declares it
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))


@pytest.fixture(scope="module")
def privacy_console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tuple[ConsoleServer, Path, MadeCustomer, MadeCustomer]]:
    folder = tmp_path_factory.mktemp("console-privacy")
    people = Factory(sqlite_backend, order_id_base=310_000)
    subject = people.customer([{"status": "delivered", "total_cents": 4200, "delivered_days_ago": 2}])
    other = people.customer([{"status": "delivered", "total_cents": 1000, "delivered_days_ago": 2}])
    store = EncryptedSQLTrackerStore(
        domain=Domain.load(str(DOMAIN_PATH)),
        dialect="sqlite",
        db=str(folder / "rasa-tracker.db"),
        keys_db=str(folder / "conversation-keys.db"),
    )
    _conversation(store, "web-subject", subject.id, SAID)
    _conversation(store, "web-other", other.id, "where is my order")
    server = start_console(
        sqlite_backend,
        folder,
        TRACKER_STORE_URL=f"sqlite:///{folder / 'rasa-tracker.db'}",
        CONVERSATION_KEYS_DB=str(folder / "conversation-keys.db"),
        HANDOFF_QUEUE_DATABASE_URL=f"sqlite:///{folder / 'pending-handoffs.db'}",
        ATTACHMENTS_DIR=str(folder / "attachments"),
        PRIVACY_EXPORT_DIR=str(folder / "exports"),
    )
    yield server, folder, subject, other
    stop_process(server.process)


def _ask(console: ConsoleServer, who: str, kind: str, email: str) -> requests.Response:
    return console.login(who).post(
        f"{console.base_url}/api/privacy/requests",
        json={"kind": kind, "email": email, "reason": "the customer asked by email"},
        timeout=30,
    )


def test_only_privacy_users_ask_and_nobody_approves_their_own_request(privacy_console: tuple) -> None:
    console, _folder, subject, _other = privacy_console
    assert _ask(console, "bob", "export", subject.email).status_code == 403
    assert _ask(console, "alice", "export", "nobody-here@example.org").status_code == 404
    bad = console.login("alice").post(
        f"{console.base_url}/api/privacy/requests", json={"kind": "export", "reason": "x"}, timeout=30
    )
    assert bad.status_code == 422
    asked = _ask(console, "alice", "export", subject.email)
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "pending" and subject.email not in asked.text  # masked subject
    own = console.login("alice").post(
        f"{console.base_url}/api/privacy/requests/{request['id']}/approve", timeout=60
    )
    assert own.status_code == 403 and own.json()["error"]["code"] == "maker_checker"


def test_an_approved_export_bundles_every_store_about_the_customer_and_nobody_else(
    privacy_console: tuple,
) -> None:
    console, _folder, subject, other = privacy_console
    request = _ask(console, "alice", "export", subject.email).json()
    priya = console.login("priya")
    done = priya.post(f"{console.base_url}/api/privacy/requests/{request['id']}/approve", timeout=120)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "carried_out" and done.json()["decided_by"] == "priya"
    assert (
        console.login("bob")
        .get(f"{console.base_url}/api/privacy/requests/{request['id']}/bundle")
        .status_code
        == 403
    )
    bundle = priya.get(f"{console.base_url}/api/privacy/requests/{request['id']}/bundle", timeout=30)
    assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(bundle.content))
    manifest = json.loads(files.read("manifest.json"))
    assert manifest["customer_id"] == subject.id and manifest["conversations"] == ["web-subject"]
    backend = json.loads(files.read("backend.json"))
    assert subject.email in json.dumps(backend) and str(subject.order_ids[0]) in json.dumps(backend)
    conversation = json.loads(files.read("conversations/web-subject.json"))
    assert SAID in [event.get("text") for event in conversation]
    everything = b"".join(files.read(name) for name in files.namelist())
    assert other.email.encode() not in everything and b"web-other" not in everything


def test_an_approved_erasure_leaves_nothing_and_returns_a_receipt(privacy_console: tuple) -> None:
    console, folder, subject, other = privacy_console
    request = _ask(console, "priya", "erasure", subject.email).json()
    done = console.login("alice").post(
        f"{console.base_url}/api/privacy/requests/{request['id']}/approve", timeout=120
    )
    assert done.status_code == 200, done.text
    receipt = done.json()["result"]
    rows = {entry["store"]: entry["rows"] for entry in receipt["stores"]}
    assert rows["rasa.conversation_keys"] == 1 and rows["rasa.events"] == 5
    # The export made for them in the test before is gone too.
    assert rows["console.privacy_exports"] == 1 and not list((folder / "exports").glob("request-*.zip"))
    assert any(store.startswith("backend.") and count >= 1 for store, count in rows.items())
    with sqlite3.connect(folder / "rasa-tracker.db") as connection:
        senders = {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}
    assert senders == {"web-other"}
    # Asked again for the same customer: their address no longer finds them.
    assert _ask(console, "priya", "erasure", subject.email).status_code == 404
    assert _ask(console, "priya", "export", other.email).status_code == 201
    again = console.login("alice").post(
        f"{console.base_url}/api/privacy/requests/{request['id']}/approve", timeout=60
    )
    assert again.status_code == 409


def test_the_command_line_follows_the_same_rules(
    privacy_console: tuple, sqlite_backend: BackendServer
) -> None:
    console, folder, _subject, other = privacy_console
    env = {
        **os.environ,
        "FRONTDESK_ENV": "development",
        "BACKEND_URL": sqlite_backend.base_url,
        "BACKEND_CONSOLE_TOKEN": TOKENS["console"],
        "CONSOLE_DATABASE_URL": f"sqlite:///{folder}/console.db",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'rasa-tracker.db'}",
        "CONVERSATION_KEYS_DB": str(folder / "conversation-keys.db"),
        "PRIVACY_EXPORT_DIR": str(folder / "exports"),
    }

    def cli(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "privacy", *arguments],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    assert (
        cli("request", "export", "--email", other.email, "--by", "bob", "--reason", "asked").returncode == 1
    )
    asked = cli("request", "export", "--email", other.email, "--by", "alice", "--reason", "asked by phone")
    assert asked.returncode == 0, asked.stderr
    request_id = str(json.loads(asked.stdout)["id"])
    refused = cli("approve", request_id, "--by", "alice")
    assert refused.returncode == 1 and "second person" in refused.stderr
    done = cli("approve", request_id, "--by", "priya")
    assert done.returncode == 0, done.stderr
    bundle = Path(json.loads(done.stdout)["bundle_path"])
    assert json.loads(zipfile.ZipFile(bundle).read("manifest.json"))["conversations"] == ["web-other"]
    assert oct(bundle.stat().st_mode & 0o777) == "0o600"
    assert cli("approve", "99999", "--by", "priya").returncode == 1


def test_a_verified_deletion_ticket_is_carried_out_after_its_cooling_off_period(
    privacy_console: tuple, sqlite_backend: BackendServer
) -> None:
    from datetime import timedelta

    from backend.customers import service as customers
    from backend.tickets.models import Ticket
    from common.database import utcnow

    _console, folder, _subject, _other = privacy_console
    people = Factory(sqlite_backend, order_id_base=320_000)
    waited, recent = (people.customer([]) for _ in range(2))
    tickets = {}
    with sqlite_backend.session_factory() as session:
        for person, age in ((waited, 15), (recent, 3)):
            ticket_id = customers.request_deletion(person.id, conversation_id=None, db_session=session)
            session.get(Ticket, ticket_id).created_at = utcnow() - timedelta(days=age)
            tickets[person.id] = ticket_id
        # A deletion ticket without a verified customer is never acted on.
        unverified = Ticket(
            subject="delete me", category="account_deletion", priority="high", customer_email=recent.email
        )
        session.add(unverified)
        session.flush()
        unverified.created_at = utcnow() - timedelta(days=30)
        session.commit()
    env = {
        **os.environ,
        "FRONTDESK_ENV": "development",
        "BACKEND_URL": sqlite_backend.base_url,
        "BACKEND_CONSOLE_TOKEN": TOKENS["console"],
        "CONSOLE_DATABASE_URL": f"sqlite:///{folder}/console.db",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'rasa-tracker.db'}",
        "CONVERSATION_KEYS_DB": str(folder / "conversation-keys.db"),
        "ERASURE_COOLING_OFF_DAYS": "14",
    }

    def deletions(*arguments: str) -> dict:
        ran = subprocess.run(
            [sys.executable, "-m", "privacy", "customer-requests", *arguments],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert ran.returncode == 0, ran.stderr
        return json.loads(ran.stdout)

    due = deletions("--dry-run")["deletions"]["due"]
    assert [(each["ticket_id"], each["request_id"]) for each in due] == [(tickets[waited.id], None)]
    done = deletions()["deletions"]["carried_out"]
    assert [each["customer_id"] for each in done] == [waited.id]
    assert deletions()["deletions"]["carried_out"] == []  # once only
    with sqlite_backend.session_factory() as session:
        assert session.get(Ticket, tickets[waited.id]).status == "solved"
        assert session.get(Ticket, tickets[recent.id]).status == "open"
        assert session.get(Ticket, unverified.id).status == "open"
    privacy_users = (
        _console.login("priya").get(f"{_console.base_url}/api/privacy/requests", timeout=30).json()
    )
    carried = [item for item in privacy_users["items"] if item["ticket_id"] == tickets[waited.id]]
    assert carried[0]["status"] == "carried_out" and carried[0]["decided_by"] == "cooling-off-14-days"
    assert carried[0]["requested_by"] == "deletion-ticket"


def test_a_customer_who_asked_in_the_chat_gets_an_expiring_link_to_their_copy(
    privacy_console: tuple, sqlite_backend: BackendServer
) -> None:
    import re
    from datetime import timedelta

    from backend.tickets import service as tickets
    from backend.tickets.models import Ticket
    from common.database import utcnow

    console, folder, subject, _other = privacy_console
    asker = Factory(sqlite_backend, order_id_base=330_000).customer(
        [{"status": "delivered", "total_cents": 1500, "delivered_days_ago": 1}]
    )
    with sqlite_backend.session_factory() as session:
        ticket = tickets.create(
            subject="Copy of my data",
            category="data_copy",
            priority="normal",
            customer_id=asker.id,
            customer_email=asker.email,
            conversation_id=None,
            details={"requested_via": "assistant"},
            messages=[],
            db_session=session,
        )
        unverified = Ticket(
            subject="copy", category="data_copy", priority="normal", customer_email=subject.email
        )
        session.add(unverified)
        session.commit()
        ticket_id, unverified_id = ticket.id, unverified.id
    env = {
        **os.environ,
        "FRONTDESK_ENV": "development",
        "BACKEND_URL": sqlite_backend.base_url,
        "BACKEND_CONSOLE_TOKEN": TOKENS["console"],
        "CONSOLE_DATABASE_URL": f"sqlite:///{folder}/console.db",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'rasa-tracker.db'}",
        "CONVERSATION_KEYS_DB": str(folder / "conversation-keys.db"),
        "PRIVACY_EXPORT_DIR": str(folder / "exports"),
        "PRIVACY_DOWNLOAD_URL": f"{console.base_url}/privacy/downloads",
    }
    ran = subprocess.run(
        [sys.executable, "-m", "privacy", "customer-requests"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert [each["ticket_id"] for each in json.loads(ran.stdout)["copies"]["carried_out"]] == [ticket_id]

    emails = requests.get(
        f"{sqlite_backend.base_url}/v1/outbox",
        params={"recipient": asker.email},
        headers={"Authorization": f"Bearer {TOKENS['admin']}"},
        timeout=10,
    ).json()["items"]
    link = re.search(r"(http\S+/privacy/downloads/\S+)", emails[0]["body"]).group(1)
    assert "72 hours" in emails[0]["body"]
    copy = requests.get(link, timeout=30)  # no login: the link is the key
    assert copy.status_code == 200 and copy.headers["content-type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(copy.content))
    backend_part = json.loads(bundle.read("backend.json"))
    assert asker.email in json.dumps(backend_part) and subject.email not in json.dumps(backend_part)
    with sqlite_backend.session_factory() as session:
        assert session.get(Ticket, ticket_id).status == "solved"
        assert session.get(Ticket, unverified_id).status == "open"

    # A guessed token, a malformed one, and the real one once expired all get the same refusal.
    assert requests.get(link[:-3] + "abc", timeout=10).status_code == 404
    assert (
        requests.get(f"{console.base_url}/privacy/downloads/..%2Fconsole.db", timeout=10).status_code == 404
    )
    with sqlite3.connect(folder / "console.db") as connection:
        connection.execute(
            "UPDATE privacy_requests SET download_expires_at = ? WHERE ticket_id = ?",
            ((utcnow() - timedelta(minutes=1)).isoformat(sep=" "), ticket_id),
        )
    expired = requests.get(link, timeout=10)
    assert expired.status_code == 404 and "expired" in expired.text
