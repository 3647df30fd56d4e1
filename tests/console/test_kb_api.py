"""The knowledge-base editor over the console's real HTTP API (its own process and SQLite file, the real
backend): roles, a publish that needs a second person, the approver for a refund article, the audit log, the
published file the bot reads (a draft never reaches it), a correction made a draft in one click, and bad input
answered with a clear 4xx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests

from common.database import make_engine, make_session_factory
from common.paths import REPO_ROOT
from console.corrections.service import record as record_correction
from knowledge.articles import load_library, parse_article
from tests.console.test_kb_service import seed
from tests.support import BackendServer, ConsoleServer, start_console, stop_process


def add_agent(console: ConsoleServer, folder: Path, username: str, *roles: str) -> None:
    """One more console account, made the way start_console makes its agents (the CLI, same database)."""
    password = f"{username}-password-for-tests"
    env = {
        **os.environ,
        "CONSOLE_DATABASE_URL": f"sqlite:///{folder}/console.db",
        "CONSOLE_AGENT_PASSWORD": password,
    }
    arguments = [argument for role in roles for argument in ("--role", role)]
    command = [sys.executable, "-m", "console.cli", "add-agent", username, username.title(), *arguments]
    subprocess.run(command, cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    console.agents[username] = password


def start_kb_console(backend: BackendServer, folder: Path, **seeds: Dict[str, str]) -> Dict[str, Any]:
    """A console of its own whose seed folder (KB_DIR) holds these articles, with erin, an editor."""
    seeds_dir, out = folder / "seed", folder / "published"
    for article_id, options in seeds.items():
        seed(seeds_dir, article_id.replace("_", "-"), **options)
    console = start_console(backend, folder, KB_DIR=str(seeds_dir), KB_PUBLISHED_DIR=str(out))
    add_agent(console, folder, "erin", "editor")
    return {"console": console, "folder": folder, "seed": seeds_dir, "out": out}


DELIVERY = {"answer": "Standard delivery takes 3 to 5 business days."}
REFUNDS = {"answer": "Refunds reach you within 5 to 7 business days.", "tags": "refund, billing"}


@pytest.fixture(scope="module")
def kb_console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dict[str, Any]]:
    gift_cards = {"answer": "Gift cards can be used on any order.", "tags": "payments"}
    started = start_kb_console(
        sqlite_backend,
        tmp_path_factory.mktemp("console-kb"),
        delivery_times=DELIVERY,
        refund_policy=REFUNDS,
        gift_cards=gift_cards,
    )
    yield started
    stop_process(started["console"].process)


class Person:
    def __init__(self, console: ConsoleServer, username: str) -> None:
        self.base, self.http = console.base_url, console.login(username)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(f"{self.base}/api/kb{path}", params=params, timeout=30)

    def send(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, f"{self.base}/api/kb{path}", json=body, timeout=30)

    def article(self, article_id: str) -> Dict[str, Any]:
        answer = self.get(f"/articles/{article_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def edit(self, article_id: str, answer: str, **changes: Any) -> requests.Response:
        current = self.article(article_id)
        fields = {
            key: current["fields"][key] for key in ("title", "tags", "owner", "review_by", "url", "topic")
        }
        body = {
            **fields,
            **changes,
            "body": f"{answer}\n\nMore detail.",
            "expected_version": current["head_version"],
        }
        return self.send("PUT", f"/articles/{article_id}", body)

    def step(self, article_id: str, name: str, note: str = "") -> requests.Response:
        version = self.article(article_id)["head_version"]
        return self.send(
            "POST", f"/articles/{article_id}/{name}", {"expected_version": version, "note": note}
        )


def test_roles_decide_who_reads_and_who_writes(kb_console: dict) -> None:
    console = kb_console["console"]
    assert Person(console, "bob").get("/articles").status_code == 403
    listing = Person(console, "vera").get("/articles").json()["items"]
    assert {item["id"]: item["state"] for item in listing} == {
        "delivery-times": "published",
        "gift-cards": "published",
        "refund-policy": "published",
    }
    refund = next(item for item in listing if item["id"] == "refund-policy")
    assert refund["sensitive"] is True and refund["live_version"] == 2
    vera = Person(console, "vera").edit("gift-cards", "An approver alone does not write drafts.")
    assert (vera.status_code, vera.json()["error"]["code"]) == (403, "role_required")
    allowed = Person(console, "erin").article("gift-cards")["allowed"]
    assert allowed == {
        "edit": True,
        "revert": True,
        "submit": False,
        "publish": False,
        "send_back": False,
        "retire": True,
    }


def test_a_publish_needs_a_second_person_and_the_bot_reads_the_new_version(kb_console: dict) -> None:
    console, out = kb_console["console"], kb_console["out"]
    tom, vera = Person(console, "tom"), Person(console, "vera")  # tom is a trainer and an approver
    assert tom.edit("delivery-times", "Standard delivery takes 2 to 4 business days.").status_code == 200
    draft = tom.article("delivery-times")
    assert (draft["state"], draft["head_version"], draft["live_version"]) == ("draft", 3, 2)
    assert not (out / "delivery-times.md").exists()  # a draft never reaches the bot
    assert load_library(kb_console["seed"], out)["delivery-times"].answer.startswith(
        "Standard delivery takes 3"
    )
    assert tom.step("delivery-times", "submit").status_code == 200
    assert tom.article("delivery-times")["allowed"]["publish"] is False
    own = tom.step("delivery-times", "publish")
    assert (own.status_code, own.json()["error"]["code"]) == (403, "maker_checker")
    assert not (out / "delivery-times.md").exists()
    done = vera.step("delivery-times", "publish", "checked against the carrier's new times")
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["live_version"]) == ("published", 3)
    written = parse_article((out / "delivery-times.md").read_text(), "published")
    assert (written.version, written.status) == (3, "published")
    assert (
        load_library(kb_console["seed"], out)["delivery-times"].answer
        == "Standard delivery takes 2 to 4 business days."
    )
    diff = vera.get("/articles/delivery-times/diff", **{"from": 2, "to": 3}).json()["lines"]
    assert {"kind": "added", "text": "Standard delivery takes 2 to 4 business days."} in diff
    assert {"kind": "removed", "text": "Standard delivery takes 3 to 5 business days."} in diff
    trail = [(e["actor"], e["action"]) for e in vera.get("/audit", article="delivery-times").json()["items"]]
    assert trail[:4] == [
        ("vera", "kb_published"),
        ("tom", "kb_publish_refused"),
        ("tom", "kb_submitted"),
        ("tom", "kb_edited"),
    ]
    admin_view = Person(console, "alice").http.get(
        f"{console.base_url}/api/audit", params={"action": "kb_published"}, timeout=30
    )
    assert [event["actor"] for event in admin_view.json()["items"]] == ["vera"]


def test_a_refund_article_needs_an_approver(kb_console: dict) -> None:
    console, out = kb_console["console"], kb_console["out"]
    erin, tara, vera = (Person(console, name) for name in ("erin", "tara", "vera"))
    assert erin.edit("refund-policy", "Refunds reach you within 3 to 5 business days.").status_code == 200
    assert erin.step("refund-policy", "submit").status_code == 200
    trainer = tara.step("refund-policy", "publish")
    assert (trainer.status_code, trainer.json()["error"]["code"]) == (403, "approver_required")
    assert tara.article("refund-policy")["allowed"]["publish"] is False
    assert vera.step("refund-policy", "publish").status_code == 200
    assert parse_article((out / "refund-policy.md").read_text(), "x").answer.startswith(
        "Refunds reach you within 3"
    )
    # An ordinary article: a trainer who did not write it publishes it.
    assert (
        erin.edit("gift-cards", "Gift cards can be used on any order, delivery included.").status_code == 200
    )
    assert erin.step("gift-cards", "submit").status_code == 200
    assert tara.step("gift-cards", "publish").status_code == 200
    # Retiring: the bot stops answering from it.
    retired = vera.step("gift-cards", "retire", "the gift card scheme ended")
    assert (retired.status_code, retired.json()["state"]) == (200, "retired")
    assert parse_article((out / "gift-cards.md").read_text(), "x").status == "retired"
    assert "gift-cards" not in load_library(kb_console["seed"], out)


def test_a_correction_becomes_a_draft_in_one_click(kb_console: dict) -> None:
    console = kb_console["console"]
    engine = make_engine(f"sqlite:///{kb_console['folder']}/console.db")
    with make_session_factory(engine)() as session:
        correction = record_correction(
            ticket_id=7,
            conversation_id="web-7",
            bot_text="We do not ship abroad.",
            bot_timestamp=None,
            customer_text="do you ship to norway?",
            correction="We ship to Norway in 5 to 8 business days; customs duties are paid on delivery.",
            agent="bob",
            db_session=session,
        )
        session.commit()
    engine.dispose()
    erin = Person(console, "erin")
    waiting = erin.get("/sources").json()["corrections"]
    assert [item["id"] for item in waiting if item["drafted_as"] is None] == [correction.id]
    made = erin.send("POST", "/drafts", {"source": "correction", "source_id": correction.id})
    assert made.status_code == 201, made.text
    draft = made.json()
    assert (draft["id"], draft["state"], draft["head_version"]) == ("do-you-ship-to-norway", "draft", 1)
    assert draft["fields"]["answer"] == correction.correction
    assert draft["origin"]["ticket_id"] == 7 and draft["origin"]["customer_text"] == "do you ship to norway?"
    assert erin.get("/sources").json()["corrections"][0]["drafted_as"] == "do-you-ship-to-norway"
    twice = erin.send("POST", "/drafts", {"source": "correction", "source_id": correction.id})
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_drafted")
    missing = erin.send("POST", "/drafts", {"source": "correction", "source_id": 999_999})
    assert missing.status_code == 404


def test_bad_input_gets_a_clear_4xx(kb_console: dict) -> None:
    console = kb_console["console"]
    erin = Person(console, "erin")
    assert erin.get("/articles/no-such-article").status_code == 404
    assert erin.get("/articles", state="lost").json()["error"]["code"] == "unknown_state"
    assert erin.get("/articles/delivery-times/diff", **{"from": 1, "to": 99}).status_code == 404
    long_title = erin.edit("delivery-times", "Text.", title="T" * 200)
    assert (long_title.status_code, long_title.json()["error"]["code"]) == (422, "title_too_long")
    fields = erin.article("delivery-times")["fields"]
    empty = {**fields, "body": "  \n\n  ", "expected_version": erin.article("delivery-times")["head_version"]}
    assert erin.send("PUT", "/articles/delivery-times", empty).json()["error"]["code"] == "empty_answer"
    broken = erin.send("POST", "/articles", {"text": "---\ntitle: [oops\n---\nAn answer."})
    assert (broken.status_code, broken.json()["error"]["code"]) == (422, "invalid_article")
    current = erin.article("delivery-times")["head_version"]
    stale = erin.send("PUT", "/articles/delivery-times", {"text": "x", "expected_version": current - 1})
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "version_conflict")
    wrong_state = erin.step("delivery-times", "publish")
    assert wrong_state.status_code == 409
    assert (
        erin.send(
            "POST", "/articles/delivery-times/revert", {"version": 0, "expected_version": 1}
        ).status_code
        == 422
    )
    assert erin.send("POST", "/articles", {"title": "x" * 5000}).status_code == 422
    assert (
        erin.send(
            "POST", "/articles", {"title": "Gift card balance", "owner": "p", "review_by": "soon"}
        ).status_code
        == 422
    )
    huge = erin.send("POST", "/articles", {"id": "a" * 300, "title": "t"})
    assert huge.status_code == 422
