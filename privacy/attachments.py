"""Customers' attachments sealed with their conversation's key (privacy/keys.py), so erasing a conversation
(destroying its key) leaves its files unreadable wherever they were copied: disk, backups, replicas.

The web chat channel stores through `attachment_store()` and the console reads through it; both processes
reach the key database (CONVERSATION_KEYS_DB, CONVERSATION_KEY_SECRET).
"""

from __future__ import annotations

from typing import Optional

from common.attachments import AttachmentStore
from common.settings import attachment_settings
from privacy.conversations import conversation_keys
from privacy.keys import ConversationKeys, open_sealed_bytes, seal_bytes


class ConversationSealer:
    """common/attachments.py's Sealer with the conversation keys; `open` raises UnreadableEvent (a
    ValueError) once the key is destroyed."""

    def __init__(self, keys: Optional[ConversationKeys] = None) -> None:
        self._keys = keys

    @property
    def keys(self) -> ConversationKeys:
        return self._keys or conversation_keys()

    def seal(self, conversation_id: str, plain: bytes) -> bytes:
        key = self.keys.key(conversation_id, create=True)
        assert key is not None  # created when missing
        return seal_bytes(key, conversation_id, plain)

    def open(self, conversation_id: str, sealed: bytes) -> bytes:
        return open_sealed_bytes(self.keys.key(conversation_id, create=False), conversation_id, sealed)


def attachment_store(keys: Optional[ConversationKeys] = None) -> AttachmentStore:
    """The configured store (ATTACHMENTS_DIR, ATTACHMENT_MAX_BYTES), sealing with the conversation keys."""
    settings = attachment_settings()
    return AttachmentStore(settings.directory, settings.max_bytes, ConversationSealer(keys))
