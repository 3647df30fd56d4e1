"""The knowledge-base editor's rules at service level, on a real SQLite file and a real PostgreSQL schema:
the seed's import (idempotent), versions and the expected-version check, maker-checker and the approver for
billing/refund/legal, the published file (atomic, the right version, read by the bot's own loader), retirement,
revert, diff, the restore of a lost write, and drafts from a correction or a "needs an answer" question."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.database import make_engine, make_session_factory
from common.errors import ApiError
from common.knowledge_settings import kb_dir as seed_dir
from console.audit.models import AuditEvent
from console.corrections.service import record as record_correction
from console.inbox.models import KbDraft
from console.kb import content, published, review, service, sources
from console.kb.models import ArticleIn, KbVersion
from console.schema import create_schema
from knowledge.articles import load_library, parse_article
from tests.support import postgres_schema

EDITOR, TRAINER, APPROVER = ("editor",), ("trainer",), ("approver",)
SEED = """---
id: {id}
title: {title}
tags: [{tags}]
owner: support-team
review_by: {review_by}
version: {version}
status: published
url: https://shop.example.com/help/{id}
---
{answer}

More detail that the retriever also searches.
"""


def seed(
    folder: Path,
    article_id: str,
    answer: str,
    *,
    tags: str = "delivery",
    version: int = 2,
    review_by: str = "2027-01-31",
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    title = article_id.replace("-", " ").title()
    text = SEED.format(
        id=article_id, title=title, tags=tags, version=version, answer=answer, review_by=review_by
    )
    (folder / f"{article_id}.md").write_text(text)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/console.db")
        create_schema(engine)
        with make_session_factory(engine)() as session:
            yield session
        engine.dispose()
        return
    with postgres_schema("kb_test") as url:
        engine = make_engine(url)
        create_schema(engine)
        with make_session_factory(engine)() as session:
            yield session
        engine.dispose()


@pytest.fixture
def kb(tmp_path: Path) -> dict:
    seeds, out = tmp_path / "seed", tmp_path / "published"
    seed(seeds, "delivery-times", "Standard delivery takes 3 to 5 business days.")
    seed(seeds, "refund-policy", "Refunds reach you within 5 to 7 business days.", tags="refund, billing")
    return {"seed": seeds, "out": out}


def edit(
    db: Session, article_id: str, answer: str, *, by: str, roles: tuple = EDITOR, **changes: object
) -> None:
    article = service.by_id(article_id, db_session=db)
    fields = content.fields_of(service.parsed(service.head(article, db_session=db)))
    body = ArticleIn(
        **{**{k: fields[k] for k in ("title", "tags", "owner", "review_by", "url", "topic")}, **changes},
        body=f"{answer}\n\nMore detail that the retriever also searches.",
        expected_version=article.head_version,
    )
    service.save(article_id, body, actor=by, roles=roles, db_session=db)


def step(db: Session, name: str, article_id: str, *, by: str, roles: tuple, out: Path) -> None:
    version = service.by_id(article_id, db_session=db).head_version
    common = dict(expected_version=version, actor=by, roles=roles, note="", db_session=db)
    if name == "submit":
        service.submit(article_id, **common)
    elif name == "publish":
        review.publish(article_id, published_dir=out, **common)
    else:
        review.retire(article_id, published_dir=out, **common)


def draft_express_correction(db: Session, *, ticket_id: int) -> None:
    """An agent's correction about express delivery, drafted by tara into delivery-times."""
    correction = record_correction(
        ticket_id=ticket_id,
        conversation_id=None,
        bot_text="x",
        bot_timestamp=None,
        customer_text=None,
        correction="Express delivery takes one business day.",
        agent="bob",
        db_session=db,
    )
    sources.draft_from(
        "correction", correction.id, article_id="delivery-times", actor="tara", roles=TRAINER, db_session=db
    )


def refusal(call: object) -> ApiError:
    with pytest.raises(ApiError) as raised:
        call()  # type: ignore[operator]
    return raised.value


def test_the_seed_imports_once_as_published_history(db: Session, kb: dict) -> None:
    assert published.import_library(kb["seed"], kb["out"], db_session=db) == [
        "delivery-times",
        "refund-policy",
    ]
    assert published.import_library(kb["seed"], kb["out"], db_session=db) == []
    article = service.by_id("delivery-times", db_session=db)
    assert (article.state, article.head_version, article.live_version) == ("published", 2, 2)
    [row] = service.versions(article, db_session=db)
    assert (row.kind, row.released_as, row.number) == ("imported", "published", 2)
    # A newer seed of an article nobody changed in the editor is imported too; an edited one is left alone.
    seed(kb["seed"], "delivery-times", "Standard delivery now takes 2 to 4 business days.", version=3)
    seed(kb["seed"], "refund-policy", "Changed in git.", tags="refund", version=9)
    edit(db, "refund-policy", "Refunds take 5 to 7 business days.", by="erin")
    assert published.import_library(kb["seed"], kb["out"], db_session=db) == ["delivery-times"]
    assert service.by_id("refund-policy", db_session=db).head_version == 3


def test_every_article_of_the_repository_seed_is_imported(db: Session, tmp_path: Path) -> None:
    files = sorted(seed_dir().glob("*.md"))
    imported = published.import_library(seed_dir(), tmp_path / "none", db_session=db)
    assert len(imported) == len(files) >= 13
    assert {parse_article(path.read_text(), str(path)).id for path in files} == set(imported)


def test_the_author_cannot_publish_and_a_second_person_can(db: Session, kb: dict) -> None:
    published.import_library(kb["seed"], kb["out"], db_session=db)
    edit(
        db,
        "delivery-times",
        "Standard delivery takes 2 to 4 business days.",
        by="tom",
        roles=("trainer", "approver"),
    )
    step(db, "submit", "delivery-times", by="tom", roles=TRAINER, out=kb["out"])
    own = refusal(
        lambda: step(db, "publish", "delivery-times", by="tom", roles=("trainer", "approver"), out=kb["out"])
    )
    assert (own.status_code, own.code) == (403, "maker_checker")
    assert not (kb["out"] / "delivery-times.md").exists()
    # An ordinary article: any other trainer, editor or approver publishes it.
    step(db, "publish", "delivery-times", by="tara", roles=TRAINER, out=kb["out"])
    article = service.by_id("delivery-times", db_session=db)
    assert (article.state, article.live_version, article.head_version) == ("published", 3, 3)
    written = parse_article((kb["out"] / "delivery-times.md").read_text(), "published")
    assert (written.version, written.status) == (3, "published")
    assert written.answer == "Standard delivery takes 2 to 4 business days."
    assert (
        load_library(kb["seed"], kb["out"])["delivery-times"].answer == written.answer
    )  # what the bot reads
    assert not list(kb["out"].glob(".*.tmp"))  # the temporary file was renamed into place
    actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-4:] == ["kb_edited", "kb_submitted", "kb_publish_refused", "kb_published"]


def test_a_billing_or_refund_article_needs_an_approver_who_is_not_the_author(db: Session, kb: dict) -> None:
    published.import_library(kb["seed"], kb["out"], db_session=db)
    edit(db, "refund-policy", "Refunds reach you within 3 to 5 business days.", by="erin")
    step(db, "submit", "refund-policy", by="erin", roles=EDITOR, out=kb["out"])
    assert refusal(
        lambda: step(db, "publish", "refund-policy", by="tara", roles=TRAINER, out=kb["out"])
    ).code == ("approver_required")
    assert refusal(
        lambda: step(db, "publish", "refund-policy", by="erin", roles=EDITOR, out=kb["out"])
    ).code == ("approver_required")
    step(db, "publish", "refund-policy", by="vera", roles=APPROVER, out=kb["out"])
    assert service.by_id("refund-policy", db_session=db).live_version == 3
    # Dropping the refund tag in a draft does not dodge the rule: the live version still has it.
    edit(db, "refund-policy", "Refunds reach you within 3 business days.", by="erin", tags=["payments"])
    step(db, "submit", "refund-policy", by="erin", roles=EDITOR, out=kb["out"])
    assert refusal(
        lambda: step(db, "publish", "refund-policy", by="tara", roles=TRAINER, out=kb["out"])
    ).code == ("approver_required")
    assert refusal(
        lambda: step(db, "retire", "refund-policy", by="tara", roles=TRAINER, out=kb["out"])
    ).code == ("approver_required")


def test_two_people_editing_one_draft_the_second_save_is_a_conflict(db: Session, kb: dict) -> None:
    published.import_library(kb["seed"], kb["out"], db_session=db)
    article = service.by_id("delivery-times", db_session=db)
    fields = content.fields_of(service.parsed(service.head(article, db_session=db)))
    stale = ArticleIn(**{**fields, "body": "Late edit.", "expected_version": 2})
    edit(db, "delivery-times", "First edit wins.", by="erin")
    error = refusal(lambda: service.save("delivery-times", stale, actor="tara", roles=TRAINER, db_session=db))
    assert (error.status_code, error.code, error.details["current_version"]) == (409, "version_conflict", 3)


def test_retire_writes_a_higher_retired_version_and_revert_makes_a_draft(db: Session, kb: dict) -> None:
    published.import_library(kb["seed"], kb["out"], db_session=db)
    step(db, "retire", "delivery-times", by="vera", roles=APPROVER, out=kb["out"])
    written = parse_article((kb["out"] / "delivery-times.md").read_text(), "published")
    assert (written.version, written.status) == (3, "retired")
    assert "delivery-times" not in load_library(kb["seed"], kb["out"])  # the bot no longer answers from it
    article = service.by_id("delivery-times", db_session=db)
    assert (article.state, article.live_version) == ("retired", None)
    service.revert(
        "delivery-times", to_version=2, expected_version=3, actor="erin", roles=EDITOR, db_session=db
    )
    article = service.by_id("delivery-times", db_session=db)
    assert (article.state, article.head_version) == ("draft", 4)
    assert (
        service.parsed(service.head(article, db_session=db)).answer
        == "Standard delivery takes 3 to 5 business days."
    )
    assert service.makers(article, db_session=db) == {"erin"}
    diff = service.diff(article, 3, 4, db_session=db)
    assert {"kind": "removed", "text": "status: retired"} in diff and {
        "kind": "added",
        "text": "status: draft",
    } in diff


def test_a_lost_write_is_restored_at_start(db: Session, kb: dict) -> None:
    published.import_library(kb["seed"], kb["out"], db_session=db)
    edit(db, "delivery-times", "Two to four days.", by="erin")
    step(db, "submit", "delivery-times", by="erin", roles=EDITOR, out=kb["out"])
    step(db, "publish", "delivery-times", by="vera", roles=APPROVER, out=kb["out"])
    (kb["out"] / "delivery-times.md").unlink()
    assert published.restore(kb["out"], db_session=db) == ["delivery-times"]
    assert parse_article((kb["out"] / "delivery-times.md").read_text(), "x").version == 3
    assert published.restore(kb["out"], db_session=db) == []


def test_a_correction_and_a_question_become_drafts_in_one_call(db: Session, kb: dict) -> None:
    published.import_library(kb["seed"], kb["out"], db_session=db)
    correction = record_correction(
        ticket_id=42,
        conversation_id="web-1",
        bot_text="Delivery takes 3 to 5 days.",
        bot_timestamp=None,
        customer_text="do you deliver on sundays?",
        correction="We deliver on Sundays in cities for orders placed by Saturday noon.",
        agent="bob",
        db_session=db,
    )
    article = sources.draft_from(
        "correction", correction.id, article_id=None, actor="erin", roles=EDITOR, db_session=db
    )
    assert (article.id, article.state, article.title) == (
        "do-you-deliver-on-sundays",
        "draft",
        "Do you deliver on sundays?",
    )
    head = service.head(article, db_session=db)
    assert (
        service.parsed(head).answer == correction.correction and head.source == f"correction:{correction.id}"
    )
    assert sources.origin_of(head.source, db_session=db)["ticket_id"] == 42
    again = refusal(
        lambda: sources.draft_from(
            "correction", correction.id, article_id=None, actor="erin", roles=EDITOR, db_session=db
        )
    )
    assert (again.status_code, again.code) == (409, "already_drafted")
    # Into an existing article: the correction is the proposed answer, above the old text.
    draft_express_correction(db, ticket_id=43)
    existing = service.by_id("delivery-times", db_session=db)
    assert (existing.state, existing.live_version, existing.head_version) == ("draft", 2, 3)
    body = service.parsed(service.head(existing, db_session=db)).body
    assert body.startswith("Express delivery takes one business day.\n\nStandard delivery takes 3 to 5")
    question = KbDraft(question="can i pay with [NAME]'s gift card", created_by="tara")
    db.add(question)
    db.flush()
    drafted = sources.draft_from(
        "kb_draft", question.id, article_id=None, actor="erin", roles=EDITOR, db_session=db
    )
    assert service.parsed(service.head(drafted, db_session=db)).answer == content.ANSWER_PLACEHOLDER
    unanswered = refusal(lambda: step(db, "submit", drafted.id, by="erin", roles=EDITOR, out=kb["out"]))
    assert (unanswered.status_code, unanswered.code) == (422, "answer_missing")
    pending = sources.pending(db_session=db)
    assert {item["id"]: item["drafted_as"] for item in pending["questions"]} == {question.id: drafted.id}


def test_customer_questions_are_saved_published_and_kept_by_a_correction_draft(db: Session, kb: dict) -> None:
    published.import_library(kb["seed"], kb["out"], db_session=db)
    asked = [
        "how long will my parcel take?",
        "  when will it   arrive? ",
        "",
        "how long will my parcel take?",
    ]
    edit(db, "delivery-times", "Standard delivery takes 3 to 5 business days.", by="tom", questions=asked)
    article = service.by_id("delivery-times", db_session=db)
    saved = content.fields_of(service.parsed(service.head(article, db_session=db)))["questions"]
    assert saved == ["how long will my parcel take?", "when will it arrive?"]
    step(db, "submit", "delivery-times", by="tom", roles=EDITOR, out=kb["out"])
    step(db, "publish", "delivery-times", by="tara", roles=TRAINER, out=kb["out"])
    bot = load_library(kb["seed"], kb["out"])["delivery-times"]  # what the bot reads
    assert bot.questions == ("how long will my parcel take?", "when will it arrive?")
    draft_express_correction(db, ticket_id=44)
    draft = service.parsed(service.head(service.by_id("delivery-times", db_session=db), db_session=db))
    assert draft.questions == bot.questions


def test_bad_input_is_a_clear_422(db: Session, kb: dict) -> None:
    def create(**fields: object) -> ApiError:
        values = dict(
            title="Gift cards", owner="payments", review_by=date(2027, 1, 1), url="/help/gift", body="Yes."
        )
        return refusal(
            lambda: service.create(
                ArticleIn(**{**values, **fields}), actor="erin", roles=EDITOR, db_session=db
            )
        )

    assert create(title="x" * 121).code == "title_too_long"
    assert create(body="  ").code == "empty_answer"
    assert create(body="# A heading\n\nText").code == "invalid_article"
    assert create(id="Bad Id!").code == "invalid_article"
    assert create(url="ftp://x").code == "invalid_article"
    assert create(owner=None).code == "missing_fields"
    assert create(questions=["q" * 201]).code == "too_many_questions"
    text = SEED.format(
        id="gifts", title="Gifts", tags="misc", review_by="2027-01-01", version=1, answer="Yes."
    )
    listed = refusal(
        lambda: service.create(
            ArticleIn(text=text.replace("status:", "questions: where is it?\nstatus:")),
            actor="erin",
            roles=EDITOR,
            db_session=db,
        )
    )
    assert (listed.code, listed.details) == ("invalid_article", {"field": "questions"})
    broken = refusal(
        lambda: service.create(
            ArticleIn(text="---\nid: [unclosed\n---\nAnswer."), actor="erin", roles=EDITOR, db_session=db
        )
    )
    assert broken.status_code == 422 and "not valid YAML" in broken.message
    assert refusal(lambda: service.by_id("no-such-article", db_session=db)).status_code == 404
    role = refusal(lambda: service.create(ArticleIn(title="t"), actor="vera", roles=APPROVER, db_session=db))
    assert (role.status_code, role.code) == (403, "role_required")
    assert db.scalars(select(KbVersion)).first() is None  # nothing invalid was saved
