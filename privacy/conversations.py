"""Reading and erasing conversations kept by the encrypted tracker store, outside Rasa.

The console reads Rasa's `events` table directly (the inbox, bot-only history, the gate's replay): each
row's `data` goes through `event_data`, which opens sealed rows with the conversation's key. Erasure
destroys the keys first (every copy, backups included, becomes unreadable at once), then deletes the rows.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from common.retention_settings import conversation_key_settings
from privacy.keys import ConversationKeys, UnreadableEvent, is_sealed, open_sealed
from privacy.tracker_table import EVENTS

logger = logging.getLogger(__name__)
# Keys a reader holds in memory: long enough to read a page of events without a query per row, short enough
# that an erased conversation stops opening within seconds even in a process that read it just before.
KEY_CACHE_SECONDS = 30.0

_keys: Dict[Tuple[str, str], ConversationKeys] = {}
_keys_lock = threading.Lock()
_cache: Dict[str, Tuple[float, Optional[bytes]]] = {}


def conversation_keys() -> ConversationKeys:
    """This process's key database (CONVERSATION_KEYS_DB, CONVERSATION_KEY_SECRET)."""
    settings = conversation_key_settings()
    place = (settings.keys_db, settings.key_secret)
    with _keys_lock:
        if place not in _keys:
            _keys[place] = ConversationKeys(settings.keys_db, settings.key_secret)
        return _keys[place]


def _key(sender_id: str) -> Optional[bytes]:
    now = time.monotonic()
    cached = _cache.get(sender_id)
    if cached and now - cached[0] < KEY_CACHE_SECONDS:
        return cached[1]
    key = conversation_keys().key(sender_id, create=False)
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[sender_id] = (now, key)
    return key


def event_data(sender_id: str, raw: Optional[str]) -> Dict[str, Any]:
    """A stored event as Rasa's dict; {} when it cannot be read (erased key, damaged row)."""
    try:
        text = open_sealed(_key(sender_id), sender_id, str(raw)) if is_sealed(raw) else (raw or "{}")
        data = json.loads(text)
    except (UnreadableEvent, ValueError) as error:
        logger.warning("An event of a conversation could not be read: %s", error)
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class ErasedConversations:
    keys_destroyed: int
    events_deleted: int


def erase(
    tracker: Engine, sender_ids: Sequence[str], *, keys: Optional[ConversationKeys] = None
) -> ErasedConversations:
    """The conversations' keys destroyed, then their events deleted from the tracker store."""
    keys = keys or conversation_keys()
    destroyed = keys.destroy(sender_ids)
    for sender_id in sender_ids:
        _cache.pop(sender_id, None)
    deleted = 0
    with tracker.begin() as connection:
        if sender_ids:
            result = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(list(sender_ids))))
            deleted = int(result.rowcount or 0)
    return ErasedConversations(keys_destroyed=destroyed, events_deleted=deleted)


def count_events(tracker: Engine, sender_ids: Sequence[str]) -> int:
    if not sender_ids:
        return 0
    with tracker.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(list(sender_ids)))
            ).scalar_one()
        )


def conversations_of(customer_id: str) -> List[str]:
    return conversation_keys().conversations_of(customer_id)
