"""The knowledge-base articles the bot answered from, for trainers: how often each article (at each
version) was the answer, and how many of those conversations still went to a person afterwards. An article
often followed by a handover may be wrong, incomplete or the answer to a different question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence, Set, Tuple

from analytics.conversations import ConversationFacts


@dataclass(frozen=True)
class ArticleUse:
    article_id: str
    version: str
    answers: int
    # Bot conversations with at least one answer from this article version.
    conversations: int
    # Of those, the ones handed over to a person after (one of) the article's answers.
    handed_off_later: int


def article_uses(facts: Sequence[ConversationFacts]) -> List[ArticleUse]:
    """Every article version answered from in the bot conversations, most answers first."""
    answers: Dict[Tuple[str, str], int] = {}
    conversations: Dict[Tuple[str, str], Set[str]] = {}
    handed_off: Dict[Tuple[str, str], Set[str]] = {}
    for each in facts:
        if not each.is_bot_conversation:
            continue
        for answer in each.kb_answers:
            key = (answer.article_id, answer.version)
            answers[key] = answers.get(key, 0) + 1
            conversations.setdefault(key, set()).add(each.conversation_id)
            if each.handed_off_after(answer):
                handed_off.setdefault(key, set()).add(each.conversation_id)
    uses = [
        ArticleUse(
            *key,
            answers=count,
            conversations=len(conversations[key]),
            handed_off_later=len(handed_off.get(key, ())),
        )
        for key, count in answers.items()
    ]
    return sorted(uses, key=lambda use: (-use.answers, -use.handed_off_later, use.article_id, use.version))


def top_articles(facts: Sequence[ConversationFacts], limit: int = 10) -> List[ArticleUse]:
    return article_uses(facts)[:limit]
