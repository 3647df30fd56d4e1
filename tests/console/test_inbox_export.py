"""Exporting trainers' labels as NLU data: deterministic, held-out split without leaks, duplicates and
disagreements left out, placeholders filled in, and files Rasa's own reader loads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator, List, Optional

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from sqlalchemy.orm import Session

from common.database import make_engine, make_session_factory
from console.inbox import export, labels
from console.inbox.grouping import normalise
from console.inbox.models import InboxGroup, InboxItem, LabelIn
from console.schema import create_schema
from tools.check_nlu_data import leaks, load_dir

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
EXISTING = """version: "3.1"
nlu:
- intent: check_order_status
  examples: |
    - where is my order
    - has my package shipped yet
- intent: check_refund_status
  examples: |
    - when do I get my money back
"""
HELD_OUT = """version: "3.1"
nlu:
- intent: check_order_status
  examples: |
    - can you check on the shoes I bought last monday please
"""
DISTINCT = [
    "could you look up the parcel I ordered on friday",
    "the tracking page has not moved for five days",
    "is the courier still coming to my flat today",
    "I bought a lamp and want to know when it arrives",
    "nothing has arrived since I paid two weeks ago",
    "which warehouse is my jacket being sent from",
    "the delivery estimate keeps changing every morning",
    "did my boots leave the depot yet or not",
    "my neighbour says no van came by this afternoon",
    "give me an update about the sofa delivery date",
    "I want to see where the blender is right now",
    "has anyone dispatched the gift I bought for my mum",
]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path}/console.db")
    create_schema(engine)
    with make_session_factory(engine)() as db_session:
        yield db_session


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "orders.yml").write_text(EXISTING)
    (tmp_path / "tests" / "nlu").mkdir(parents=True)
    (tmp_path / "tests" / "nlu" / "test_orders.yml").write_text(HELD_OUT)
    return tmp_path


def add_item(session: Session, text: str, top_intent: Optional[str] = "check_order_status") -> InboxItem:
    group = InboxGroup(key=normalise(text), text=text)
    session.add(group)
    session.flush()
    item = InboxItem(
        group_id=group.id,
        source_ref=f"tracker:{group.id * 10}",
        sources="low_confidence",
        text=text,
        top_intent=top_intent,
        confidence=0.5,
        margin=0.1,
    )
    session.add(item)
    session.flush()
    return item


def label(session: Session, item: InboxItem, trainer: str, **body: object) -> None:
    labels.label_items([item], LabelIn(**body), trainer=trainer, domain_path=DOMAIN, db_session=session)


def seed(session: Session) -> None:
    order = add_item(session, "where is my parcel with order [ORDER] from last week")
    label(
        session, order, "tara", kind="accept",
        entities=[{"entity": "order_id", "value": "[ORDER]", "start": 30, "end": 37}],
    )  # fmt: skip
    refund = add_item(session, "I never got my refund for order [ORDER], mail me at [EMAIL]")
    label(session, refund, "tara", kind="intent", intent="check_refund_status")
    label(session, refund, "tom", kind="intent", intent="check_refund_status")
    label(session, add_item(session, "what is the weather in paris today"), "tara", kind="out_of_scope")
    label(session, add_item(session, "Where is my order?!"), "tara", kind="accept")  # already in data/nlu
    disputed = add_item(session, "cancel it and send my money back")
    label(session, disputed, "tara", kind="intent", intent="cancel_order")
    label(session, disputed, "tom", kind="intent", intent="request_refund")
    label(
        session,
        add_item(session, "do you gift wrap presents"),
        "tara",
        kind="new_intent",
        intent="gift_wrapping",
    )
    label(session, add_item(session, "do you ship to iceland"), "tara", kind="needs_answer")
    for text in DISTINCT:
        label(session, add_item(session, text), "tara", kind="accept")


def examples(path: Path) -> List[tuple]:
    data = load_data(str(path))
    return [
        (message.get("intent"), message.get("text"), message.get("entities") or [])
        for message in data.intent_examples
    ]


def test_export_is_deterministic_and_loads_as_rasa_nlu_data(session: Session, repo: Path) -> None:
    seed(session)
    data_dir, heldout_dir = repo / "data", repo / "tests" / "nlu"
    first = export.export_labels(db_session=session, data_dir=data_dir, heldout_dir=heldout_dir)
    written = {path: path.read_bytes() for path in first.files}
    second = export.export_labels(db_session=session, data_dir=data_dir, heldout_dir=heldout_dir)
    assert {path: path.read_bytes() for path in second.files} == written
    training, held_out = data_dir / "nlu" / "learned.yml", heldout_dir / "test_learned.yml"
    assert set(written) == {training, held_out}

    trained, held = examples(training), examples(held_out)
    texts = [text for _, text, _ in trained + held]
    assert (first.examples, first.heldout) == (len(trained), len(held)) and first.heldout >= 1
    assert first.skipped_disagreements == 1 and first.skipped_duplicates == 1
    assert not any(text.lower().strip("?!") == "where is my order" for text in texts)
    assert not any(word in " ".join(texts) for word in ("cancel it", "gift wrap", "iceland"))
    # Placeholders are filled in with realistic values, never left as bracket tokens.
    assert not any(re.search(r"\[[A-Z]+\]", text) for text in texts)
    (order,) = (entry for entry in trained + held if entry[1].startswith("where is my parcel"))
    assert order[0] == "check_order_status" and re.fullmatch(r"1\d{4}", order[2][0]["value"])
    assert order[2][0]["entity"] == "order_id"
    (refund,) = (text for _, text, _ in trained + held if text.startswith("I never got my refund"))
    assert "@example.com" in refund
    assert ("out_of_scope", "what is the weather in paris today", []) in trained + held
    # Ordered by intent then text; each with its source.
    assert [(intent, text) for intent, text, _ in trained] == sorted(
        (intent, text) for intent, text, _ in trained
    )
    content = training.read_text()
    assert 'source: "inbox item ' in content and "labelled by tara, tom" in (content + held_out.read_text())
    # The project's own leakage check passes on the result.
    assert leaks(load_dir(data_dir / "nlu"), load_dir(heldout_dir)) == []
    assert all(len(text.split()) > export.SHORT_MESSAGE_WORDS for _, text, _ in held)


def test_the_held_out_split_follows_a_hash_of_the_text(session: Session, repo: Path) -> None:
    seed(session)
    result = export.export_labels(
        db_session=session, data_dir=repo / "data", heldout_dir=repo / "tests" / "nlu"
    )
    held = {text for _, text, _ in examples(repo / "tests" / "nlu" / "test_learned.yml")}
    expected = {text for text in DISTINCT if export._is_heldout(normalise(text), 0.2)}
    assert held & set(DISTINCT) == expected and result.heldout == len(held)
    nothing = export.export_labels(
        db_session=session, data_dir=repo / "data", heldout_dir=repo / "tests" / "nlu", heldout_fraction=0.0
    )
    assert nothing.heldout == 0 and "nlu: []" in (repo / "tests" / "nlu" / "test_learned.yml").read_text()


def test_the_patch_shows_the_change_without_writing_it(session: Session, repo: Path) -> None:
    seed(session)
    before = sorted(str(path) for path in repo.rglob("*"))
    patch, result = export.export_patch(
        db_session=session, data_dir=repo / "data", heldout_dir=repo / "tests" / "nlu", root=repo
    )
    assert sorted(str(path) for path in repo.rglob("*")) == before
    assert "+++ b/data/nlu/learned.yml" in patch and "+++ b/tests/nlu/test_learned.yml" in patch
    added = [line[1:] for line in patch.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added == "".join(result.files.values()).splitlines()
    assert json.dumps("what is the weather in paris today") in patch


def test_the_fast_reader_sees_the_project_data_as_rasa_does() -> None:
    directory = Path(__file__).resolve().parents[2] / "data" / "nlu"
    fast = [example for path in sorted(directory.rglob("*.yml")) for example in export.read_examples(path)]
    assert sorted(fast) == sorted(load_dir(directory))


def test_no_agreed_labels_means_no_change(session: Session, repo: Path) -> None:
    patch, result = export.export_patch(
        db_session=session, data_dir=repo / "data", heldout_dir=repo / "tests" / "nlu", root=repo
    )
    assert patch == "" and result.files == {} and result.examples == 0
