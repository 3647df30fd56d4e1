"""Files customers send in the web chat to the person helping them (images and PDFs), kept outside any web root.

Stored by Rasa's socket.io channel (POST /webhooks/socketio/attachments), read by the console for logged-in
agents only (GET /api/attachments/<id>). The type is decided by the file's first bytes, never by its name or
the browser's claim; anything else is refused. Each file is `<id>` with `<id>.json` beside it (type, name,
size, conversation); ids are random, 128 bits.

A store given a `Sealer` (privacy/attachments.py: the conversation's own key) keeps the bytes and the name the
customer gave sealed: what they sent may be a bank statement, and erasing the conversation (destroying its key)
must leave nothing readable. Files written before sealing (no marker) are still read.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Optional, Protocol, Tuple

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")
NAME_MAX = 120
# Marks sealed bytes at the start of a file and a sealed name in the description.
SEALED_FILE_MARKER = b"FDSEALED1\n"
SEALED_NAME_PREFIX = "sealed:"

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


class Sealer(Protocol):
    """Encrypts what a conversation sent; `open` raises ValueError when it cannot (key destroyed, altered)."""

    def seal(self, conversation_id: str, plain: bytes) -> bytes: ...

    def open(self, conversation_id: str, sealed: bytes) -> bytes: ...


class AttachmentStore:
    def __init__(self, directory: Path, max_bytes: int, sealer: Optional[Sealer] = None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.sealer = sealer

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
        described = attachment
        if self.sealer is not None:
            data = SEALED_FILE_MARKER + self.sealer.seal(conversation_id, data)
            sealed_name = self.sealer.seal(conversation_id, attachment.name.encode())
            described = replace(
                attachment, name=SEALED_NAME_PREFIX + base64.urlsafe_b64encode(sealed_name).decode()
            )
        (self.directory / attachment.id).write_bytes(data)
        (self.directory / f"{attachment.id}.json").write_text(json.dumps(asdict(described)))
        return attachment

    def find(self, attachment_id: str) -> Optional[Tuple[Attachment, Path]]:
        """(Attachment, path of its stored bytes), or None for an unknown or malformed id, or one whose
        conversation was erased (its name no longer opens)."""
        if not ID_PATTERN.match(attachment_id):
            return None
        meta = self.directory / f"{attachment_id}.json"
        if not meta.is_file():
            return None
        attachment = Attachment(**json.loads(meta.read_text()))
        if attachment.name.startswith(SEALED_NAME_PREFIX):
            sealed_name = base64.urlsafe_b64decode(attachment.name[len(SEALED_NAME_PREFIX) :].encode())
            name = self._open(attachment.conversation_id, sealed_name)
            if name is None:
                return None
            attachment = replace(attachment, name=name.decode())
        return attachment, self.directory / attachment_id

    def read(self, attachment_id: str) -> Optional[Tuple[Attachment, bytes]]:
        """(Attachment, the bytes the customer sent), or None when unknown, gone or no longer readable."""
        found = self.find(attachment_id)
        if found is None or not found[1].is_file():
            return None
        attachment, path = found
        data: Optional[bytes] = path.read_bytes()
        if data is not None and data.startswith(SEALED_FILE_MARKER):
            data = self._open(attachment.conversation_id, data[len(SEALED_FILE_MARKER) :])
        return (attachment, data) if data is not None else None

    def _open(self, conversation_id: str, sealed: bytes) -> Optional[bytes]:
        if self.sealer is None:
            return None
        try:
            return self.sealer.open(conversation_id, sealed)
        except ValueError:
            return None
