"""GET /api/attachments/<id>: a file a web chat customer sent (channels/attachments.py), for logged-in agents only.

Served with the type found from its content when it was stored, never sniffed again by the browser, as a download
for PDFs and inline only for images, in a sandbox: a crafted file cannot run anything in the console's origin.
The file is kept sealed with its conversation's key (privacy/attachments.py) and opened here for the agent.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from common.errors import ApiError
from console.agents.models import Agent
from console.dependencies import current_agent
from privacy.attachments import attachment_store

router = APIRouter(prefix="/api", tags=["attachments"])


def content_disposition(disposition: str, name: str) -> str:
    """As Starlette's FileResponse writes it: RFC 5987 encoding when the name is not plain ASCII."""
    quoted = quote(name)
    if quoted != name:
        return f"{disposition}; filename*=utf-8''{quoted}"
    return f'{disposition}; filename="{name}"'


@router.get("/attachments/{attachment_id}", response_model=None)
def attachment(attachment_id: str, _agent: Agent = Depends(current_agent)) -> Response:
    found = attachment_store().read(attachment_id)
    if found is None:
        raise ApiError(404, "not_found", "No such attachment.")
    meta, data = found
    disposition = "inline" if meta.content_type.startswith("image/") else "attachment"
    return Response(
        data,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": content_disposition(disposition, meta.name),
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
