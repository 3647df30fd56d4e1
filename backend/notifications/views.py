"""HTTP routes for the outbox (used by developers and tests to read what was sent)."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from backend.dependencies import db_session
from backend.notifications import service
from backend.notifications.models import OutboxMessageRead
from backend.pagination import Page, PageParams, page_params, paginate

router = APIRouter(tags=["notifications"])


@router.get("/outbox", response_model=Page[OutboxMessageRead])
def list_outbox(
    recipient: Optional[str] = Query(None, max_length=320),
    template: Optional[str] = Query(None, max_length=60),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    return paginate(service.list_statement(recipient, template), params, db_session=session)
