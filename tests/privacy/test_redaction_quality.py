"""The redactor's quality on the held-out labelled set (tests/privacy/redaction/test.yml), and the properties a
privacy audit checks directly.

Bars come from the measured numbers on the test set when these tests were written (python -m
tools.redaction_eval --set test): overall precision 0.980, recall 0.993, 17 of 2360 gold characters left
visible; recall 1.000 for every label but NAME (0.979); precision 1.000 but PHONE 0.900 and NAME 0.979;
60-80 µs per message. Each bar sits just under its measurement, so that one more miss in a checksum-backed
or pattern-backed kind (a card, an IBAN, a code, a token, an email) fails, while the kinds that are
judgement calls (names, addresses, phones) may lose one or two of their ~20-50 spans before failing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Dict

import pytest

from common.redaction import CARD, Span, find_spans, redact
from tools import redaction_eval
from tools.redaction_eval import OVERALL, PII_LABELS, Item, Report, evaluate, load_set, score_item

# Recall floors: secrets with a checksum or a fixed shape must all be found (1.0); names, addresses and phones
# may lose about 5 % (NAME 0.979 measured, 48 spans: one more miss still passes, three do not).
RECALL_BARS: Dict[str, float] = {
    "EMAIL": 1.0,
    "CARD": 1.0,
    "IBAN": 1.0,
    "CODE": 1.0,
    "TOKEN": 1.0,
    "PHONE": 0.94,
    "ADDRESS": 0.95,
    "NAME": 0.95,
    OVERALL: 0.98,
}
# Precision floors: a false alarm hides an ordinary word or number from the people reading the text, which
# costs less than a leak; PHONE measured 0.900 (2 of 20), NAME 0.979 (1 of 48).
PRECISION_BARS: Dict[str, float] = {
    label: 0.95 for label in ("EMAIL", "CARD", "IBAN", "CODE", "TOKEN", "ADDRESS")
}
PRECISION_BARS.update({"PHONE": 0.85, "NAME": 0.9, OVERALL: 0.95})
# Gold letters and digits no redaction covers: 0.72 % measured.
LEAKED_SHARE_BAR = 0.015
# Runs on every logged line and stored message: 60-80 µs measured here; the bar leaves room for a busy CI
# machine (2 shared cores) without letting an accidentally quadratic pattern through.
SECONDS_PER_MESSAGE_BAR = 0.001


@pytest.fixture(scope="module")
def test_report() -> Report:
    return evaluate(load_set("test"))


def test_the_held_out_set_is_large_enough_and_disjoint_from_the_dev_set() -> None:
    test_items, dev_items = load_set("test"), load_set("dev")
    assert len(test_items) >= 150 and len(dev_items) >= 150
    assert not {item.text for item in test_items} & {item.text for item in dev_items}
    labels = {span.label for item in test_items for span in item.spans}
    assert labels == set(PII_LABELS)
    assert sum(1 for item in test_items if not item.spans) >= 40  # hard negatives
    assert sum(1 for item in test_items if item.known_values) >= 5


@pytest.mark.parametrize("label", list(RECALL_BARS))
def test_recall_per_label_on_the_held_out_set(test_report: Report, label: str) -> None:
    score = test_report.scores[label]
    assert score.recall >= RECALL_BARS[label], (label, score)


@pytest.mark.parametrize("label", list(PRECISION_BARS))
def test_precision_per_label_on_the_held_out_set(test_report: Report, label: str) -> None:
    score = test_report.scores[label]
    assert score.precision >= PRECISION_BARS[label], (label, score)


def test_few_characters_of_personal_data_leak(test_report: Report) -> None:
    overall = test_report.scores[OVERALL]
    assert overall.leaked_chars / overall.gold_chars <= LEAKED_SHARE_BAR, overall


def test_redaction_is_fast_enough_for_every_log_line(test_report: Report) -> None:
    assert test_report.seconds_per_message <= SECONDS_PER_MESSAGE_BAR
    # Linear in the text's length: a 20x longer line (a log line with a payload) takes about 20x as long.
    line = "Hi, my name is Tom Becker, call +44 7700 900123 or tom@x.io about order 10043, paid $12.99. "
    started = time.perf_counter()
    redact(line * 200)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "I typed the number on the box, 4198 3444 1747 6610, is that my warranty id?",
        "serial 4485275742308328",
        "ref 5191-1995-2178-3473 from the bank",
        "gift card 6035 2201 1234 5678",
        "Amex 3477 669147 63793",
    ],
)
def test_digit_runs_failing_luhn_are_left_alone(text: str) -> None:
    assert all(span.label != CARD for span in find_spans(text))
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "where is order #10043?",
        "order 10122 and 10123",
        "invoice INV-2024-0042 is wrong",
        "inv-2023-1120 has the wrong VAT",
        "the code is 4821 and my order is 10043",
    ],
)
def test_order_and_invoice_ids_are_never_taken_for_personal_data(text: str) -> None:
    # They stay the store's identifiers: the learning loop keeps them as [ORDER] / [INVOICE] entities, never as
    # a code, a phone number or an address.
    labels = {span.label: text[span.start : span.end] for span in find_spans(text)}
    assert set(labels) <= {"ORDER", "INVOICE", "CODE"}
    assert "10043" not in labels.get("CODE", "") and "INV" not in labels.get("CODE", "")


@pytest.mark.parametrize(
    "text",
    [
        "I was charged $1,250.00 and €49.99 on 12/05/2024 at 14:30",
        "2 x Nike Air Max 90, size 10, qty 3, since 2019",
        "tracking JD014600006281234567 and 1Z999AA10123456784",
        "The Ralph Lauren polo and the Jordan 1 Retro",
        "I'm not happy, this is the third time",
    ],
)
def test_amounts_dates_sizes_tracking_and_products_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_customers_known_values_are_redacted_in_any_case() -> None:
    known = [
        "Harriet Vane",
        "harriet.vane@example.org",
        "+44 7700 900888",
        "9 Mecklenburgh Square, London WC1N 2AD",
    ]
    text = (
        "HARRIET VANE at Harriet.Vane@EXAMPLE.org, 07700 900 888, 9 MECKLENBURGH SQUARE, postcode wc1n 2ad; "
        "vane spelled wrong"
    )
    redacted = redact(text, known_values=known)
    for secret in ("harriet", "vane", "example.org", "900", "mecklenburgh", "wc1n"):
        assert secret not in redacted.lower(), redacted
    assert redacted.count("[NAME]") == 2 and "[EMAIL]" in redacted and "[PHONE]" in redacted


def test_the_scoring_counts_overlaps_false_alarms_and_leaked_characters() -> None:
    text = "card 4111 1111 1111 1111, call Jane Doe at 555-123-4567"
    item = Item(
        text=text,
        spans=(
            Span(5, 24, "CARD"),
            Span(31, 39, "NAME"),
            Span(43, 55, "PHONE"),
        ),
    )
    predicted = [
        Span(5, 14, "PHONE"),  # covers half the card under another label: no leak there, but no card found
        Span(31, 35, "NAME"),  # overlaps the name: found, "Doe" leaks
        Span(0, 4, "NAME"),  # a false alarm
        Span(43, 55, "ORDER"),  # not a personal-data label: not a prediction, yet it hides the phone
    ]
    report = Report()
    score_item(item, predicted, report)
    scores = report.scores
    assert (scores["CARD"].gold_found, scores["CARD"].leaked_chars) == (
        0,
        8,
    )  # "11111111" after the phone span
    assert (scores["NAME"].gold_found, scores["NAME"].leaked_chars) == (1, 3)
    assert (scores["NAME"].predicted, scores["NAME"].predicted_correct) == (2, 1)
    assert (scores["PHONE"].predicted, scores["PHONE"].predicted_correct, scores["PHONE"].gold_found) == (
        1,
        0,
        0,
    )
    assert scores["PHONE"].leaked_chars == 0
    assert scores[OVERALL].gold_chars == 16 + 7 + 10


def test_a_gold_value_missing_from_its_text_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.yml").write_text(
        'messages:\n  - text: "call me"\n    spans: [{value: "555-0101", label: PHONE}]\n', encoding="utf-8"
    )
    monkeypatch.setattr(redaction_eval, "SETS_DIR", tmp_path)
    with pytest.raises(ValueError, match="555-0101"):
        load_set("broken")
