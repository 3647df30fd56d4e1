"""The development outbox reader: what the store "sent" (codes, links), for people trying the demo and tests.

Only mounted in development (backend/app.py); production has no route that shows a code in clear. It plays
the customer's mailbox: an undelivered message shows its clear (sealed) body, a delivered one only the kept,
redacted body (the clear one is gone).
"""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from backend.dependencies import db_session
from backend.notifications import service
from backend.notifications.models import OutboxMessageRead
from backend.pagination import Page, PageParams, page_params, paginate
from backend.security import OUTBOX_READ, require_scope

router = APIRouter(tags=["notifications"], dependencies=[Depends(require_scope(OUTBOX_READ))])


@router.get("/outbox", response_model=Page[OutboxMessageRead])
def list_outbox(
    recipient: Optional[str] = Query(None, max_length=320),
    template: Optional[str] = Query(None, max_length=60),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    page = paginate(
        service.list_statement(recipient, template, db_session=session), params, db_session=session
    )
    page["items"] = [
        service.as_read(message, with_clear_body=True, db_session=session) for message in page["items"]
    ]
    return page
