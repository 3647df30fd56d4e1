"""common/transcript.py: what people read of a conversation (unit level; the real stack is in
tests/e2e/test_console_transcript.py)."""

from __future__ import annotations

from typing import Any, Dict, List

from common.transcript import CODE_SHOWN_AS, conversation_lines, mask_codes


def test_a_six_digit_number_on_its_own_is_masked_anywhere() -> None:
    assert mask_codes("my code is 482913.", code_was_asked=False) == f"my code is {CODE_SHOWN_AS}."
    assert mask_codes("482 913", code_was_asked=False) == CODE_SHOWN_AS


def test_phone_numbers_amounts_and_order_numbers_are_left_alone() -> None:
    for text in ("call me on 555 123 4567", "+14155550123", "I paid 1,250.00", "order 10043", "ref 1234567"):
        assert mask_codes(text, code_was_asked=False) == text


def test_any_short_number_answering_the_code_question_is_masked() -> None:
    assert mask_codes("it's 4829", code_was_asked=True) == f"it's {CODE_SHOWN_AS}"


def _events() -> List[Dict[str, Any]]:
    buttons = [{"title": "No", "payload": "/deny"}, {"title": "Yes, connect me", "payload": "/request_human"}]
    return [
        {"event": "user", "text": "balance please", "timestamp": 1.0},
        {"event": "slot", "name": "requested_slot", "value": "verification_code"},
        {"event": "bot", "text": "Please type the code", "timestamp": 2.0},
        {"event": "user", "text": "4829", "timestamp": 3.0},
        {"event": "active_loop", "name": None},
        {"event": "bot", "text": "Shall I connect you?", "data": {"buttons": buttons}, "timestamp": 4.0},
        {"event": "user", "text": "/request_human", "timestamp": 5.0},
        {"event": "user", "text": '/faq{"faq_topic": "x"}', "timestamp": 6.0},
        {"event": "user", "text": "4829 again", "timestamp": 7.0},
        {"event": "bot", "text": "Alice here", "metadata": {"agent": "alice"}, "timestamp": 8.0},
    ]


def test_lines_mask_the_code_answer_and_show_clicked_buttons_by_title() -> None:
    lines = list(conversation_lines(_events()))
    assert [(line.author, line.text) for line in lines] == [
        ("customer", "balance please"),
        ("bot", "Please type the code"),
        ("customer", CODE_SHOWN_AS),
        ("bot", "Shall I connect you?"),
        ("customer", "Yes, connect me"),
        # Not a button the bot offered: shown as it came, so nothing is made up.
        ("customer", '/faq{"faq_topic": "x"}'),
        # After the form, four digits are not a code.
        ("customer", "4829 again"),
        ("agent", "Alice here"),
    ]
    assert lines[-1].agent == "alice"
