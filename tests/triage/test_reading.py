"""How triage reads a message once the model has read its pieces (triage/classify.py, routing.py,
calibration.py, enrich.py, pipeline.read_message), with the model's answers written out here; the real
model is read in test_intake.py and test_triage_quality.py."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from triage.calibration import Calibration, at_threshold, fit, fit_platt
from triage.classify import aggregate, reading_of
from triage.enrich import amount_value, sentiment_of
from triage.matching import PossibleMatch
from triage.parsing import InboundMessage
from triage.pipeline import read_message, triage_details

CALIBRATION = Calibration({"share": 6.0}, -4.0, 0.7, "a test", 0, 0.0, 0.0)


def parsed(ranking: List[Tuple[str, float]], entities: List[Dict[str, Any]] = ()) -> Dict[str, Any]:  # type: ignore[assignment]
    return {
        "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
        "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking],
        "entities": list(entities),
    }


MODEL = {
    "Refund please": parsed([("request_refund", 0.9), ("check_refund_status", 0.05)]),
    "Hi team,": parsed([("greet", 0.95), ("complaint", 0.03)]),
    "I returned the boots from order 10042 two weeks ago.": parsed(
        [("request_refund", 0.5), ("check_order_status", 0.4)],
        [{"entity": "order_id", "value": "10042"}],
    ),
    "Where is my money ($45.99)?": parsed(
        [("check_refund_status", 0.7), ("check_balance", 0.2)], [{"entity": "amount", "value": "$45.99"}]
    ),
    "My lawyer will hear about this.": parsed([("sensitive_topic", 1.0), ("complaint", 0.0)]),
}


def model(text: str) -> Dict[str, Any]:
    return MODEL.get(text, parsed([("nlu_fallback", 0.3)]))


def message(body: str, subject: str = "Refund please") -> InboundMessage:
    return InboundMessage("email", "jane@example.com", subject, body, "<m1@example.com>")


def test_pieces_vote_with_their_whole_ranking_and_greetings_vote_for_nothing() -> None:
    readings = [
        reading_of(text, 1.0, model(text))
        for text in ("Hi team,", "I returned the boots from order 10042 two weeks ago.")
    ]
    result = aggregate(readings)
    assert result.queue == "returns" and result.intent == "request_refund"
    assert result.votes["orders"] == pytest.approx(0.4 / 0.93, abs=1e-3)
    assert result.share == pytest.approx(0.5 / 0.93, abs=1e-3) and not result.sensitive


def test_nothing_but_conversation_is_general_with_no_confidence() -> None:
    result = aggregate([reading_of("Hi team,", 1.0, parsed([("greet", 0.99)]))])
    assert (result.queue, result.share, result.intent) == ("general", 0.0, "none")


def test_a_whole_message_is_read_cleaned_with_entities_language_and_sentiment() -> None:
    body = (
        "Hi team,\n\nI returned the boots from order 10042 two weeks ago. Where is my money ($45.99)?\n\n"
        "Thanks,\nJane\n\nOn Mon, 3 Jun 2024, Shop <support@shop.example.com> wrote:\n> We got your return"
    )
    reading = read_message(message(body), model, CALIBRATION)
    assert reading.cleaned.startswith("Hi team,") and "We got your return" not in reading.cleaned
    assert reading.queue == "returns" and reading.auto_routed and reading.priority == "normal"
    assert (reading.entities.order_id, reading.entities.amount, reading.entities.email) == (
        "10042",
        "$45.99",
        None,
    )
    assert reading.language == "en" and reading.sentiment.score is not None


def test_a_sensitive_piece_makes_it_urgent() -> None:
    reading = read_message(message("My lawyer will hear about this."), model, CALIBRATION)
    assert reading.priority == "urgent" and reading.priority_reasons == ["sensitive topic", "legal"]


def test_another_language_is_suggested_not_auto_routed_and_has_no_sentiment_score() -> None:
    reading = read_message(
        message("Je voudrais être remboursée pour ma commande, merci de vérifier."), model, CALIBRATION
    )
    assert reading.language == "fr" and not reading.auto_routed
    assert any("model reads English" in reason for reason in reading.route_reasons)
    assert reading.sentiment.score is None and "English only" in (reading.sentiment.note or "")


def test_low_confidence_is_suggested_with_the_reason() -> None:
    reading = read_message(
        message("I returned the boots from order 10042 two weeks ago.", subject=""), model, CALIBRATION
    )
    assert not reading.auto_routed and reading.route_reasons[0].startswith("confidence")


def test_the_details_keep_entities_masked_and_never_a_customer_id() -> None:
    reading = read_message(
        message("Please write to jane.doe@example.org about order 10042."), model, CALIBRATION
    )
    details = triage_details(reading, "email", PossibleMatch("no_match", "no match"))["triage"]
    assert details["entities"]["email"] == "j***@example.org"
    assert details["possible_match"] == {"status": "no_match", "note": "no match", "verified": False}
    assert "customer_id" not in str(details)


@pytest.mark.parametrize(
    "text, value", [("$45.99", "45.99"), ("12,50 euros", "12.50"), ("£7", "7.00"), ("none", None)]
)
def test_amounts_are_plain_decimals(text: str, value: str) -> None:
    assert amount_value(text) == value


def test_sentiment_is_vaders_for_english() -> None:
    assert sentiment_of("This is terrible, I am furious and disappointed", "en").label == "negative"
    assert sentiment_of("Thank you so much, great service!", "en").label == "positive"


def test_platt_scaling_orders_probabilities_by_score_and_the_threshold_is_measured() -> None:
    rows = [(share,) for share in (0.2, 0.3, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)]
    correct = [False, False, True, False, True, True, True, True, True, True]
    weights, _bias = fit_platt(rows, correct)
    assert weights[0] > 0
    probabilities = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5]
    assert at_threshold(probabilities, [True, True, True, True, False, True, True], 0.8) == (1.0, 4 / 7)
    assert at_threshold(probabilities, [True, True, True, True, False, True, True], 0.6) == (5 / 6, 6 / 7)


def test_a_fit_is_saved_and_loaded(tmp_path: Any) -> None:
    readings = [
        aggregate([reading_of("x", 1.0, parsed([("request_refund", share), ("complaint", 1 - share)]))])
        for share in (0.55, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)
    ]
    calibration = fit(readings, [False, True, False, True, True, True, True, True], "eight examples")
    calibration.save(tmp_path / "calibration.json")
    loaded = Calibration.load(tmp_path / "calibration.json")
    assert loaded == calibration and loaded.examples == 8
    assert loaded.probability(readings[-1]) > loaded.probability(readings[0])


@pytest.mark.parametrize(
    "text, reason",
    [
        ("There are two unauthorised payments on my card.", "fraud"),
        ("My account email was changed, not by me.", "fraud"),
        ("I will raise a chargeback with my bank.", "legal"),
        ("This is a letter before action; I will issue proceedings.", "legal"),
        ("The heater gave my son a nasty burn and we went to A&E.", "injury"),
        ("Your email showed me someone else's order and address.", "data breach"),
        ("I was shaking all day and I'm frightened of the next delivery.", "distress"),
    ],
)
def test_sensitive_cues_make_a_ticket_urgent(text: str, reason: str) -> None:
    reading = read_message(message(text, subject=""), model, CALIBRATION)
    assert reading.priority == "urgent" and reason in reading.priority_reasons


@pytest.mark.parametrize(
    "text, priority",
    [
        ("I was charged twice for the same order.", "high"),
        ("This is the third time I am writing about the same problem.", "high"),
        ("The parcel was returned to sender, it was worth 240,00 €.", "high"),
        ("The parcel was returned to sender, a 12,00 € phone case.", "normal"),
        ("I returned the boots from order 10042 two weeks ago.", "normal"),
    ],
)
def test_money_or_goods_lost_and_repeat_contacts_are_high(text: str, priority: str) -> None:
    assert read_message(message(text, subject=""), model, CALIBRATION).priority == priority


def test_another_language_is_sorted_by_its_words_and_data_protection_by_its_own() -> None:
    german = read_message(
        message(
            "Ich möchte die Handschuhe zurückschicken und bitte um Erstattung. Die Bestellung kam gestern.",
            "",
        ),
        model,
        CALIBRATION,
    )
    assert german.language == "de" and german.queue == "returns" and not german.auto_routed
    english = read_message(
        message("Under GDPR, please tell me what personal data you hold about me.", ""), model, CALIBRATION
    )
    assert english.queue == "privacy"
