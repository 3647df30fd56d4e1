"""What customers ask for in the chat, after step-up verification, carried out from their tickets.

- **Erasure.** "Delete my account" opens an `account_deletion` ticket naming the verified customer. A privacy
  user may erase sooner, with a second person's approval (console/privacy). Otherwise, once the ticket is
  older than `ERASURE_COOLING_OFF_DAYS` and still open, the time the customer had to change their mind
  stands in for the second person: the erasure is recorded as a privacy request (requested by the ticket,
  approved by the cooling-off period), carried out in every store, and the ticket is solved.
- **A copy of their data.** "Send me a copy of my data" opens a `data_copy` ticket. The export is made at
  once (the customer proved who they are, and the link goes only to the email on file), kept as a privacy
  request, and a download link that works for `PRIVACY_DOWNLOAD_HOURS` is emailed to the address on file
  (emails.yml `privacy_data_copy`); the console serves it (console/privacy/downloads.py).

Tickets without a verified customer are never acted on here: an unproven claim erases or exports nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional

from sqlalchemy.orm import Session, sessionmaker

from clients.backend import BackendApi
from clients.backend.ticketing import Ticket
from common.retention_settings import ConversationKeySettings
from common.texts import MessageTemplates
from common.vocabulary import TicketCategory, TicketStatus
from console.privacy import service
from console.privacy.models import CARRIED_OUT, RequestIn
from console.privacy.service import StoresFor

PRIVACY_TEAM = "privacy"
DELETION_REQUESTED_BY = "deletion-ticket"
COPY_REQUESTED_BY = "customer-in-chat"
COPY_APPROVED_BY = "step-up-verification"


@dataclass(frozen=True)
class CustomerRequest:
    ticket_id: int
    customer_id: int
    request_id: Optional[int]  # None in a dry run


def approver_for(cooling_off: timedelta) -> str:
    return f"cooling-off-{cooling_off.days}-days"


def _each_verified_ticket(
    backend: BackendApi,
    sessions: sessionmaker,
    category: str,
    created_before: Optional[datetime],
    carry_out: Callable[[Ticket, Session], int],
    *,
    dry_run: bool,
) -> List[CustomerRequest]:
    """Open tickets of the category naming a verified customer: each carried out once (a privacy request
    per ticket), then solved; a ticket whose request a privacy user is still deciding is left alone."""
    page = backend.ticketing.search(
        status=TicketStatus.OPEN.value, category=category, created_to=created_before, page_size=100
    )
    done: List[CustomerRequest] = []
    for ticket in page.items:
        if ticket.customer_id is None or not ticket.customer_email:
            continue
        with sessions() as session:
            asked = service.by_ticket(ticket.id, db_session=session)
            if dry_run:
                if asked is None:
                    done.append(CustomerRequest(ticket.id, ticket.customer_id, None))
                continue
            if asked is None:
                request_id = carry_out(ticket, session)
                session.commit()
                done.append(CustomerRequest(ticket.id, ticket.customer_id, request_id))
            elif asked.status != CARRIED_OUT:
                continue
        # Carried out (now, or on a run that stopped before this): the ticket is done.
        backend.ticketing.claim(ticket.id, PRIVACY_TEAM)
        backend.ticketing.resolve(ticket.id, PRIVACY_TEAM)
    return done


def carry_out_due_deletions(
    backend: BackendApi,
    sessions: sessionmaker,
    *,
    stores_for: StoresFor,
    settings: ConversationKeySettings,
    cooling_off: timedelta,
    dry_run: bool,
    now: Optional[datetime] = None,
) -> List[CustomerRequest]:
    def erase(ticket: Ticket, session: Session) -> int:
        assert ticket.customer_id is not None
        body = RequestIn(
            kind="erasure",
            email=ticket.customer_email,
            phone=None,
            reason=f"deletion request ticket #{ticket.id}, cooling-off of {cooling_off.days} days passed",
            ticket_id=ticket.id,
        )
        request = service.create(
            body, ticket.customer_id, requested_by=DELETION_REQUESTED_BY, db_session=session
        )
        service.approve(
            request.id,
            approver=approver_for(cooling_off),
            stores_for=stores_for,
            export_dir=settings.export_dir,
            db_session=session,
        )
        return int(request.id)

    moment = now or datetime.now(timezone.utc)
    return _each_verified_ticket(
        backend, sessions, TicketCategory.ACCOUNT_DELETION.value, moment - cooling_off, erase, dry_run=dry_run
    )


def send_requested_copies(
    backend: BackendApi,
    sessions: sessionmaker,
    *,
    stores_for: StoresFor,
    settings: ConversationKeySettings,
    templates: MessageTemplates,
    dry_run: bool,
) -> List[CustomerRequest]:
    def export_and_email(ticket: Ticket, session: Session) -> int:
        assert ticket.customer_id is not None
        body = RequestIn(
            kind="export",
            email=ticket.customer_email,
            phone=None,
            reason=f"asked in the chat, ticket #{ticket.id}",
            ticket_id=ticket.id,
        )
        request = service.create(body, ticket.customer_id, requested_by=COPY_REQUESTED_BY, db_session=session)
        service.approve(
            request.id,
            approver=COPY_APPROVED_BY,
            stores_for=stores_for,
            export_dir=settings.export_dir,
            db_session=session,
        )
        token = service.issue_download(request, hours=settings.download_hours, db_session=session)
        message = templates.render(
            "privacy_data_copy",
            "email",
            link=f"{settings.download_url}/{token}",
            hours=settings.download_hours,
        )
        # Sent before the caller commits: if the email fails, nothing is recorded and the next run tries again.
        backend.ticketing.email_customer(ticket.id, message.subject, message.body)
        return int(request.id)

    return _each_verified_ticket(
        backend, sessions, TicketCategory.DATA_COPY.value, None, export_and_email, dry_run=dry_run
    )
