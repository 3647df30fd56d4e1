"""Replies agents sent in resolved conversations, found again for a similar question.

The backend keeps each resolved ticket's messages, redacted with the customer's own values when they were
stored (backend/tickets/service.py); an agent's message there reads "<display name>: <text>". Each reply is
one document, searched with the knowledge package's BM25 (knowledge/lexical.py): the customer's messages of
that ticket are its heading (counted twice: they are what a new question should resemble) and the reply its
body. What is shown is run through the whole redactor once more, order numbers included: a past customer's
order is not this customer's business.

The documents are read from the backend at most every `refresh_seconds`: resolved tickets change slowly, and
an agent opening a conversation must not cost hundreds of ticket reads.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple

from clients.backend import BackendApi
from clients.backend.ticketing import MAX_PAGE_SIZE, Ticket
from clients.http import ServiceRefused, ServiceUnavailable
from common.redaction import redact
from knowledge.articles import PUBLISHED, Article
from knowledge.lexical import LexicalIndex

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 300.0
MAX_TICKETS = 500  # the newest resolved tickets searched
MIN_REPLY_CHARS = 20  # "ok", "one moment" and the like are no draft
MIN_SCORE = 0.15  # BM25 normalised to 0..1 (knowledge/lexical.py): below this the tickets share a word or two
_AGENT_PREFIX = re.compile(r"\A[^:\n]{1,100}: ")


@dataclass(frozen=True)
class PastReply:
    ticket_id: int
    text: str  # redacted
    score: float


@dataclass(frozen=True)
class _Document:
    ticket_id: int
    reply: str


def notice_patterns(templates: Iterable[str]) -> List[re.Pattern[str]]:
    """The console's own notices to customers (an agent joined, took over, left), as patterns: never drafts."""
    patterns = []
    for template in templates:
        parts = re.split(r"\{[a-z_]+\}", template)
        patterns.append(re.compile(r"\A" + ".+".join(re.escape(part) for part in parts) + r"\Z", re.DOTALL))
    return patterns


def agent_replies(ticket: Ticket, notices: Sequence[re.Pattern[str]] = ()) -> List[str]:
    """The agent's own words in a ticket's messages, without the name prefix, notices and short acknowledgements."""
    replies = []
    for message in ticket.messages:
        if message.author != "agent":
            continue
        text = _AGENT_PREFIX.sub("", message.body, count=1).strip()
        if len(text) < MIN_REPLY_CHARS or any(pattern.match(text) for pattern in notices):
            continue
        replies.append(text)
    return replies


def _as_article(number: int, ticket: Ticket, reply: str) -> Article:
    # The BM25 index takes articles: the heading is the question the reply answered, the body the reply.
    question = " ".join(message.body for message in ticket.messages if message.author == "customer")
    return Article(
        id=f"reply-{number}",
        title=question or ticket.subject,
        tags=(),
        owner="",
        review_by=None,
        version=1,
        status=PUBLISHED,
        url="/",
        answer=reply,
        body=reply,
    )


class PastReplies:
    """The agent replies of the newest resolved tickets, searchable by a customer's question."""

    def __init__(
        self,
        backend: BackendApi,
        *,
        notices: Iterable[str] = (),
        refresh_seconds: float = REFRESH_SECONDS,
        max_tickets: int = MAX_TICKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.notices = notice_patterns(notices)
        self.refresh_seconds = refresh_seconds
        self.max_tickets = max_tickets
        self.clock = clock
        self._lock = threading.Lock()
        self._loaded_at: Optional[float] = None
        self._documents: List[_Document] = []
        self._index: Optional[LexicalIndex] = None

    def similar(self, question: str, *, exclude_ticket: int, limit: int) -> List[PastReply]:
        """The best-matching replies, one per ticket, never from `exclude_ticket`, redacted."""
        documents, index = self._current()
        if index is None or not documents or limit <= 0:
            return []
        scores = index.scores(question)
        found: List[PastReply] = []
        tickets_used = {exclude_ticket}
        for row in sorted(range(len(documents)), key=lambda r: -scores[r]):
            if scores[row] < MIN_SCORE or len(found) >= limit:
                break
            document = documents[row]
            if document.ticket_id in tickets_used:
                continue
            tickets_used.add(document.ticket_id)
            found.append(PastReply(document.ticket_id, redact(document.reply), float(scores[row])))
        return found

    def forget(self) -> None:
        """Read the tickets again at the next search."""
        with self._lock:
            self._loaded_at = None

    def _current(self) -> Tuple[List[_Document], Optional[LexicalIndex]]:
        with self._lock:
            now = self.clock()
            if self._loaded_at is None or now - self._loaded_at >= self.refresh_seconds:
                try:
                    self._build(self._resolved_tickets())
                    self._loaded_at = now
                except (ServiceRefused, ServiceUnavailable) as exc:
                    # The last index, if any, stays in use; the next search tries again.
                    logger.warning("past replies not refreshed: %s", exc)
            return self._documents, self._index

    def _resolved_tickets(self) -> List[Ticket]:
        tickets: List[Ticket] = []
        page = 1
        while len(tickets) < self.max_tickets:
            found = self.backend.ticketing.search(status="solved", page=page, page_size=MAX_PAGE_SIZE)
            tickets.extend(found.items)
            if not found.items or page * MAX_PAGE_SIZE >= found.total:
                break
            page += 1
        return tickets[: self.max_tickets]

    def _build(self, tickets: Sequence[Ticket]) -> None:
        documents: List[_Document] = []
        articles: List[Article] = []
        for ticket in tickets:
            for reply in agent_replies(ticket, self.notices):
                articles.append(_as_article(len(documents), ticket, reply))
                documents.append(_Document(ticket.id, reply))
        self._documents = documents
        self._index = LexicalIndex(articles) if articles else None


def past_replies_of(app: Any) -> PastReplies:
    """The console's one index of past replies (built at the first search)."""
    state = app.state
    if getattr(state, "past_replies", None) is None:
        state.past_replies = PastReplies(state.backend, notices=state.texts.templates.values())
    return state.past_replies
