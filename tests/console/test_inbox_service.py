"""The learning-loop inbox at service level: a SQLite tracker store with Rasa's own event JSON, the console's
database, and every source, the redaction, grouping, labels and kappa (export: test_inbox_export.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from common.database import make_engine, make_session_factory
from common.errors import ApiError
from console.corrections.service import record as record_correction
from console.inbox import agreement, labels, service, sources
from console.inbox.models import InboxItem, InboxLabel, KbDraft, LabelIn
from console.schema import create_schema

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
MODEL = "20261130-101500-brisk-lamp"


class FakeTracker:
    """Rasa's SQL tracker store table, filled with events as Rasa serialises them (Event.as_dict)."""

    def __init__(self, path: Path) -> None:
        self.url = f"sqlite:///{path}"
        writer = make_engine(self.url)
        sources.EVENTS.metadata.create_all(writer)
        self.writer = writer
        self.clock = 1_700_000_000.0

    def add(self, sender: str, event: Event) -> int:
        self.clock += 1
        data = event.as_dict()
        data["timestamp"] = self.clock
        with self.writer.begin() as connection:
            row = connection.execute(
                insert(sources.EVENTS).values(
                    sender_id=sender,
                    type_name=event.type_name,
                    timestamp=self.clock,
                    intent_name=getattr(event, "intent_name", None),
                    action_name=getattr(event, "action_name", None),
                    data=json.dumps(data),
                )
            )
            return int(row.inserted_primary_key[0])

    def user(
        self, sender: str, text: str, ranking: Sequence[Tuple[str, float]], fallback: bool = False
    ) -> int:
        ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
        if fallback:
            ranked.insert(0, {"name": "nlu_fallback", "confidence": 0.3})
        event = UserUttered(
            text,
            intent=ranked[0],
            parse_data={"intent_ranking": ranked, "text": text},
            input_channel="rest",
            metadata={"model_id": MODEL, "assistant_id": "frontdesk"},
        )
        return self.add(sender, event)

    def bot(self, sender: str, text: str) -> int:
        return self.add(sender, BotUttered(text, metadata={"model_id": MODEL}))

    def slot(self, sender: str, name: str, value: Any) -> int:
        return self.add(sender, SlotSet(name, value))

    def action(self, sender: str, name: str) -> int:
        return self.add(sender, ActionExecuted(name))

    def loop(self, sender: str, name: Optional[str]) -> int:
        return self.add(sender, ActiveLoop(name))

    def reader(self) -> Engine:
        engine = sources.open_tracker(self.url)
        assert engine is not None
        return engine


SURE = [("check_order_status", 0.95), ("check_refund_status", 0.02)]


def confident_event_not_sampled(tracker: FakeTracker, sender: str, text: str) -> int:
    """A confident message whose event id the 2 % sample does not pick (so it stays out of the inbox)."""
    while True:
        event_id = tracker.user(sender, text, SURE)
        if not sources.is_sampled(event_id):
            return event_id


@pytest.fixture
def tracker(tmp_path: Path) -> FakeTracker:
    return FakeTracker(tmp_path / "rasa-tracker.db")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path}/console.db")
    create_schema(engine)
    with make_session_factory(engine)() as db_session:
        yield db_session


def items_by_text(session: Session) -> Dict[str, InboxItem]:
    return {item.text: item for item in session.execute(select(InboxItem)).scalars()}


def test_each_source_finds_its_messages(tracker: FakeTracker, session: Session) -> None:
    # Fallback: ranked without nlu_fallback; low confidence: 0.55 < 0.6; small margin: 0.7 - 0.55 < 0.2.
    tracker.user(
        "c1", "hmm the thingy with my stuff", [("inform", 0.2), ("check_order_status", 0.15)], fallback=True
    )
    tracker.bot("c1", "Sorry, could you rephrase?")
    tracker.user(
        "c1", "where did my refund money go", [("check_refund_status", 0.55), ("request_refund", 0.3)]
    )
    tracker.user("c1", "can I swap the shoes for another size", [("return_item", 0.7), ("exchange", 0.55)])
    tracker.user("c1", "/request_human", [("request_human", 1.0)], fallback=True)  # a button: not NLU's guess
    # Declined as off-topic without being sure (0.64 < 0.8), and declined for certain (stays out).
    tracker.user("c1", "my hoodie where", [("out_of_scope", 0.64), ("check_order_status", 0.32)])
    tracker.user("c1", "what is the capital of peru", [("out_of_scope", 0.99), ("faq", 0.01)])
    # Handoffs for low confidence / escalation loop: the messages before them.
    tracker.action("c2", "action_session_start")
    confident_event_not_sampled(tracker, "c2", "my parcel went to the neighbours house")
    tracker.slot("c2", "handoff_reason", "low_confidence")
    confident_event_not_sampled(tracker, "c3", "the parcel says delivered but nothing here")
    tracker.slot("c3", "handoff_reason", "escalation_loop")
    confident_event_not_sampled(tracker, "c4", "please hurry it up with the refund")
    tracker.slot("c4", "handoff_reason", "user_requested")  # asked for a person: nothing wrong with NLU
    # A bad rating (csat_rating holds "1".."5", actions/csat.py); the rating answer itself is not an item.
    confident_event_not_sampled(tracker, "c5", "cancel the blue jacket order")
    tracker.slot("c5", "requested_slot", "csat_rating")
    confident_event_not_sampled(tracker, "c5", "one star, useless")
    tracker.slot("c5", "csat_rating", "1")
    confident_event_not_sampled(tracker, "c6", "cancel the red scarf order")
    tracker.slot("c6", "csat_rating", "5")
    # The sample: 2 % of confident messages, by event id.
    sampled = [tracker.user("c7", f"where is my order number {n}", SURE) for n in range(150)]
    assert any(sources.is_sampled(event_id) for event_id in sampled)
    # An agent's correction.
    record_correction(
        ticket_id=7, conversation_id="c8", bot_text="Your order ships today.", bot_timestamp=None,
        customer_text="do you do gift wrapping", correction="We do not offer gift wrapping.", agent="bob",
        db_session=session,
    )  # fmt: skip

    result = service.sync(db_session=session, tracker_engine=tracker.reader())
    found = items_by_text(session)
    assert found["hmm the thingy with my stuff"].source_list() == ["fallback"]
    assert json.loads(found["hmm the thingy with my stuff"].ranking)[0] == {
        "name": "inform",
        "confidence": 0.2,
    }
    assert found["where did my refund money go"].source_list() == ["low_confidence"]
    assert found["can I swap the shoes for another size"].source_list() == ["low_confidence"]
    assert found["my hoodie where"].source_list() == ["declined"]
    assert found["my parcel went to the neighbours house"].source_list() == ["handoff_low_confidence"]
    assert found["the parcel says delivered but nothing here"].source_list() == ["handoff_escalation_loop"]
    assert found["cancel the blue jacket order"].source_list() == ["low_csat"]
    assert found["do you do gift wrapping"].source_list() == ["agent_correction"]
    assert found["do you do gift wrapping"].note == "We do not offer gift wrapping."
    for text in (
        "what is the capital of peru",
        "/request_human",
        "please hurry it up with the refund",
        "one star, useless",
        "cancel the red scarf order",
    ):
        assert text not in found
    samples = [item for item in found.values() if item.source_list() == ["sample"]]
    assert len(samples) == sum(sources.is_sampled(event_id) for event_id in sampled)
    assert found["where did my refund money go"].model_id == MODEL
    assert found["where did my refund money go"].conversation_id == "c1"
    assert result.added == len(found)

    # Idempotent: nothing new, nothing twice.
    again = service.sync(db_session=session, tracker_engine=tracker.reader())
    assert (again.added, again.updated) == (0, 0)
    assert len(items_by_text(session)) == len(found)


def test_a_later_handoff_adds_its_source_to_an_item_already_stored(
    tracker: FakeTracker, session: Session
) -> None:
    tracker.user("c1", "uh what about the other thing", [("inform", 0.5), ("affirm", 0.2)])
    service.sync(db_session=session, tracker_engine=tracker.reader())
    tracker.slot("c1", "handoff_reason", "low_confidence")
    result = service.sync(db_session=session, tracker_engine=tracker.reader())
    assert (result.added, result.updated) == (0, 1)
    item = items_by_text(session)["uh what about the other thing"]
    assert item.source_list() == ["handoff_low_confidence", "low_confidence"]


def test_personal_data_is_redacted_before_it_is_stored(tracker: FakeTracker, session: Session) -> None:
    tracker.slot("c1", "email", "jane.doe@example.org")
    tracker.user(
        "c1", "I am locked out, mail jane.doe@example.org or call +44 20 7946 0958", [("reset_password", 0.4)]
    )
    tracker.slot("c1", "requested_slot", "verification_code")
    tracker.bot("c1", "Please type the code we sent to jane.doe@example.org")
    tracker.user("c1", "it is 482913 i think", [("inform", 0.3)], fallback=True)
    tracker.loop("c1", None)
    tracker.user("c1", "Thanks, Jane", [("thank", 0.5)])
    service.sync(db_session=session, tracker_engine=tracker.reader())
    stored = json.dumps(
        [[item.text, item.conversation] for item in session.execute(select(InboxItem)).scalars()]
    )
    for secret in ("jane.doe", "7946", "482913", "Jane"):
        assert secret not in stored
    assert "I am locked out, mail [EMAIL] or call [PHONE]" in items_by_text(session)


def test_near_duplicates_share_a_group_and_big_groups_come_first(
    tracker: FakeTracker, session: Session
) -> None:
    unsure = [("check_order_status", 0.4), ("inform", 0.35)]
    for text in ("where is my order 10042", "Where is my order 10043?", "where is my order 10044 !!"):
        tracker.user("c1", text, unsure)
    tracker.user("c2", "do you sell gift cards", unsure)
    tracker.user("c2", "do you sell gift cards?", unsure)
    tracker.user("c3", "my cat ate the parcel", unsure)
    service.sync(db_session=session, tracker_engine=tracker.reader())
    listed = service.groups(db_session=session)
    assert [(group["text"], group["count"]) for group in listed] == [
        ("where is my order [ORDER]", 3),
        ("do you sell gift cards", 2),
        ("my cat ate the parcel", 1),
    ]
    assert listed[0]["top_intent"] == "check_order_status" and listed[0]["confidence"] == 0.4
    assert listed[0]["margin"] == 0.05 and listed[0]["model_id"] == MODEL
    assert service.groups(db_session=session, source="fallback") == []
    detail = service.group(listed[0]["id"], db_session=session)
    assert detail is not None and len(detail["items"]) == 3
    assert detail["items"][0]["conversation"][0] == {"role": "user", "text": "where is my order [ORDER]"}


def _label(session: Session, items: List[InboxItem], trainer: str, **body: Any) -> List[InboxLabel]:
    return labels.label_items(items, LabelIn(**body), trainer=trainer, domain_path=DOMAIN, db_session=session)


def test_labels_replace_per_trainer_cover_groups_and_are_checked(
    tracker: FakeTracker, session: Session
) -> None:
    unsure = [("check_order_status", 0.4), ("inform", 0.35)]
    for text in ("where is my order 10042", "where is my order 10043 ?"):
        tracker.user("c1", text, unsure)
    service.sync(db_session=session, tracker_engine=tracker.reader())
    group = service.groups(db_session=session)[0]
    items = service.group_items(group["id"], db_session=session)
    written = _label(
        session, items, "tara", kind="accept",
        entities=[{"entity": "order_id", "value": "[ORDER]", "start": 18, "end": 25}],
    )  # fmt: skip
    assert [(label.item_id, label.intent) for label in written] == [
        (items[0].id, "check_order_status"),
        (items[1].id, "check_order_status"),
    ]
    assert json.loads(written[1].entities) == [
        {"entity": "order_id", "value": "[ORDER]", "start": 18, "end": 25}
    ]
    _label(session, items[:1], "tara", kind="intent", intent="check_refund_status")  # relabel replaces
    mine = session.execute(select(InboxLabel).where(InboxLabel.trainer == "tara")).scalars().all()
    assert sorted((label.item_id, label.kind, label.intent) for label in mine) == [
        (items[0].id, "intent", "check_refund_status"),
        (items[1].id, "accept", "check_order_status"),
    ]
    refusals = [
        ({"kind": "intent", "intent": "not_an_intent"}, "unknown_intent"),
        ({"kind": "intent"}, "unknown_intent"),
        ({"kind": "new_intent", "intent": "Gift Wrapping"}, "bad_intent_name"),
        ({"kind": "new_intent", "intent": "greet"}, "intent_exists"),
        ({"kind": "accept", "intent": "greet"}, "intent_mismatch"),
        (
            {"kind": "out_of_scope", "entities": [{"entity": "shoe", "value": "x", "start": 0, "end": 1}]},
            "unknown_entity",
        ),
        (
            {"kind": "out_of_scope", "entities": [{"entity": "email", "value": "x", "start": 20, "end": 99}]},
            "entity_out_of_bounds",
        ),
    ]
    for body, code in refusals:
        with pytest.raises(ApiError) as refused:
            _label(session, items, "tara", **body)
        assert refused.value.status_code == 422 and refused.value.code == code, body
    _label(session, items, "tom", kind="new_intent", intent="gift_wrapping")
    _label(session, items, "vera", kind="needs_answer")
    _label(session, items, "tom", kind="needs_answer")
    drafts = session.execute(select(KbDraft)).scalars().all()
    assert [(draft.question, draft.created_by, draft.status) for draft in drafts] == [
        ("where is my order [ORDER]", "vera", "draft")
    ]


def test_kappa_matches_a_hand_computed_example(session: Session, tracker: FakeTracker) -> None:
    for n in range(10):
        tracker.user(
            f"c{n}", f"message number {n} about something {'x' * n}", [("inform", 0.1)], fallback=True
        )
    service.sync(db_session=session, tracker_engine=tracker.reader())
    items = list(session.execute(select(InboxItem).order_by(InboxItem.id)).scalars())
    assert len(items) == 10
    # Trainer A: 6 x order, 4 x refund. Trainer B agrees on 5 orders and 3 refunds, differs on one of each.
    first = ["check_order_status"] * 6 + ["check_refund_status"] * 4
    second = (
        ["check_order_status"] * 5
        + ["check_refund_status"]
        + ["check_refund_status"] * 3
        + ["check_order_status"]
    )
    for item, a, b in zip(items, first, second, strict=True):
        _label(session, [item], "tara", kind="intent", intent=a)
        _label(session, [item], "tom", kind="intent", intent=b)
    # p_o = 0.8; p_e = 0.6*0.6 + 0.4*0.4 = 0.52; kappa = (0.8 - 0.52) / 0.48 = 0.5833 (one-vs-rest is the same
    # with two categories).
    result = agreement.agreement(db_session=session)
    assert result["items"] == 10 and result["overall"] == pytest.approx(0.5833, abs=1e-4)
    assert result["per_intent"] == [
        {"intent": "check_order_status", "kappa": pytest.approx(0.5833, abs=1e-4), "items": 7},
        {"intent": "check_refund_status", "kappa": pytest.approx(0.5833, abs=1e-4), "items": 5},
    ]
    assert agreement.cohen_kappa([("a", "a"), ("a", "a")]) is None  # chance agreement is total
    assert agreement.cohen_kappa([]) is None
