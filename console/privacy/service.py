"""The rules of data-subject requests: one `privacy` user asks, a second one approves and the console
carries it out (privacy/rights.py), or rejects it. Every step goes to the audit log in the same transaction.

Plain functions with a keyword-only `db_session`; they flush, the caller commits (backend/app.py's rule).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.database import utcnow
from common.errors import ApiError
from console.audit import service as audit
from console.privacy.models import (
    CARRIED_OUT,
    ERASURE,
    EXPORT,
    PENDING,
    REJECTED,
    PrivacyRequest,
    RequestIn,
    subject_of,
)
from privacy import rights

AUDIT_PREFIX = "privacy_"
StoresFor = Callable[[Session], rights.Stores]


def _audit(actor: str, action: str, request: PrivacyRequest, *, db_session: Session, **details: Any) -> None:
    details = {"request": request.id, "kind": request.kind, "customer_id": request.customer_id, **details}
    audit.record(
        actor,
        AUDIT_PREFIX + action,
        ticket_id=request.ticket_id,
        details=json.dumps(details, sort_keys=True),
        db_session=db_session,
    )


def by_id(request_id: int, *, db_session: Session) -> PrivacyRequest:
    request = db_session.get(PrivacyRequest, request_id)
    if request is None:
        raise ApiError(404, "request_not_found", f"No privacy request #{request_id}.")
    return request


def by_ticket(ticket_id: int, *, db_session: Session) -> Optional[PrivacyRequest]:
    """The request carrying out a customer's ticket (deletion or copy), if there is one."""
    return db_session.scalars(select(PrivacyRequest).where(PrivacyRequest.ticket_id == ticket_id)).first()


def listing(*, db_session: Session, limit: int = 100) -> List[PrivacyRequest]:
    return list(db_session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id.desc()).limit(limit)))


def create(body: RequestIn, customer_id: int, *, requested_by: str, db_session: Session) -> PrivacyRequest:
    request = PrivacyRequest(
        kind=body.kind,
        customer_id=customer_id,
        subject=subject_of(body.email, body.phone),
        reason=body.reason.strip(),
        ticket_id=body.ticket_id,
        requested_by=requested_by,
        status=PENDING,
    )
    db_session.add(request)
    db_session.flush()
    _audit(requested_by, "requested", request, db_session=db_session)
    return request


def _decidable(request: PrivacyRequest, decider: str) -> None:
    if request.status != PENDING:
        raise ApiError(409, "already_decided", f"Request #{request.id} is {request.status}.")
    if decider == request.requested_by:
        raise ApiError(
            403, "maker_checker", "A second person must approve a privacy request: you asked for this one."
        )


def approve(
    request_id: int, *, approver: str, stores_for: StoresFor, export_dir: Path, db_session: Session
) -> PrivacyRequest:
    """Carry the request out. An erasure's receipt, or an export's bundle, is kept with the request."""
    request = by_id(request_id, db_session=db_session)
    _decidable(request, approver)
    stores = stores_for(db_session)
    request_key = f"privacy-request-{request.id}"
    if request.kind == EXPORT:
        bundle = rights.export_bundle(request.customer_id, stores, request_id=request_key)
        request.bundle_path = str(_write_bundle(export_dir, request.id, bundle))
        request.result = json.dumps({"bytes": len(bundle)})
    elif request.kind == ERASURE:
        receipt = rights.erase_everywhere(request.customer_id, stores, request_id=request_key)
        request.result = json.dumps(receipt.as_dict(), sort_keys=True)
    request.status = CARRIED_OUT
    request.decided_by = approver
    request.decided_at = utcnow()
    db_session.flush()
    _audit(approver, "carried_out", request, db_session=db_session)
    return request


def reject(request_id: int, *, decider: str, note: str, db_session: Session) -> PrivacyRequest:
    request = by_id(request_id, db_session=db_session)
    _decidable(request, decider)
    request.status = REJECTED
    request.decided_by = decider
    request.decided_at = utcnow()
    request.result = json.dumps({"note": note})
    db_session.flush()
    _audit(decider, "rejected", request, db_session=db_session)
    return request


def issue_download(request: PrivacyRequest, *, hours: int, db_session: Session) -> str:
    """A link token for the customer's own copy: only its hash is kept; it works for `hours`."""
    if request.kind != EXPORT or request.status != CARRIED_OUT:
        raise ApiError(409, "no_export", f"Request #{request.id} is not a carried-out export.")
    token = secrets.token_urlsafe(32)
    request.download_token_sha256 = hashlib.sha256(token.encode()).hexdigest()
    request.download_expires_at = utcnow() + timedelta(hours=hours)
    db_session.flush()
    return token


def by_download_token(token: str, *, db_session: Session) -> Optional[Path]:
    """The bundle a customer's link opens; None when the token is unknown, expired or the bundle is gone."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    request = db_session.scalars(
        select(PrivacyRequest).where(PrivacyRequest.download_token_sha256 == digest)
    ).first()
    if request is None or request.download_expires_at is None or request.download_expires_at < utcnow():
        return None
    return bundle_of(request)


def bundle_of(request: PrivacyRequest) -> Optional[Path]:
    path = Path(request.bundle_path) if request.bundle_path else None
    return path if path is not None and path.is_file() else None


def _write_bundle(export_dir: Path, request_id: int, bundle: bytes) -> Path:
    export_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = export_dir / f"request-{request_id}-{secrets.token_hex(8)}.zip"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(bundle)
    return path
