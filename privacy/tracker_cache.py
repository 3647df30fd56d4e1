"""The conversations a Rasa process saved last, kept so the next message need not rebuild them.

Rasa loads the tracker at the start of every message: every stored event of the session read, decrypted
(privacy/tracker_store.py), parsed and replayed. That grows with the conversation: 5 ms of CPU at turn 5,
83 ms at turn 200 (bench/SERVING.md, step 10). The tracker the processor just saved is exactly what the next
load would rebuild, so the store keeps it here and hands it back when the database still holds what was
saved and nothing else.

How a stale copy is never used:
- Each entry carries the conversation's fingerprint in the database (row count, highest row id and the sum
  of the rows' timestamps, read in the transaction that stored the rows) and its own event count. A load
  reads the fingerprint again (one indexed aggregate query); any write by another replica, the console, the
  retention purge or an erasure changes it, and so does a row moved in time, and the entry is dropped.
- An entry is handed out once (`take`): the processor mutates the tracker it got, and an entry shared by
  two callers would change under the other. The next save puts it back.
- A tracker that does not start with its session's `session_started` event (a new conversation, a session
  that restarted during the message) is not kept: the database load returns events from the session start
  only, and the copy must be the same.

It holds decrypted conversations in memory, so it is small and short-lived: TRACKER_CACHE_SIZE
conversations (0 switches it off) for TRACKER_CACHE_SECONDS since their last save.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional, Tuple

from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from common.env import integer, number

# (rows stored for the conversation, highest row id, sum of their timestamps rounded to a millisecond)
Fingerprint = Tuple[int, int, float]


@dataclass
class _Entry:
    tracker: DialogueStateTracker
    fingerprint: Fingerprint
    events: int
    saved_at: float


def same_as_a_fresh_load(tracker: DialogueStateTracker) -> bool:
    """The tracker holds exactly its current session from its `session_started` event on, as the
    store's load since the last session returns it."""
    events = list(tracker.events)
    if not events or not isinstance(events[0], SessionStarted):
        return False
    return not any(isinstance(event, SessionStarted) for event in events[1:])


class TrackerCache:
    def __init__(self, size: Optional[int] = None, seconds: Optional[float] = None) -> None:
        self.size = integer("TRACKER_CACHE_SIZE", 500) if size is None else size
        self.seconds = number("TRACKER_CACHE_SECONDS", 600) if seconds is None else seconds
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, sender_id: object) -> bool:
        return sender_id in self._entries

    def put(self, tracker: DialogueStateTracker, fingerprint: Fingerprint) -> None:
        """Keep the tracker just saved, whose rows now have this fingerprint."""
        self._entries.pop(tracker.sender_id, None)
        if self.size <= 0 or not same_as_a_fresh_load(tracker):
            return
        self._entries[tracker.sender_id] = _Entry(tracker, fingerprint, len(tracker.events), time.monotonic())
        self._expire()
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def take(self, sender_id: str, stored: Fingerprint) -> Optional[DialogueStateTracker]:
        """The kept tracker when the database still holds what was saved (`stored` is its fingerprint
        now) and nobody changed the tracker since; None otherwise. Either way the entry is gone."""
        self._expire()
        entry = self._entries.pop(sender_id, None)
        if entry is None or entry.fingerprint != stored or len(entry.tracker.events) != entry.events:
            return None
        return entry.tracker

    def forget(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def _expire(self) -> None:
        oldest_kept = time.monotonic() - self.seconds
        while self._entries:
            sender_id, entry = next(iter(self._entries.items()))
            if entry.saved_at >= oldest_kept:
                return
            del self._entries[sender_id]
