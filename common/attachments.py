"""Files customers send in the web chat to the person helping them (images and PDFs), kept outside any web root.

Stored by Rasa's socket.io channel (POST /webhooks/socketio/attachments), read by the console for logged-in
agents only (GET /api/attachments/<id>). The type is decided by the file's first bytes, never by its name or
the browser's claim; anything else is refused. Each file is `<id>` with `<id>.json` beside it (type, name,
size, conversation); ids are random, 128 bits.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")
NAME_MAX = 120

# Signatures of the types we accept (content sniffing), with the type each means.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


class AttachmentRefused(Exception):
    """Not stored: `reason` is too_large, empty or unsupported_type."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    id: str
    content_type: str
    name: str
    size: int
    conversation_id: str


def sniff(data: bytes) -> Optional[str]:
    """The type the bytes are, among the accepted ones; None for anything else."""
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_name(name: str) -> str:
    """A display name: no path, no control characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    printable = "".join(ch for ch in base if ch.isprintable()).strip()
    return printable[:NAME_MAX] or "file"


class AttachmentStore:
    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def save(self, data: bytes, name: str, conversation_id: str) -> Attachment:
        if len(data) > self.max_bytes:
            raise AttachmentRefused("too_large")
        if not data:
            raise AttachmentRefused("empty")
        content_type = sniff(data)
        if content_type is None:
            raise AttachmentRefused("unsupported_type")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        attachment = Attachment(
            id=secrets.token_urlsafe(16),
            content_type=content_type,
            name=clean_name(name),
            size=len(data),
            conversation_id=conversation_id,
        )
        (self.directory / attachment.id).write_bytes(data)
        (self.directory / f"{attachment.id}.json").write_text(json.dumps(asdict(attachment)))
        return attachment

    def find(self, attachment_id: str) -> Optional[tuple]:
        """(Attachment, path of its bytes), or None for an unknown or malformed id."""
        if not ID_PATTERN.match(attachment_id):
            return None
        meta = self.directory / f"{attachment_id}.json"
        if not meta.is_file():
            return None
        return Attachment(**json.loads(meta.read_text())), self.directory / attachment_id
