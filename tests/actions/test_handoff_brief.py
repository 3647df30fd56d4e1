"""actions/handoff_brief.py: the summary an agent reads, from tracker events."""

from __future__ import annotations

from typing import Any, Dict, List

from actions.handoff_brief import brief


def user(intent: str, text: str = "...") -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def bot(text: str) -> Dict[str, Any]:
    return {"event": "bot", "text": text}


def order_status_then_a_person() -> List[Dict[str, Any]]:
    return [
        user("greet", "hi"),
        action("utter_greet"),
        bot("Hi! How can I help?"),
        user("check_order_status", "where is order 10043"),
        action("order_status_form"),
        user("inform", "jane@example.com"),
        action("action_check_order_status"),
        bot("Order 10043 shipped on 24 Nov 2026 with DHL, tracking DHL123."),
        user("request_human", "let me talk to someone"),
        action("action_handoff"),
    ]


def test_the_goal_what_was_done_and_the_bots_own_answer() -> None:
    summary = brief(
        order_status_then_a_person(),
        reason="user_requested",
        verified=False,
        contact=None,
        typed_email="jane@example.com",
    )
    assert summary.subject == summary.goal == "Where is my order"
    assert summary.description == (
        "The customer came about: Where is my order. The bot looked up the order. "
        "Handed over because the customer asked for a person."
    )
    assert summary.done == ["looked up the order"]
    assert summary.unresolved == "The bot finished its part; check what else the customer needs."
    assert (
        summary.last_answer
        == 'The bot\'s last answer: "Order 10043 shipped on 24 Nov 2026 with DHL, tracking DHL123."'
    )
    assert summary.verification.startswith("Not verified: says their email is jane@example.com")


def test_an_unfinished_request_is_named_as_open_and_a_verified_contact_in_words() -> None:
    events = [
        user("request_refund", "refund order 10043 please"),
        action("refund_form"),
        user("request_human"),
    ]
    summary = brief(events, reason="user_requested", verified=True, contact="+14155550123", typed_email=None)
    assert summary.subject == "Refund request"
    assert summary.unresolved == "Refund request: not finished by the bot."
    assert "The bot did not complete anything yet." in summary.description
    assert summary.verification == "Verified with a one-time code sent to +14155550123."
    assert summary.last_answer is None


def test_only_asking_for_a_person_or_nothing_clear() -> None:
    asked = brief(
        [user("greet"), user("request_human")],
        reason="user_requested",
        verified=False,
        contact=None,
        typed_email=None,
    )
    assert asked.subject == "Asked for a person" and asked.verification == "Not verified, and no email given."
    unclear = brief(
        [user("nlu_fallback"), action("action_clarify"), bot("Sorry?")],
        reason="low_confidence",
        verified=False,
        contact=None,
        typed_email=None,
    )
    assert unclear.subject == "Unclear request"
    assert unclear.done == ["asked the customer to rephrase"]
    assert "because the bot did not understand the customer" in unclear.description


def test_a_code_in_the_bots_last_answer_is_masked() -> None:
    events = [
        user("check_balance"),
        action("action_check_balance"),
        bot("Your code 123456 worked; credit 5.00 USD."),
    ]
    summary = brief(events, reason="user_requested", verified=True, contact="a@b.c", typed_email=None)
    assert "123456" not in (summary.last_answer or "")


def test_every_request_intent_has_a_goal_and_every_finishing_action_a_phrase() -> None:
    import yaml

    from actions.handoff_brief import FINISHED_BY, NOT_A_GOAL, phrases
    from actions.slots import HANDOFF_REASONS
    from common.paths import DOMAIN_PATH

    domain = yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8"))
    requests = set(domain["intents"]) - NOT_A_GOAL
    assert requests <= set(phrases()["goals"]), requests - set(phrases()["goals"])
    assert set(FINISHED_BY.values()) <= set(phrases()["done"]) & set(domain["actions"])
    assert set(phrases()["reasons"]) == set(HANDOFF_REASONS)
