"""Agent assist at service level: the edit distance against the textbook table, what a sent reply records, the
edit-rate report per day, and past replies redacted before an agent sees them (console/suggestions)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator, List

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.events import EDITED, normalize
from clients.backend import BackendApi
from clients.backend.ticketing import StoredMessage, Ticket, TicketPage
from common.database import make_engine, make_session_factory
from common.errors import ApiError
from common.event_stream import SUGGESTION_SENT, Publisher, broker_events
from common.settings import ServiceEndpoint
from common.texts import Texts
from console.app import CUSTOMER_RESPONSES
from console.schema import create_schema
from console.suggestions import service
from console.suggestions.edits import edit_distance, edit_rate
from console.suggestions.models import KB, PAST_REPLY, SentReply, ShownSuggestion
from console.suggestions.past_replies import PastReplies
from tests.console.assist_seed import resolved_with_replies
from tests.support import TOKENS, BackendServer


def table_distance(a: str, b: str) -> int:
    """Levenshtein by the full dynamic-programming table: the reference the fast one must equal."""
    previous = list(range(len(b) + 1))
    for i, left in enumerate(a, 1):
        current = [i]
        for j, right in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left != right)))
        previous = current
    return previous[-1]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path}/console.db")
    create_schema(engine)
    with make_session_factory(engine)() as session:
        yield session


def agent(username: str = "bob") -> Any:
    return SimpleNamespace(username=username)


def test_edit_distance_known_pairs() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "") == 0
    assert edit_distance("", "abc") == 3 and edit_distance("abc", "") == 3
    assert edit_distance("flaw", "lawn") == 2
    assert edit_distance("same text", "same text") == 0
    assert edit_distance("ça coûte 5 €", "ca coute 5 €") == 2  # characters, not bytes
    assert edit_rate("abcd", "abcd") == 0.0 and edit_rate("", "") == 0.0
    assert edit_rate("abcd", "wxyz") == 1.0
    assert edit_rate("ab", "abcdef") == pytest.approx(4 / 6)


def test_edit_distance_equals_the_full_table_on_random_strings() -> None:
    rng = random.Random(15)
    for _ in range(3000):
        # A small alphabet makes many partial matches: the bit-parallel steps get every case.
        a = "".join(rng.choice("ab c\n") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("ab c\n") for _ in range(rng.randint(0, 40)))
        assert edit_distance(a, b) == table_distance(a, b), (a, b)
        assert edit_distance(a, b) == edit_distance(b, a)
    # Longer than a machine word, with an edit in the middle (prefix and suffix trimming is not enough).
    base = "".join(rng.choice("abcdefgh ") for _ in range(300))
    edited = base[:100] + "XYZ" + base[110:250] + base[251:]
    assert edit_distance(base, edited) == table_distance(base, edited)


def test_a_long_reply_is_measured_fast() -> None:
    rng = random.Random(3)
    a = "".join(rng.choice("abcdefghij ") for _ in range(2000))
    b = "".join(rng.choice("abcdefghij ") for _ in range(2000))
    started = datetime.now()
    distance = edit_distance(a, b)
    assert (datetime.now() - started).total_seconds() < 1.0
    assert 0 < distance <= 2000


def shown(db: Session, ticket_id: int, text: str, **fields: Any) -> ShownSuggestion:
    row = ShownSuggestion(
        ticket_id=ticket_id,
        agent="bob",
        kind=fields.pop("kind", KB),
        text=text,
        score=0.8,
        shown_on=fields.pop("shown_on", date.today()),
        **fields,
    )
    db.add(row)
    db.flush()
    return row


def test_a_sent_reply_records_the_draft_and_its_edit_distance(db: Session) -> None:
    draft = shown(
        db, 7, "Standard delivery takes 3 to 5 business days.", article_id="delivery-times", article_version=2
    )
    sent = "Hi! Standard delivery takes 3 to 4 business days, usually."
    row = service.record_sent(7, sent, agent=agent(), suggestion=draft, db_session=db)
    assert (row.kind, row.article_id, row.article_version, row.suggestion_id) == (
        KB,
        "delivery-times",
        2,
        draft.id,
    )
    assert row.edit_distance == table_distance(draft.text, sent)
    assert row.edit_rate == pytest.approx(row.edit_distance / len(sent))
    assert (row.sent_length, row.suggestion_length) == (len(sent), len(draft.text))

    typed = service.record_sent(
        7, "Let me check that for you.", agent=agent(), suggestion=None, db_session=db
    )
    assert typed.suggestion_id is None and typed.edit_distance is None and typed.kind is None
    assert [r.id for r in service.sent_replies(7, db_session=db)] == [row.id, typed.id]


def test_a_reply_from_a_draft_is_published_without_text(db: Session, tmp_path: Path) -> None:
    stream_url = f"sqlite:///{tmp_path}/events.db"
    events = Publisher("console", stream_url, "unused")
    kb_draft = shown(
        db,
        7,
        "Refunds reach your card within 5 to 10 business days.",
        article_id="refunds",
        article_version=4,
    )
    edited = service.record_sent(
        7,
        "Hi Jane! Refunds reach your card within 5 business days.",
        agent=agent(),
        suggestion=kb_draft,
        db_session=db,
    )
    service.publish_sent(edited, conversation_id="conv-7", events=events)
    past = shown(db, 7, "Your parcel left our warehouse today.", kind=PAST_REPLY, source_ticket_id=3)
    as_is = service.record_sent(7, past.text, agent=agent(), suggestion=past, db_session=db)
    service.publish_sent(as_is, conversation_id=None, events=events)  # a ticket without a bot conversation
    typed = service.record_sent(7, "One moment please.", agent=agent(), suggestion=None, db_session=db)
    service.publish_sent(typed, conversation_id="conv-7", events=events)  # no draft: nothing published

    with make_engine(stream_url).connect() as connection:
        rows = connection.execute(select(broker_events.c.sender_id, broker_events.c.data)).all()
    published = [json.loads(row.data) for row in rows]
    assert [row.sender_id for row in rows] == ["conv-7", "ticket-7"]
    first, second = published
    assert {key: first[key] for key in first if key not in ("timestamp", "event_id")} == {
        "event": SUGGESTION_SENT,
        "source": "console",
        "sender_id": "conv-7",
        "ticket_id": 7,
        "suggestion": KB,
        "article_id": "refunds",
        "article_version": 4,
        "edited": True,
        "edit_rate": edited.edit_rate,
    }
    assert 0 < first["edit_rate"] < 1 and first["event_id"] != second["event_id"]
    assert {key: second[key] for key in second if key not in ("timestamp", "event_id")} == {
        "event": SUGGESTION_SENT,
        "source": "console",
        "sender_id": "ticket-7",
        "ticket_id": 7,
        "suggestion": PAST_REPLY,
        "edited": False,
        "edit_rate": 0.0,
    }
    # Neither the reply's nor the draft's words, nor who sent it, go on the stream.
    for text in ("Jane", "Refunds", "parcel", "bob"):
        assert text not in json.dumps(published)
    # Analytics keeps it (analytics/events.py): the kind, the article, edited and the rate.
    stored = normalize(first)
    assert stored is not None
    assert (stored.name, stored.value, stored.text, stored.confidence) == (
        KB,
        EDITED,
        "refunds@4",
        edited.edit_rate,
    )


def test_a_reply_cannot_claim_a_draft_shown_for_another_conversation(db: Session) -> None:
    other = shown(db, 8, "Refunds reach your card within 5 to 10 business days.")
    with pytest.raises(ApiError) as refused:
        service.suggestion_for_reply(other.id, ticket_id=9, db_session=db)
    assert refused.value.status_code == 422 and refused.value.code == "unknown_suggestion"
    with pytest.raises(ApiError):
        service.suggestion_for_reply(999_999, ticket_id=8, db_session=db)
    assert service.suggestion_for_reply(other.id, ticket_id=8, db_session=db).id == other.id


def test_the_edit_rate_report_per_day(db: Session) -> None:
    monday, tuesday = date(2026, 11, 2), date(2026, 11, 3)
    first = shown(db, 1, "abcdefghij", shown_on=monday)
    second = shown(db, 1, "0123456789", shown_on=monday, kind=PAST_REPLY, source_ticket_id=4)
    shown(db, 2, "unused draft", shown_on=tuesday)

    def sent(on: date, text: str, draft: ShownSuggestion | None) -> SentReply:
        row = service.record_sent(1, text, agent=agent(), suggestion=draft, db_session=db)
        row.sent_on = on
        db.flush()
        return row

    a = sent(monday, "abcdefghij", first)  # as suggested: rate 0
    b = sent(monday, "01234", second)  # 5 deleted of 10: rate 0.5
    sent(monday, "typed by hand", None)
    c = sent(tuesday, "abcdefghijXXXXXXXXXX", first)  # 10 added: rate 0.5
    assert (a.edit_rate, b.edit_rate, c.edit_rate) == (0.0, 0.5, 0.5)

    report = service.edit_rate_report(date_from=monday - timedelta(days=1), date_to=tuesday, db_session=db)
    by_day = {day.day: day for day in report.days}
    assert [day.day for day in report.days] == [monday - timedelta(days=1), monday, tuesday]
    assert (by_day[monday].shown, by_day[monday].sent, by_day[monday].used) == (2, 3, 2)
    assert by_day[monday].mean_edit_rate == 0.25 and by_day[monday].mean_edit_distance == 2.5
    assert (by_day[tuesday].shown, by_day[tuesday].sent, by_day[tuesday].used) == (1, 1, 1)
    assert by_day[tuesday].mean_edit_rate == 0.5
    assert (
        by_day[monday - timedelta(days=1)].sent == 0
        and by_day[monday - timedelta(days=1)].mean_edit_rate is None
    )
    assert (report.shown, report.sent, report.used) == (3, 4, 3)
    assert report.mean_edit_rate == pytest.approx((0.0 + 0.5 + 0.5) / 3, abs=1e-4)

    with pytest.raises(ApiError) as backwards:
        service.edit_rate_report(date_from=tuesday, date_to=monday, db_session=db)
    assert backwards.value.status_code == 422
    with pytest.raises(ApiError):
        service.edit_rate_report(date_from=monday - timedelta(days=400), date_to=monday, db_session=db)


class StoredTickets:
    """The backend's ticket search, holding resolved tickets as given (to show what the console itself redacts)."""

    def __init__(self, tickets: List[Ticket]) -> None:
        self.tickets = tickets
        self.searches = 0

    def search(self, **_filters: Any) -> TicketPage:
        self.searches += 1
        return TicketPage(self.tickets, len(self.tickets))


def resolved(ticket_id: int, question: str, *replies: str) -> Ticket:
    at = datetime(2026, 11, 1, 10, 0)
    messages = [StoredMessage("customer", question, at)]
    messages += [StoredMessage("agent", f"Dana: {reply}", at) for reply in replies]
    return Ticket(
        ticket_id,
        "handoff",
        "handoff",
        "solved",
        "normal",
        None,
        None,
        None,
        {},
        "dana",
        at,
        at,
        None,
        at,
        messages,
    )


def test_past_replies_are_redacted_and_skip_notices_and_the_open_ticket() -> None:
    joined = Texts(CUSTOMER_RESPONSES).render("utter_agent_joined", agent_name="Dana")
    tickets = StoredTickets(
        [
            resolved(
                31,
                "my parcel to the lighthouse never arrived",
                joined,
                "ok",
                "Sorry the parcel to the lighthouse is late, Mrs Jane Holloway: I've opened a carrier claim and will "
                "email jane.holloway@example.org or call +44 7700 900123 once order 13579 is found.",
            ),
            resolved(
                32,
                "parcel to the lighthouse never arrived either",
                "I have refunded the lighthouse parcel in full.",
            ),
            resolved(33, "how do I change my password", "Use the reset link on the sign-in page."),
        ]
    )
    past = PastReplies(
        SimpleNamespace(ticketing=tickets),  # type: ignore[arg-type]
        notices=Texts(CUSTOMER_RESPONSES).templates.values(),
    )
    found = past.similar("Where is my parcel to the lighthouse?", exclude_ticket=32, limit=3)
    assert [reply.ticket_id for reply in found] == [31]
    text = found[0].text
    for secret in ("Holloway", "jane.holloway@example.org", "7700 900123", "13579"):
        assert secret not in text
    assert "[EMAIL]" in text and "[PHONE]" in text and "[ORDER]" in text
    assert text.startswith("Sorry the parcel to the lighthouse is late")  # the "Dana: " prefix is gone

    # The notice and the acknowledgement are never drafts, whatever the question.
    assert all("has joined the chat" not in r.text for r in past.similar(joined, exclude_ticket=0, limit=5))
    # A question about something else finds nothing from the parcel tickets.
    assert [r.ticket_id for r in past.similar("change my password please", exclude_ticket=0, limit=3)] == [33]
    assert tickets.searches == 1  # read once, searched three times


def test_past_replies_from_the_real_backend(sqlite_backend: BackendServer) -> None:
    tag = uuid.uuid4().hex[:6]
    question = f"Can the parcel go to the zeppelin hangar {tag} instead of my home?"
    source = resolved_with_replies(
        sqlite_backend.base_url,
        sqlite_backend.headers(),
        question,
        [f"Yes: I changed the delivery of order 14682 to the zeppelin hangar {tag}; it leaves tomorrow."],
    )
    stored = sqlite_backend.get(f"/v1/tickets/{source}").json()["messages"][-1]["body"]
    assert "14682" in stored  # the backend keeps order numbers readable for the agent who worked it

    api = BackendApi.connect(ServiceEndpoint(sqlite_backend.base_url, TOKENS["console"], 5, 30))
    found = PastReplies(api).similar(
        f"send my parcel to the zeppelin hangar {tag}", exclude_ticket=0, limit=2
    )
    assert found and found[0].ticket_id == source
    assert "14682" not in found[0].text and "[ORDER]" in found[0].text
    assert found[0].text.startswith("Yes: I changed the delivery")
