"""One encryption key per conversation, kept apart from the conversation.

Rasa's tracker store (privacy/tracker_store.py) encrypts every event of a conversation with that
conversation's own key. Destroying the key erases the conversation everywhere its ciphertext went: the
tracker store, its replicas and its backups. So the keys live in their own database
(`CONVERSATION_KEYS_URL`, never the tracker store's), whose backups should be kept for days, not months:
erasure is complete once the last backup holding the key has expired.

Each key is stored wrapped (AES-GCM) under `CONVERSATION_KEY_SECRET`, bound to its conversation id, so a
copy of the key database alone reveals nothing either. A conversation is linked to the customer it verified
as (`customer_id`), which is how export and erasure find a customer's conversations.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from typing import Iterable, List, Optional

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Float, LargeBinary, MetaData, String, Table, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import QueuePool

from common.database import make_engine

KEY_BYTES = 32
NONCE_BYTES = 12
# Marks a sealed value; data written before encryption (plain JSON) is still read.
SEALED_PREFIX = "fdenc1:"

_metadata = MetaData()
CONVERSATION_KEYS = Table(
    "conversation_keys",
    _metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    # The backend customer this conversation verified as (None until it does).
    Column("customer_id", String(64), index=True),
)


class UnreadableEvent(ValueError):
    """A sealed value whose key is gone (the conversation was erased) or that was altered."""


def keys_url(location: str) -> str:
    """A SQLAlchemy URL, or a path to a local SQLite file (Rasa's endpoints.yml passes paths)."""
    return location if "://" in location else f"sqlite:///{location}"


class ConversationKeys:
    """The key database: creates, unwraps, links and destroys conversation keys."""

    def __init__(self, url: str, secret: str) -> None:
        # Pooled: Rasa reads a key on every load and save of a conversation, and SQLAlchemy 1.4 would open
        # (and set up) a new connection to a SQLite file each time.
        self.engine: Engine = make_engine(keys_url(url), poolclass=QueuePool)
        _metadata.create_all(self.engine)
        self._wrapping = AESGCM(hashlib.sha256(secret.encode()).digest())

    def key(self, sender_id: str, *, create: bool) -> Optional[bytes]:
        """The conversation's key; a new one when it has none and `create` is set."""
        with self.engine.connect() as connection:
            wrapped = connection.execute(
                select(CONVERSATION_KEYS.c.wrapped_key).where(CONVERSATION_KEYS.c.sender_id == sender_id)
            ).scalar_one_or_none()
        if wrapped is not None:
            return self._unwrap(sender_id, wrapped)
        if not create:
            return None
        key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    CONVERSATION_KEYS.insert().values(
                        sender_id=sender_id, wrapped_key=self._wrap(sender_id, key), created_at=time.time()
                    )
                )
        except IntegrityError:  # another replica created it first: use theirs
            return self.key(sender_id, create=False)
        return key

    def link_customer(self, sender_id: str, customer_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(CONVERSATION_KEYS)
                .where(CONVERSATION_KEYS.c.sender_id == sender_id)
                .values(customer_id=customer_id)
            )

    def conversations_of(self, customer_id: str) -> List[str]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(CONVERSATION_KEYS.c.sender_id)
                # "1.0": links written before ids were normalised (the slot is a float slot).
                .where(CONVERSATION_KEYS.c.customer_id.in_([customer_id, f"{customer_id}.0"]))
                .order_by(CONVERSATION_KEYS.c.created_at)
            )
            return [row.sender_id for row in rows]

    def destroy(self, sender_ids: Iterable[str]) -> int:
        """Crypto-erasure: every copy of these conversations' events becomes unreadable."""
        ids = list(sender_ids)
        if not ids:
            return 0
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(CONVERSATION_KEYS).where(CONVERSATION_KEYS.c.sender_id.in_(ids))
            )
        return int(result.rowcount or 0)

    def created_before(self, epoch: float, *, after: str = "", limit: int = 500) -> List[str]:
        """Conversation ids with a key older than `epoch`, in id order after `after` (for batches)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(CONVERSATION_KEYS.c.sender_id)
                .where(CONVERSATION_KEYS.c.created_at < epoch, CONVERSATION_KEYS.c.sender_id > after)
                .order_by(CONVERSATION_KEYS.c.sender_id)
                .limit(limit)
            )
            return [row.sender_id for row in rows]

    def _wrap(self, sender_id: str, key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._wrapping.encrypt(nonce, key, sender_id.encode())

    def _unwrap(self, sender_id: str, wrapped: bytes) -> bytes:
        try:
            return self._wrapping.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], sender_id.encode())
        except InvalidTag as error:
            raise UnreadableEvent(
                f"the key of conversation {sender_id!r} does not open with CONVERSATION_KEY_SECRET"
            ) from error


def seal_bytes(key: bytes, sender_id: str, plain: bytes) -> bytes:
    """`plain` encrypted with the conversation's key and bound to its id (a row or file moved to another
    conversation does not open): a random nonce, then the ciphertext and its tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plain, sender_id.encode())


def open_sealed_bytes(key: Optional[bytes], sender_id: str, sealed: bytes) -> bytes:
    if key is None:
        raise UnreadableEvent(f"conversation {sender_id!r} has no key (erased)")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], sender_id.encode())
    except InvalidTag as error:
        raise UnreadableEvent(f"a value of conversation {sender_id!r} does not open with its key") from error


def seal(key: bytes, sender_id: str, plain: str) -> str:
    """Text sealed with `seal_bytes`, as a marked string (tracker rows are text)."""
    return SEALED_PREFIX + base64.urlsafe_b64encode(seal_bytes(key, sender_id, plain.encode())).decode(
        "ascii"
    )


def is_sealed(value: Optional[str]) -> bool:
    return bool(value) and str(value).startswith(SEALED_PREFIX)


def open_sealed(key: Optional[bytes], sender_id: str, value: str) -> str:
    raw = base64.urlsafe_b64decode(value[len(SEALED_PREFIX) :].encode("ascii"))
    return open_sealed_bytes(key, sender_id, raw).decode()
