"""Knowledge-base metrics over hand-written event sequences: answers from articles (the kb_article_id and
kb_article_version slots actions/faq.py sets), abstentions after store questions, containment of the
conversations answered from the KB and the top articles table, against values worked out in the comments."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import List

import pytest
from rasa.shared.core.events import SlotSet

from analytics import dashboard
from analytics.articles import ArticleUse, article_uses, top_articles
from analytics.events import normalize
from analytics.metrics import compute
from privacy.stream import StreamMinimiser, minimised
from tests.analytics.test_metrics import DAY, T0, Script, facts_of
from tests.analytics.test_report import report_page


def kb_answer(script: Script, article: str, version: int, response: str = "utter_faq_answer") -> Script:
    """What Rasa logs for an answer from an article: the response, then the two slots the action set."""
    return script.bot(response).slot("kb_article_id", article).slot("kb_article_version", str(version))


def kb_corpus() -> List[Script]:
    k1 = Script("k1").user("faq")  # answered, thanked: contained
    kb_answer(k1, "return-policy", 3).user("thank").bot("utter_youre_welcome")
    k2 = Script("k2").user("faq")  # the same article twice, then asks for a person: handed over after it
    kb_answer(k2, "delivery-times", 2).user("faq")
    kb_answer(k2, "delivery-times", 2).user("request_human").action("action_handoff")
    k2.slot("handoff_reason", "user_requested")
    # No article good enough: "I don't know", a person offered and accepted (the only abstention).
    k3 = Script("k3").user("faq").bot("utter_dont_know_offer_human").user("affirm").action("action_handoff")
    k4 = Script("k4").user("faq", text="policies?").bot("utter_ask_faq_topic")  # vague: the menu
    kb_answer(k4.user("faq", text="/faq"), "return-policy", 3)  # a topic button: answered
    # A request the bot cannot carry out: the route from an article, then the person it offered.
    k5 = Script("k5").user("change_order").bot("utter_cannot_change_order")
    kb_answer(k5, "order-changes", 1, response="utter_kb_route").user("affirm").action("action_handoff")
    # An unclear message the KB matched (action_clarify), from a newer version of the article.
    k6 = kb_answer(Script("k6").user("nlu_fallback"), "return-policy", 4)
    # Two unclear messages: the second "I don't know" is a clarification, no store question was asked.
    k7 = Script("k7").user("check_order_status").bot("utter_order_status")
    k7.user("nlu_fallback").bot("utter_ask_rephrase").user("nlu_fallback").bot("utter_dont_know_offer_human")
    # A store question sent while a person has the conversation: the bot is paused, the KB never sees it.
    k8 = Script("k8").user("request_human").action("action_handoff").user("faq")
    k8.bot("Our returns window is 30 days.", agent="Alice")
    k9 = Script("k9").user("greet").bot("utter_greet")  # greeting only: not a bot conversation
    # Handed over first; back with the bot later, a store question answered: not handed over *after* it.
    k10 = Script("k10").user("complaint").action("action_handoff").user("faq", after=3600)
    kb_answer(k10, "return-policy", 3)
    return [k1, k2, k3, k4, k5, k6, k7, k8, k9, k10]


def test_kb_metrics_equal_the_hand_worked_values() -> None:
    metrics = compute(facts_of(kb_corpus()), as_of=T0 + 2 * DAY)
    share = {key: (value.numerator, value.denominator) for key, value in metrics.proportions.items()}
    # Bot conversations: all but k9 = 9. Answered from the KB: k1 k2 k4 k5 k6 k10 = 6.
    assert metrics.conversations == 9
    assert share["kb_answered"] == (6, 9)
    # Of those, handed over: k2 k5 (after the answer) and k10 (before it) -> contained k1 k4 k6.
    assert share["kb_containment"] == (3, 6)
    # Store questions the bot answered: k1 1, k2 2, k3 1, k4 2, k10 1 = 7 (k6 and k7 asked none, k8's went
    # to a person); "I don't know" to one of them: k3.
    assert share["kb_abstention"] == (1, 7)
    # Answers from articles: k1 1, k2 2, k4 1, k5 1, k6 1, k10 1.
    assert metrics.kb_answers == 7
    # k7's "I don't know" is still a clarification (and k3's, which is also an abstention).
    assert share["repeated_clarifications"] == (1, 9)


def test_each_conversation_lists_the_articles_it_was_answered_from() -> None:
    facts = {each.conversation_id: each for each in facts_of(kb_corpus())}
    assert facts["k2"].kb_articles == ["delivery-times@2"]
    assert [answer.article for answer in facts["k2"].kb_answers] == ["delivery-times@2"] * 2
    assert facts["k4"].kb_articles == ["return-policy@3"]
    assert facts["k5"].kb_articles == ["order-changes@1"]
    assert facts["k3"].kb_articles == [] and not facts["k3"].answered_from_kb
    assert (facts["k3"].store_questions, facts["k3"].kb_abstentions) == (1, 1)
    assert (facts["k8"].store_questions, facts["k8"].kb_abstentions) == (0, 0)
    assert (facts["k7"].store_questions, facts["k7"].kb_abstentions) == (0, 0)
    k10 = facts["k10"]
    assert k10.handed_off and not k10.handed_off_after(k10.kb_answers[0])


def test_top_articles_count_answers_and_the_handovers_that_followed() -> None:
    uses = article_uses(facts_of(kb_corpus()))
    assert uses == [
        # k1 k4 k10; k10 was handed over before its answer, so not counted as handed over later.
        ArticleUse("return-policy", "3", answers=3, conversations=3, handed_off_later=0),
        ArticleUse("delivery-times", "2", answers=2, conversations=1, handed_off_later=1),
        # Equal answers: the one followed by a handover first (the trainer's signal).
        ArticleUse("order-changes", "1", answers=1, conversations=1, handed_off_later=1),
        ArticleUse("return-policy", "4", answers=1, conversations=1, handed_off_later=0),
    ]
    assert top_articles(facts_of(kb_corpus()), limit=2) == uses[:2]


def test_an_answer_with_a_handover_both_before_and_after_counts_as_handed_over_later() -> None:
    # Only the first handover is recorded: an answer between two handovers is not "followed" by one.
    script = Script("h1").user("faq")
    kb_answer(script, "warranty", 1).user("request_human").action("action_handoff")
    (facts,) = facts_of([script])
    assert facts.handed_off_after(facts.kb_answers[0])
    assert article_uses([facts]) == [ArticleUse("warranty", "1", 1, 1, 1)]


def test_the_kb_slots_pass_the_stream_minimiser_and_are_kept_by_the_store() -> None:
    minimise = StreamMinimiser()
    for name, value in (("kb_article_id", "return-policy"), ("kb_article_version", "3")):
        event = {**SlotSet(name, value).as_dict(), "sender_id": "w"}
        published = minimise(event)
        assert published["value"] == value == minimised(event)["value"]
        whole, stored = normalize(event), normalize(published)
        assert stored is not None and whole is not None
        assert (stored.kind, stored.name, stored.value) == ("slot", name, value)
        assert replace(stored, key="") == replace(whole, key="")


def test_the_dashboard_carries_the_kb_metrics_and_the_top_articles() -> None:
    board = dashboard.build(facts_of(kb_corpus()), as_of=T0 + 2 * DAY)
    assert {"kb_answered", "kb_abstention", "kb_containment"} <= {
        each["key"] for each in board["definitions"]
    }
    overall = board["overall"]
    assert overall["kb_answers"] == 7
    assert (
        overall["values"]["kb_answered"]["numerator"],
        overall["values"]["kb_answered"]["denominator"],
    ) == (
        6,
        9,
    )
    assert board["top_articles"][0] == {
        "article_id": "return-policy",
        "version": "3",
        "answers": 3,
        "conversations": 3,
        "handed_off_later": 0,
    }
    # Every conversation started on the same day (k10's answer came an hour later; a day is the start's).
    (day,) = board["series"]["day"]
    assert day["kb_answers"] == 7 and day["values"]["kb_containment"]["denominator"] == 6
    json.dumps(board)  # what GET /api/metrics sends


def test_the_report_shows_the_kb_metrics_and_the_top_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Published as Rasa's broker publishes them: minimised (privacy/stream.py), the KB slots passing through.
    published = [minimised(event) for script in kb_corpus() for event in script.raw]
    page = report_page(published, tmp_path, monkeypatch)
    assert "9 bot conversations" in page and "7 answers from knowledge-base articles" in page
    assert "Answered from the knowledge base</td><td>66.7% (" in page
    assert "Knowledge-base abstentions</td><td>14.3% (" in page
    assert "Containment after a knowledge-base answer</td><td>50.0% (" in page
    rows = re.findall(
        r"<tr><td>([\w-]+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", page
    )
    assert rows == [
        ("return-policy", "3", "3", "3", "0"),
        ("delivery-times", "2", "2", "1", "1"),
        ("order-changes", "1", "1", "1", "1"),
        ("return-policy", "4", "1", "1", "0"),
    ]


def test_the_rasa_broker_meter_counts_kb_answers_by_article_and_abstentions() -> None:
    from analytics.rasa_broker import _Meter
    from common.telemetry import KB_ABSTENTIONS, KB_ANSWERS

    meter = _Meter()
    answers = KB_ANSWERS.labels("rasa", "return-policy")._value.get()
    abstentions = KB_ABSTENTIONS.labels("rasa")._value.get()
    scripts = kb_corpus()
    for script in scripts:
        for raw in script.raw:
            meter.count(raw)
    # return-policy answers: k1, k4, k6 (version 4) and k10; abstentions: k3 only (k7's follows no store
    # question, k8's question went to a person).
    assert KB_ANSWERS.labels("rasa", "return-policy")._value.get() == answers + 4
    assert KB_ABSTENTIONS.labels("rasa")._value.get() == abstentions + 1
    assert meter.open_store_questions == set()  # every store question had its answer
