"""Store questions answered from the knowledge base (knowledge/): one article's canonical answer, cited.

The bot never writes an answer itself. It sends the first paragraph of ONE published article (never a
draft, never two articles mixed), with the article's title and link, and records the article's id and
version in the conversation (slots `kb_article_id`, `kb_article_version`) for metrics and trainers.
The retriever abstains below its threshold or between two articles too close to call; then the caller
asks again or admits it does not know and offers a person.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.blocking import off_loop
from knowledge import Article, retriever

log = logging.getLogger(__name__)


def article_for_question(text: str) -> Optional[Article]:
    """The one published article that answers `text`, or None when the retriever abstains or fails."""
    if not text.strip() or text.lstrip().startswith("/"):  # a button payload is not a question
        return None
    try:
        decision = retriever().decide(text)
    except Exception:  # a broken index must cost an answer, never the conversation
        log.exception("knowledge retrieval failed; answering as if nothing matched")
        return None
    return decision.answer.article if decision.answer else None


def article_for_topic(topic: Optional[str]) -> Optional[Article]:
    """The published article the NLU's FAQ-topic classifier (or a topic button) named, if any."""
    if not topic:
        return None
    try:
        articles = retriever().articles
    except Exception:
        log.exception("knowledge base unavailable")
        return None
    return next((article for article in articles.values() if article.topic == topic), None)


def send_article(dispatcher: CollectingDispatcher, article: Article) -> List[EventType]:
    """The article's canonical answer with its citation, and the record of which article and version."""
    dispatcher.utter_message(
        response="utter_faq_answer", faq_answer=article.answer, faq_title=article.title, faq_url=article.url
    )
    return [
        SlotSet(slots.KB_ARTICLE_ID, article.id),
        SlotSet(slots.KB_ARTICLE_VERSION, str(article.version)),
    ]


def latest_topics(tracker: Tracker) -> List[str]:
    return [
        str(entity.get("value"))
        for entity in tracker.latest_message.get("entities", [])
        if entity.get("entity") == slots.FAQ_TOPIC
    ]


# "a question", "policies?": too little to search on; a menu of topics is the helpful answer to those.
VAGUE_QUESTION_WORDS = 3


def answer_faq(
    dispatcher: CollectingDispatcher, tracker: Tracker, offer_person: bool = True
) -> List[EventType]:
    """Answer a store question: the retrieved article (or a topic button's); if none, a vague
    question gets the menu of topics and a real one an honest "I don't know" with a person offered (not
    in the middle of a form, whose own question comes next: `offer_person=False` gives the menu)."""
    text = str(tracker.latest_message.get("text") or "")
    button = text.lstrip().startswith("/")
    if button:  # a topic button: the topic it names
        article = next(filter(None, map(article_for_topic, latest_topics(tracker))), None)
    else:
        # Typed text: the retriever alone. The NLU's topic classifier always picks one of its topics, even
        # for a question no article answers, so it never overrules the retriever's abstention.
        article = article_for_question(text)
    if article is not None:
        return send_article(dispatcher, article)
    vague = button or len(text.split()) <= VAGUE_QUESTION_WORDS
    if vague or not offer_person:
        dispatcher.utter_message(response="utter_ask_faq_topic")
        return []
    dispatcher.utter_message(response="utter_dont_know_offer_human")
    return [SlotSet(slots.HANDOFF_REASON, slots.REASON_LOW_CONFIDENCE)]


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        # Embedding the question is CPU work: off the loop, so other conversations are served meanwhile.
        return await off_loop(answer_faq, dispatcher, tracker)


def answer_out_of_scope(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """A message the NLU found outside the store's requests may still be a question an article answers
    (the NLU learnt the flows, not the help centre); otherwise the bot says what it can help with."""
    article = article_for_question(str(tracker.latest_message.get("text") or ""))
    if article is not None:
        return send_article(dispatcher, article)
    dispatcher.utter_message(response="utter_out_of_scope")
    return []


class ActionAnswerOutOfScope(Action):
    def name(self) -> str:
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        return await off_loop(answer_out_of_scope, dispatcher, tracker)
