"""What the console's transcript shows of a file a customer sent: its name, type, size and address.

Read from the store, not from the message's metadata: the store knows what the file really is (typed by its
content) and which conversation sent it, so a message naming another conversation's file shows nothing.
"""

from __future__ import annotations

from typing import Optional, TypedDict

from privacy.attachments import attachment_store


class ShownAttachment(TypedDict):
    url: str  # GET /api/attachments/<id>: logged-in agents only
    name: str
    content_type: str
    size: int  # bytes


def shown_attachment(attachment_id: Optional[str], conversation_id: str) -> Optional[ShownAttachment]:
    """The attachment as the transcript shows it; None when there is none, it is gone (retention) or not this
    conversation's."""
    if not attachment_id:
        return None
    found = attachment_store().find(attachment_id)
    if found is None or not found[1].is_file() or found[0].conversation_id != conversation_id:
        return None
    meta = found[0]
    return {
        "url": f"/api/attachments/{meta.id}",
        "name": meta.name,
        "content_type": meta.content_type,
        "size": meta.size,
    }
