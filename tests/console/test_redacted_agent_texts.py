"""What agents write and quote is stored redacted (console corrections and private notes): the customer's
details go, the store's own order and invoice numbers stay readable, and the learning inbox still finds the
corrected message in the tracker store by its (redacted) text."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.corrections.models import Correction
from console.corrections.service import record as record_correction
from console.inbox import service as inbox
from console.inbox.models import InboxItem
from console.notes.service import add_note, notes
from tests.console.test_inbox_service import SURE, FakeTracker, session, tracker  # noqa: F401 - fixtures

CARD = "4124 9817 2011 0489"
EMAIL = "ottoline.vasquez@example.net"
QUOTED = f"my card {CARD} was charged twice for ORD-48213, mail me at {EMAIL}"


def test_a_correction_keeps_no_personal_data_and_still_reaches_the_inbox(
    tracker: FakeTracker,  # noqa: F811 - the fixture imported above
    session: Session,  # noqa: F811
) -> None:
    tracker.user("c9", QUOTED, SURE)
    tracker.bot("c9", "Your order ORD-48213 ships today.")
    record_correction(
        ticket_id=9, conversation_id="c9", bot_text="Your order ORD-48213 ships today.", bot_timestamp=None,
        customer_text=QUOTED, correction=f"Refund the double charge on {CARD} for ORD-48213, then email {EMAIL}",
        agent="bob", db_session=session,
    )  # fmt: skip
    stored = session.execute(select(Correction)).scalar_one()
    as_stored = json.dumps([stored.customer_text, stored.correction, stored.bot_text])
    assert CARD not in as_stored and EMAIL not in as_stored and "9817" not in as_stored
    assert stored.customer_text == "my card [CARD] was charged twice for ORD-48213, mail me at [EMAIL]"
    assert "ORD-48213" in stored.correction and "[CARD]" in stored.correction

    inbox.sync(db_session=session, tracker_engine=tracker.reader())
    items = list(session.execute(select(InboxItem)).scalars())
    corrected = [item for item in items if "agent_correction" in item.source_list()]
    assert len(corrected) == 1
    # Found in the tracker (its ranking kept), redacted as the inbox redacts its messages.
    assert json.loads(corrected[0].ranking or "[]"), "matched the tracker's own event"
    assert corrected[0].text.startswith("my card [CARD] was charged twice for ")
    assert corrected[0].text.endswith(", mail me at [EMAIL]")
    assert CARD not in (corrected[0].note or "") and "[CARD]" in (corrected[0].note or "")


def test_a_note_is_stored_redacted(session: Session) -> None:  # noqa: F811
    add_note(
        4,
        "bob",
        f"Called back on +44 20 7946 0958 about INV-2024-0042; card {CARD} blocked",
        db_session=session,
    )
    [note] = notes(4, db_session=session)
    assert note.body == "Called back on [PHONE] about INV-2024-0042; card [CARD] blocked"
