"""The one console route a customer opens: their own copy of their data, by the link emailed to the address
on file (privacy/customer_requests.py). No login: the 256-bit token is the key, kept only as a hash, and it
stops working after PRIVACY_DOWNLOAD_HOURS. Unknown, expired and erased all answer the same 404."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from sqlalchemy.orm import Session

from console.dependencies import db_session
from console.privacy import service

router = APIRouter(tags=["privacy"])
# A link token is 43 URL-safe characters (secrets.token_urlsafe(32)); anything else is not one.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"


@router.get("/privacy/downloads/{token}", include_in_schema=False)
def download(token: str, request: Request, session: Session = Depends(db_session)) -> Response:
    path = service.by_download_token(token, db_session=session) if re.match(TOKEN_PATTERN, token) else None
    if path is None:
        # emails.yml, with every other sentence a customer reads.
        gone = request.app.state.emails.render("privacy_download_gone", "web")
        return PlainTextResponse(gone.body, status_code=404, headers={"Cache-Control": "no-store"})
    return FileResponse(
        path,
        media_type="application/zip",
        filename="your-data.zip",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
