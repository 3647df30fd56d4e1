"""Answers to store questions from the knowledge-base articles in data/kb/ (retrieval comes later)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import settings


@dataclass(frozen=True)
class Article:
    topic: str
    title: str
    url: str
    summary: str


def parse_article(path: Path) -> Article:
    """Read one article: YAML front matter between '---' lines, then paragraphs; the first is the answer."""
    text = path.read_text(encoding="utf-8")
    _, front_matter, body = text.split("---", 2)
    meta = yaml.safe_load(front_matter)
    summary = body.strip().split("\n\n", 1)[0].strip()
    return Article(topic=meta["topic"], title=meta["title"], url=meta["url"], summary=summary)


@lru_cache(maxsize=1)
def load_articles() -> Dict[str, Article]:
    """All knowledge-base articles by topic."""
    articles = [parse_article(path) for path in sorted(settings().kb_dir.glob("*.md"))]
    return {article.topic: article for article in articles}


def answer_faq(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Answer the topic named in the latest message, or ask which topic is meant."""
    topics = [
        entity.get("value")
        for entity in tracker.latest_message.get("entities", [])
        if entity.get("entity") == slots.FAQ_TOPIC
    ]
    article = next((load_articles()[topic] for topic in topics if topic in load_articles()), None)
    if article is None:
        dispatcher.utter_message(response="utter_ask_faq_topic")
        return []
    dispatcher.utter_message(response="utter_faq_answer", faq_answer=article.summary, faq_url=article.url)
    return [SlotSet(slots.FAQ_TOPIC, article.topic)]


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        return answer_faq(dispatcher, tracker)
