"""Store questions answered from the knowledge base by the actions (actions/faq.py), against the real articles
in data/kb and the real retriever; the expected answers are read off the article files, not through it."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq, ActionAnswerOutOfScope
from common.paths import REPO_ROOT
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker
from tests.support import BackendServer


def run(action: Action, current: Tracker) -> tuple[CollectingDispatcher, List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    return dispatcher, events


def test_faq_answers_from_the_kb_article(live_backend: BackendServer) -> None:
    # The expected answer is read off the article file here, not through the loader the action uses.
    article_text = (REPO_ROOT / "data" / "kb" / "return-policy.md").read_text()
    _, front_matter, body = article_text.split("---", 2)
    meta = yaml.safe_load(front_matter)
    first_paragraph = body.strip().split("\n\n")[0]
    entities = [{"entity": "faq_topic", "value": "return_policy"}]
    dispatcher, events = run(
        ActionAnswerFaq(), tracker(intent="faq", text="what's your return policy", entities=entities)
    )
    assert dispatcher.messages[0]["response"] == "utter_faq_answer"
    assert dispatcher.messages[0]["faq_answer"] == first_paragraph
    assert first_paragraph.startswith("You can return most items within 30 days of delivery")
    assert dispatcher.messages[0]["faq_url"] == meta["url"]
    assert dispatcher.messages[0]["faq_title"] == meta["title"]
    # The conversation records which article, and which version of it, answered.
    assert slot_events(events) == {
        "kb_article_id": "return-policy",
        "kb_article_version": str(meta["version"]),
    }
    unclear, _ = run(ActionAnswerFaq(), tracker(intent="faq", text="question"))
    assert responses(unclear) == ["utter_ask_faq_topic"]


def test_a_message_outside_the_flows_is_tried_against_the_knowledge_base() -> None:
    # The NLU learnt the flows, not the help centre: a store question it calls out of scope still gets its
    # article; a message no article answers gets what the bot can help with.
    found, events = run(
        ActionAnswerOutOfScope(), tracker(intent="out_of_scope", text="how long is a gift card valid for?")
    )
    assert responses(found) == ["utter_faq_answer"] and slot_events(events)["kb_article_id"] == "gift-cards"
    weather, events = run(
        ActionAnswerOutOfScope(),
        tracker(intent="out_of_scope", text="what's the weather like in paris tomorrow"),
    )
    assert responses(weather) == ["utter_out_of_scope"] and events == []
