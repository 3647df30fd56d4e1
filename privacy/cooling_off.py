"""Deletion requests customers made to the bot, carried out once their cooling-off period has passed.

"Delete my account" (after step-up verification) opens an `account_deletion` ticket naming the verified
customer. A privacy user may erase sooner, with a second person's approval (console/privacy). Otherwise,
once the ticket is older than `ERASURE_COOLING_OFF_DAYS` and still open, the time the customer had to change
their mind stands in for the second person: the erasure is recorded as a privacy request (requested by the
ticket, approved by the cooling-off period), carried out in every store, and the ticket is solved. Tickets
without a verified customer are never acted on here: an unproven claim erases nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clients.backend import BackendApi
from common.vocabulary import TicketStatus
from console.privacy import service
from console.privacy.models import CARRIED_OUT, PrivacyRequest, RequestIn
from console.privacy.service import StoresFor

DELETION_CATEGORY = "account_deletion"
REQUESTED_BY = "deletion-ticket"
PRIVACY_TEAM = "privacy"


@dataclass(frozen=True)
class DueDeletion:
    ticket_id: int
    customer_id: int
    request_id: Optional[int]  # None in a dry run


def approver_for(cooling_off: timedelta) -> str:
    return f"cooling-off-{cooling_off.days}-days"


def carry_out_due_deletions(
    backend: BackendApi,
    sessions: sessionmaker,
    *,
    stores_for: StoresFor,
    export_dir: Path,
    cooling_off: timedelta,
    dry_run: bool,
    now: Optional[datetime] = None,
) -> List[DueDeletion]:
    moment = now or datetime.now(timezone.utc)
    page = backend.ticketing.search(
        status=TicketStatus.OPEN.value,
        category=DELETION_CATEGORY,
        created_to=moment - cooling_off,
        page_size=100,
    )
    done: List[DueDeletion] = []
    for ticket in page.items:
        if ticket.customer_id is None or not ticket.customer_email:
            continue
        with sessions() as session:
            asked = _request_for(ticket.id, session)
            if dry_run:
                if asked is None:
                    done.append(DueDeletion(ticket.id, ticket.customer_id, None))
                continue
            if asked is None:
                body = RequestIn(
                    kind="erasure",
                    email=ticket.customer_email,
                    phone=None,
                    reason=f"deletion request ticket #{ticket.id}, cooling-off of {cooling_off.days} days passed",
                    ticket_id=ticket.id,
                )
                request = service.create(
                    body, ticket.customer_id, requested_by=REQUESTED_BY, db_session=session
                )
                service.approve(
                    request.id,
                    approver=approver_for(cooling_off),
                    stores_for=stores_for,
                    export_dir=export_dir,
                    db_session=session,
                )
                session.commit()
                done.append(DueDeletion(ticket.id, ticket.customer_id, request.id))
            elif asked.status != CARRIED_OUT:
                continue  # a privacy user is deciding it
        # Carried out (now, or on a run that stopped before this): the ticket is done.
        backend.ticketing.claim(ticket.id, PRIVACY_TEAM)
        backend.ticketing.resolve(ticket.id, PRIVACY_TEAM)
    return done


def _request_for(ticket_id: int, session: Session) -> Optional[PrivacyRequest]:
    return session.scalars(select(PrivacyRequest).where(PrivacyRequest.ticket_id == ticket_id)).first()
