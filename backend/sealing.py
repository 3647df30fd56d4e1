"""Secrets the backend has to keep for a while, stored sealed (AES-GCM) instead of in clear.

Two stores use it:
- the outbox (backend/notifications) keeps a message's clear body sealed with the server's storage secret
  until a relay delivers it, then only the redacted body;
- idempotency keys (backend/idempotency) keep the response to replay sealed with a key derived from the
  client's Idempotency-Key *and* the storage secret; the row stores only a keyed hash of the Idempotency-Key,
  so neither the row alone nor the row with the secret opens the body: only a retry carrying the key does.

Each key is HMAC-SHA256(storage secret, purpose + context), so one purpose's key never opens another's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Optional

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from common.settings import backend_settings

SEALED_PREFIX = "sealed-v1:"
NONCE_BYTES = 12
# Where a session finds the secret: create_app puts it in the session factory's info (backend/app.py).
SECRET_INFO_KEY = "storage_secret"


class SealBroken(ValueError):
    """A sealed value that does not open with this key (another secret, or tampered with)."""


def derive(secret: str, purpose: str, context: str = "") -> bytes:
    """A 256-bit key (or keyed hash) for one purpose and context."""
    return hmac.new(secret.encode(), f"{purpose}\x00{context}".encode(), hashlib.sha256).digest()


def seal(key: bytes, plaintext: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def is_sealed(value: Optional[str]) -> bool:
    return bool(value) and str(value).startswith(SEALED_PREFIX)


def open_sealed(key: bytes, value: str) -> str:
    if not is_sealed(value):
        raise SealBroken("not a sealed value")
    raw = base64.urlsafe_b64decode(value[len(SEALED_PREFIX) :].encode())
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except InvalidTag as exc:
        raise SealBroken("the sealed value does not open with this key") from exc


def storage_secret(db_session: Optional[Session] = None) -> str:
    """The server's storage secret (BACKEND_STORAGE_SECRET): the app's, else this process's settings."""
    if db_session is not None and db_session.info.get(SECRET_INFO_KEY):
        return str(db_session.info[SECRET_INFO_KEY])
    return backend_settings().storage_secret
