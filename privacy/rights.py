"""The rights of access and erasure across every store, for one customer (a flow across domains, as the
backend's flows.py is).

A customer's conversations are the ones that verified as them (linked by the tracker store's key database)
and the ones handed to a person on their tickets; a conversation nobody verified is never linked to a claimed
account. For them:
- the backend (profile, orders, billing, tickets, outbox, identity) through its privacy routes;
- the tracker store (every event, opened with the conversation's key), then its keys destroyed;
- the event stream's copies (minimised already; deleted by conversation);
- the console's corrections and notes on their tickets, and the learning inbox's items;
- the action server's queue of handoffs not yet ticketed;
- the files they sent.

`export_bundle` writes everything as JSON files in one zip; `erase_everywhere` erases and returns a
receipt listing each store and the rows touched. Both only read or change the stores they are given.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Protocol, Set, Tuple

from sqlalchemy import delete, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.handoff_queue import pending as pending_handoffs
from clients.backend.privacy import ErasureReceipt
from common.attachments import Attachment, AttachmentStore
from common.event_stream import broker_events
from console.corrections.models import Correction
from console.inbox.models import InboxItem
from console.notes.models import TicketNote
from console.privacy.models import PrivacyRequest
from privacy import conversations
from privacy.attachments import ConversationSealer
from privacy.tracker_table import EVENTS


class BackendRights(Protocol):
    """The backend's privacy routes (clients/backend/privacy.py)."""

    def export(self, customer_id: int) -> Dict[str, Any]: ...

    def erase(self, customer_id: int, request_id: str) -> ErasureReceipt: ...


@dataclass
class Stores:
    """Where a customer's data may be; a store that is not configured here is left out (and says so)."""

    backend: BackendRights
    console: Session
    tracker: Optional[Engine]
    event_stream: Optional[Engine] = None
    handoff_queue: Optional[Engine] = None
    attachments_dir: Optional[Path] = None
    keys: Callable[[], conversations.ConversationKeys] = conversations.conversation_keys


@dataclass
class Receipt:
    request_id: str
    customer_id: int
    erased_at: str
    stores: List[Dict[str, Any]] = field(default_factory=list)

    def touched(self, store: str, action: str, rows: int) -> None:
        self.stores.append({"store": store, "action": action, "rows": rows})

    def as_dict(self) -> Dict[str, Any]:
        return {
            "request_id": self.request_id,
            "customer_id": self.customer_id,
            "erased_at": self.erased_at,
            "stores": self.stores,
        }


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _has_table(engine: Optional[Engine], name: str) -> bool:
    return engine is not None and inspect(engine).has_table(name)


def conversation_ids(customer_id: int, backend_data: Dict[str, Any], stores: Stores) -> List[str]:
    linked: Set[str] = set(stores.keys().conversations_of(str(customer_id)))
    for ticket in backend_data.get("tickets") or []:
        if isinstance(ticket, dict) and ticket.get("conversation_id"):
            linked.add(str(ticket["conversation_id"]))
    return sorted(linked)


def _ticket_ids(backend_data: Dict[str, Any]) -> List[int]:
    return [int(ticket["id"]) for ticket in backend_data.get("tickets") or [] if isinstance(ticket, dict)]


def _conversation_events(stores: Stores, sender_id: str) -> List[Dict[str, Any]]:
    if not _has_table(stores.tracker, "events"):
        return []
    assert stores.tracker is not None
    with stores.tracker.connect() as connection:
        rows = connection.execute(
            select(EVENTS.c.sender_id, EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id)
            .order_by(EVENTS.c.id)
        ).all()
    return [conversations.event_data(row.sender_id, row.data) for row in rows]


def _queued_handoffs(stores: Stores, senders: Iterable[str]) -> List[Dict[str, Any]]:
    if not _has_table(stores.handoff_queue, "pending_handoffs"):
        return []
    assert stores.handoff_queue is not None
    wanted = set(senders)
    with stores.handoff_queue.connect() as connection:
        rows = connection.execute(select(pending_handoffs)).all()
    found = []
    for row in rows:
        ticket = json.loads(row.ticket_json or "{}")
        if ticket.get("conversation_id") in wanted:
            found.append({"idempotency_key": row.idempotency_key, "ticket": ticket})
    return found


def _attachments(stores: Stores, senders: Iterable[str]) -> List[Path]:
    if stores.attachments_dir is None or not stores.attachments_dir.is_dir():
        return []
    wanted = set(senders)
    found = []
    for meta in sorted(stores.attachments_dir.glob("*.json")):
        try:
            if json.loads(meta.read_text()).get("conversation_id") in wanted:
                found.append(meta)
        except ValueError:
            continue
    return found


def _opened_attachments(stores: Stores, metas: List[Path]) -> List[Tuple[Attachment, bytes]]:
    """The files as the customer sent them (stored sealed with the conversation's key), names included."""
    if stores.attachments_dir is None:
        return []
    store = AttachmentStore(stores.attachments_dir, max_bytes=0, sealer=ConversationSealer(stores.keys()))
    opened = [store.read(meta.stem) for meta in metas]
    return [found for found in opened if found is not None]


def _row(row: Any) -> Dict[str, Any]:
    return {column.name: getattr(row, column.name) for column in row.__table__.columns}


def export_bundle(customer_id: int, stores: Stores, *, request_id: str) -> bytes:
    """Everything stored about the customer, as a zip of JSON files with a manifest."""
    backend_data = stores.backend.export(customer_id)
    senders = conversation_ids(customer_id, backend_data, stores)
    tickets = _ticket_ids(backend_data)
    files: Dict[str, Any] = {"backend.json": backend_data}
    for sender in senders:
        files[f"conversations/{sender}.json"] = _conversation_events(stores, sender)
    files["console.json"] = {
        "corrections": [_row(row) for row in _corrections(stores.console, tickets, senders)],
        "ticket_notes": [_row(row) for row in _notes(stores.console, tickets)],
        "inbox_items": [_row(row) for row in _inbox_items(stores.console, senders)],
    }
    files["handoff_queue.json"] = _queued_handoffs(stores, senders)
    attachments = _opened_attachments(stores, _attachments(stores, senders))
    files["attachments.json"] = [asdict(attachment) for attachment, _ in attachments]
    files["manifest.json"] = {
        "request_id": request_id,
        "customer_id": customer_id,
        "generated_at": _now(),
        "conversations": senders,
        "files": sorted(files) + [f"attachments/{attachment.id}" for attachment, _ in attachments],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            bundle.writestr(name, json.dumps(content, indent=2, default=str, sort_keys=True))
        for attachment, data in attachments:
            bundle.writestr(f"attachments/{attachment.id}", data)
    return buffer.getvalue()


def _corrections(console: Session, tickets: List[int], senders: List[str]) -> List[Correction]:
    if not tickets and not senders:
        return []
    query = select(Correction).where(
        Correction.ticket_id.in_(tickets) | Correction.conversation_id.in_(senders)
    )
    return list(console.execute(query).scalars())


def _earlier_exports(console: Session, customer_id: int) -> List[PrivacyRequest]:
    """Bundles made for this customer before (a privacy user's export, or their own copy)."""
    query = select(PrivacyRequest).where(
        PrivacyRequest.customer_id == customer_id, PrivacyRequest.bundle_path.is_not(None)
    )
    return list(console.execute(query).scalars())


def _notes(console: Session, tickets: List[int]) -> List[TicketNote]:
    return list(console.execute(select(TicketNote).where(TicketNote.ticket_id.in_(tickets))).scalars())


def _inbox_items(console: Session, senders: List[str]) -> List[InboxItem]:
    return list(console.execute(select(InboxItem).where(InboxItem.conversation_id.in_(senders))).scalars())


def erase_everywhere(customer_id: int, stores: Stores, *, request_id: str) -> Receipt:
    """Erase the customer from every store; the console session is flushed, the caller commits."""
    receipt = Receipt(request_id=request_id, customer_id=customer_id, erased_at=_now())
    backend_data = stores.backend.export(customer_id)  # what links to them, read before it is erased
    senders = conversation_ids(customer_id, backend_data, stores)
    tickets = _ticket_ids(backend_data)

    if stores.tracker is not None and _has_table(stores.tracker, "events"):
        erased = conversations.erase(stores.tracker, senders, keys=stores.keys())
        receipt.touched("rasa.conversation_keys", "destroyed", erased.keys_destroyed)
        receipt.touched("rasa.events", "deleted", erased.events_deleted)
    if stores.event_stream is not None and _has_table(stores.event_stream, "events") and senders:
        with stores.event_stream.begin() as connection:
            result = connection.execute(delete(broker_events).where(broker_events.c.sender_id.in_(senders)))
        receipt.touched("event_stream.events", "deleted", int(result.rowcount or 0))
    for name, rows in (
        ("console.corrections", _corrections(stores.console, tickets, senders)),
        ("console.ticket_notes", _notes(stores.console, tickets)),
        ("console.inbox_items", _inbox_items(stores.console, senders)),
    ):
        for row in rows:
            stores.console.delete(row)
        receipt.touched(name, "deleted", len(rows))
    stores.console.flush()
    queued = _queued_handoffs(stores, senders)
    if queued and stores.handoff_queue is not None:
        keys = [entry["idempotency_key"] for entry in queued]
        with stores.handoff_queue.begin() as connection:
            connection.execute(delete(pending_handoffs).where(pending_handoffs.c.idempotency_key.in_(keys)))
    receipt.touched("actions.pending_handoffs", "deleted", len(queued))
    exports = _earlier_exports(stores.console, customer_id)
    for request in exports:
        Path(request.bundle_path).unlink(missing_ok=True)
        request.bundle_path = None
        request.download_token_sha256 = None
    stores.console.flush()
    receipt.touched("console.privacy_exports", "deleted", len(exports))
    attachments = _attachments(stores, senders)
    for meta in attachments:
        meta.with_suffix("").unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
    receipt.touched("attachments", "deleted", len(attachments))
    # Last, so a failure above can be retried with the backend's links still there; the backend queues the
    # confirmation email to the customer's address before it anonymises them.
    for entry in stores.backend.erase(customer_id, request_id).stores:
        receipt.touched(entry.store, entry.action, entry.rows)
    return receipt
