"""GET /api/attachments/<id>: a file a web chat customer sent (channels/attachments.py), for logged-in agents only.

Served with the type found from its content when it was stored, never sniffed again by the browser, as a download
for PDFs and inline only for images, in a sandbox: a crafted file cannot run anything in the console's origin.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from common.attachments import AttachmentStore
from common.errors import ApiError
from common.settings import attachment_settings
from console.agents.models import Agent
from console.dependencies import current_agent

router = APIRouter(prefix="/api", tags=["attachments"])


@router.get("/attachments/{attachment_id}", response_model=None)
def attachment(attachment_id: str, _agent: Agent = Depends(current_agent)) -> FileResponse:
    settings = attachment_settings()
    found = AttachmentStore(settings.directory, settings.max_bytes).find(attachment_id)
    if found is None or not found[1].is_file():
        raise ApiError(404, "not_found", "No such attachment.")
    meta, path = found
    disposition = "inline" if meta.content_type.startswith("image/") else "attachment"
    return FileResponse(
        path,
        media_type=meta.content_type,
        filename=meta.name,
        content_disposition_type=disposition,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
