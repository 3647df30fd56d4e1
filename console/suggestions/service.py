"""Agent assist: the KB articles and reply drafts for the conversation an agent works on, and the record of
what each sent reply made of a draft (plain functions; the console's tables are in models.py).

Drafts are a published article's canonical answer with its link, or a reply another agent sent in a similar
resolved conversation (console/suggestions/past_replies.py), redacted. Nothing here writes text of its own
for the customer: a draft is the article's or the agent's words.

A reply sent from a draft is also published on the event stream (publish_sent), without any text, for the
support metrics' agent edit rate (analytics/).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clients.backend import BackendApi
from clients.backend.ticketing import Ticket
from clients.http import ServiceRefused, ServiceUnavailable
from clients.rasa import RasaClient
from common.database import utcnow
from common.errors import unprocessable
from common.event_stream import SUGGESTION_SENT, Publisher
from console.agents.models import Agent
from console.handoffs.chat_messages import conversation_messages
from console.suggestions import telemetry
from console.suggestions.edits import edit_distance
from console.suggestions.models import (
    KB,
    PAST_REPLY,
    ArticleRead,
    AssistRead,
    EditRateDay,
    EditRateReport,
    SentReply,
    ShownSuggestion,
    SuggestionRead,
)
from console.suggestions.past_replies import PastReplies
from knowledge.retriever import Retriever

logger = logging.getLogger(__name__)

ARTICLES_SHOWN = 3
DRAFTS_FROM_ARTICLES = 2
DRAFTS_FROM_PAST_REPLIES = 2
# The customer's latest messages make the question; older ones are usually about something already settled.
QUESTION_MESSAGES = 3
# Fused retrieval scores (knowledge/retriever.py) of articles about something else stay under about 0.16 (small
# talk, a pet, the weather); a vague request for help reaches 0.29 on the contact article. Below this floor an
# article is noise in the panel, however it ranks. (Not the bot's answer threshold: a person reads these.)
MIN_ARTICLE_SCORE = 0.2
REPLY_MAX = 2000  # common/fields.py Reply: a draft longer than a reply could never be sent as it is
MAX_REPORT_DAYS = 366


def customer_question(ticket: Ticket, *, rasa: RasaClient) -> str:
    """What the customer asked, from the live conversation (or the ticket's copy when Rasa is unreachable)."""
    texts: List[str] = []
    if ticket.conversation_id:
        try:
            lines = conversation_messages(rasa.tracker(ticket.conversation_id))
            texts = [line["text"] for line in lines if line["author"] == "customer"]
        except (ServiceRefused, ServiceUnavailable) as exc:
            logger.warning("assist reads the ticket's copy of the conversation: %s", exc)
    if not texts:
        texts = [message.body for message in ticket.messages if message.author == "customer"]
    return " ".join(text.strip() for text in texts[-QUESTION_MESSAGES:] if text.strip())


def article_draft(answer: str, url: str) -> str:
    """A draft from an article: its canonical answer and its link, as the bot cites it; no words of ours."""
    return f"{answer.strip()}\n\n{url}" if url else answer.strip()


def assist(
    ticket_id: int,
    *,
    agent: Agent,
    db_session: Session,
    backend: BackendApi,
    rasa: RasaClient,
    knowledge: Callable[[], Retriever],
    past_replies: PastReplies,
) -> AssistRead:
    """The top articles for the conversation and drafts to reply with; each draft is recorded as shown."""
    ticket = backend.ticketing.ticket(ticket_id)
    question = customer_question(ticket, rasa=rasa)
    if not question:
        return AssistRead(ticket_id=ticket_id, articles=[], drafts=[], knowledge_available=True)
    articles, article_drafts, available = _from_knowledge(question, knowledge)
    candidates = [*article_drafts]
    for past in past_replies.similar(question, exclude_ticket=ticket_id, limit=DRAFTS_FROM_PAST_REPLIES):
        candidates.append(
            ShownSuggestion(
                kind=PAST_REPLY, source_ticket_id=past.ticket_id, text=past.text, score=past.score
            )
        )
    drafts = [_record_shown(candidate, ticket_id, agent, db_session=db_session) for candidate in candidates]
    return AssistRead(
        ticket_id=ticket_id,
        articles=articles,
        drafts=[_read(draft, articles) for draft in drafts],
        knowledge_available=available,
    )


def _from_knowledge(
    question: str, knowledge: Callable[[], Retriever]
) -> Tuple[List[ArticleRead], List[ShownSuggestion], bool]:
    try:
        hits = knowledge().search(question, ARTICLES_SHOWN)
    except Exception:  # noqa: BLE001 - a missing model or broken index must not take the conversation view down
        logger.exception("knowledge search failed; assist shows past replies only")
        return [], [], False
    articles: List[ArticleRead] = []
    drafts: List[ShownSuggestion] = []
    for hit in hits:
        if hit.score < MIN_ARTICLE_SCORE:
            break  # best first
        article = hit.article
        articles.append(
            ArticleRead(
                id=article.id,
                title=article.title,
                version=article.version,
                url=article.url,
                score=round(float(hit.score), 4),
                tags=list(article.tags),
            )
        )
        # Not redacted: a published article holds no customer's data (its owner and a second person reviewed
        # it), and the redactor would mask the store's own support address the article gives.
        text = article_draft(article.answer, article.url)
        if len(drafts) < DRAFTS_FROM_ARTICLES and len(text) <= REPLY_MAX:
            drafts.append(
                ShownSuggestion(
                    kind=KB,
                    article_id=article.id,
                    article_version=article.version,
                    text=text,
                    score=float(hit.score),
                )
            )
    return articles, drafts, True


def _record_shown(
    candidate: ShownSuggestion, ticket_id: int, agent: Agent, *, db_session: Session
) -> ShownSuggestion:
    """The draft's row: the same draft shown again to this agent for this ticket today is not shown twice."""
    today = utcnow().date()
    existing = db_session.execute(
        select(ShownSuggestion).where(
            ShownSuggestion.ticket_id == ticket_id,
            ShownSuggestion.agent == agent.username,
            ShownSuggestion.shown_on == today,
            ShownSuggestion.kind == candidate.kind,
            ShownSuggestion.text == candidate.text,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    candidate.ticket_id = ticket_id
    candidate.agent = agent.username
    candidate.shown_on = today
    db_session.add(candidate)
    db_session.flush()
    telemetry.shown(candidate.kind)
    return candidate


def _read(draft: ShownSuggestion, articles: Sequence[ArticleRead]) -> SuggestionRead:
    titles = {article.id: article.title for article in articles}
    return SuggestionRead(
        id=draft.id,
        kind=draft.kind,
        text=draft.text,
        score=round(draft.score, 4),
        article_id=draft.article_id,
        article_version=draft.article_version,
        article_title=titles.get(draft.article_id) if draft.article_id else None,
        source_ticket_id=draft.source_ticket_id,
    )


def suggestion_for_reply(suggestion_id: int, *, ticket_id: int, db_session: Session) -> ShownSuggestion:
    """The draft a reply says it started from; 422 unless it was shown for this very ticket."""
    found = db_session.get(ShownSuggestion, suggestion_id)
    if found is None or found.ticket_id != ticket_id:
        raise unprocessable("unknown_suggestion", "That suggestion was not shown for this conversation.")
    return found


def record_sent(
    ticket_id: int,
    text: str,
    *,
    agent: Agent,
    suggestion: Optional[ShownSuggestion],
    db_session: Session,
) -> SentReply:
    """One sent reply: whether it started from a draft, and the edit distance from that draft to `text`."""
    now = utcnow()
    row = SentReply(
        ticket_id=ticket_id, agent=agent.username, sent_on=now.date(), sent_at=now, sent_length=len(text)
    )
    if suggestion is not None:
        distance = edit_distance(suggestion.text, text)
        longer = max(len(suggestion.text), len(text))
        row.suggestion_id = suggestion.id
        row.kind = suggestion.kind
        row.article_id = suggestion.article_id
        row.article_version = suggestion.article_version
        row.source_ticket_id = suggestion.source_ticket_id
        row.suggestion_length = len(suggestion.text)
        row.edit_distance = distance
        row.edit_rate = distance / longer if longer else 0.0
    db_session.add(row)
    db_session.flush()
    telemetry.sent(row.kind, row.edit_rate)
    return row


def stream_conversation_id(ticket_id: int, conversation_id: Optional[str]) -> str:
    """Whom a reply's stream event belongs to: the bot conversation, or the ticket itself when there was none
    (an email or a contact form), so that the edit rate counts those replies too."""
    return conversation_id or f"ticket-{ticket_id}"


def publish_sent(reply: SentReply, *, conversation_id: Optional[str], events: Publisher) -> None:
    """Publish what a reply sent from a draft made of it; a reply typed without one publishes nothing.

    No text and nothing about the customer or the agent: the ticket, the draft's kind and article, whether the
    agent changed it and the edit rate. Publishing never fails the reply (common/event_stream.Publisher)."""
    if reply.suggestion_id is None or reply.edit_distance is None:
        return
    article = (
        {"article_id": reply.article_id, "article_version": reply.article_version} if reply.kind == KB else {}
    )
    events.emit(
        SUGGESTION_SENT,
        stream_conversation_id(reply.ticket_id, conversation_id),
        ticket_id=reply.ticket_id,
        suggestion=reply.kind,
        edited=reply.edit_distance > 0,
        edit_rate=reply.edit_rate,
        **article,
    )


def sent_replies(ticket_id: int, *, db_session: Session) -> List[SentReply]:
    statement = select(SentReply).where(SentReply.ticket_id == ticket_id).order_by(SentReply.id)
    return list(db_session.execute(statement).scalars())


def edit_rate_report(*, date_from: date, date_to: date, db_session: Session) -> EditRateReport:
    """Per day from `date_from` to `date_to` (inclusive): drafts shown, replies sent, replies that started from a
    draft and their mean edit rate."""
    if date_to < date_from:
        raise unprocessable("bad_range", "The end date is before the start date.")
    if (date_to - date_from).days >= MAX_REPORT_DAYS:
        raise unprocessable("range_too_long", f"Ask for at most {MAX_REPORT_DAYS} days at a time.")
    shown: Dict[date, int] = dict(
        db_session.execute(
            select(ShownSuggestion.shown_on, func.count(ShownSuggestion.id))
            .where(ShownSuggestion.shown_on.between(date_from, date_to))
            .group_by(ShownSuggestion.shown_on)
        ).all()
    )
    sent_rows = db_session.execute(
        select(
            SentReply.sent_on,
            func.count(SentReply.id),
            func.count(SentReply.suggestion_id),
            func.avg(SentReply.edit_rate),
            func.avg(SentReply.edit_distance),
        )
        .where(SentReply.sent_on.between(date_from, date_to))
        .group_by(SentReply.sent_on)
    ).all()
    sent = {row[0]: row[1:] for row in sent_rows}
    days = []
    day = date_from
    while day <= date_to:
        count, used, rate, distance = sent.get(day, (0, 0, None, None))
        days.append(
            EditRateDay(
                day=day,
                shown=shown.get(day, 0),
                sent=count,
                used=used,
                mean_edit_rate=None if rate is None else round(float(rate), 4),
                mean_edit_distance=None if distance is None else round(float(distance), 2),
            )
        )
        day += timedelta(days=1)
    overall = db_session.execute(
        select(func.avg(SentReply.edit_rate)).where(SentReply.sent_on.between(date_from, date_to))
    ).scalar()
    return EditRateReport(
        days=days,
        shown=sum(item.shown for item in days),
        sent=sum(item.sent for item in days),
        used=sum(item.used for item in days),
        mean_edit_rate=None if overall is None else round(float(overall), 4),
    )
