"""Data-subject requests: a customer's export (right of access) or erasure, asked for by one `privacy` user
and carried out only when a second one approves (maker-checker), with the receipt kept."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Literal, Optional

from pydantic import BaseModel, Field, root_validator
from sqlalchemy import Column, DateTime, Integer, String, Text

from common.database import utcnow
from common.masking import mask_identifier
from console.database import Base

EXPORT = "export"
ERASURE = "erasure"
RequestKind = Literal["export", "erasure"]
PENDING = "pending"
CARRIED_OUT = "carried_out"
REJECTED = "rejected"
FAILED = "failed"


class PrivacyRequest(Base):
    __tablename__ = "privacy_requests"

    id = Column(Integer, primary_key=True)
    kind = Column(String(10), nullable=False)
    customer_id = Column(Integer, nullable=False, index=True)
    # What people see of whom it is about (the address masked); the backend holds the rest.
    subject = Column(String(200), nullable=False)
    reason = Column(Text, nullable=False)
    # The deletion-request ticket this carries out, when it came from one.
    ticket_id = Column(Integer, nullable=True)
    requested_by = Column(String(100), nullable=False)
    requested_at = Column(DateTime, nullable=False, default=utcnow)
    decided_by = Column(String(100), nullable=True)
    decided_at = Column(DateTime, nullable=True)
    status = Column(String(12), nullable=False, default=PENDING, index=True)
    # The erasure receipt (each store, the rows touched) or the export's summary, as JSON.
    result = Column(Text, nullable=True)
    # An export's bundle (a zip under the console's private folder), deleted with the export's retention.
    bundle_path = Column(String(500), nullable=True)
    # A customer's own request (the bot, after step-up): the emailed link's token, hashed, and its expiry.
    download_token_sha256 = Column(String(64), nullable=True, unique=True)
    download_expires_at = Column(DateTime, nullable=True)


class RequestIn(BaseModel):
    kind: RequestKind
    email: Optional[str] = Field(None, max_length=254)
    phone: Optional[str] = Field(None, max_length=40)
    reason: str = Field(..., min_length=3, max_length=500)
    ticket_id: Optional[int] = Field(None, ge=1)

    @root_validator(skip_on_failure=True)
    def _one_way_to_find_them(cls, values: Dict[str, Any]) -> Dict[str, Any]:  # noqa: N805
        if not (values.get("email") or "").strip() and not (values.get("phone") or "").strip():
            raise ValueError("give the customer's email or phone")
        return values


class DecisionIn(BaseModel):
    note: str = Field("", max_length=500)


class RequestRead(BaseModel):
    id: int
    kind: str
    customer_id: int
    subject: str
    reason: str
    ticket_id: Optional[int]
    requested_by: str
    requested_at: datetime
    decided_by: Optional[str]
    decided_at: Optional[datetime]
    status: str
    result: Optional[Dict[str, Any]]
    has_bundle: bool

    @classmethod
    def from_row(cls, row: PrivacyRequest) -> RequestRead:
        return cls(
            id=row.id,
            kind=row.kind,
            customer_id=row.customer_id,
            subject=row.subject,
            reason=row.reason,
            ticket_id=row.ticket_id,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            status=row.status,
            result=json.loads(row.result) if row.result else None,
            has_bundle=bool(row.bundle_path),
        )


def subject_of(email: Optional[str], phone: Optional[str]) -> str:
    return mask_identifier((email or phone or "").strip())


RequestList = List[RequestRead]
