"""Stream a save's new events to the event broker without reloading the tracker from the SQL store.

Rasa 3.6 `TrackerStore.stream_events` retrieves the stored tracker (every event of the session, read and
deserialised) only to take its length: `TrackerEventDiffEngine.event_difference` streams
`tracker.events[len(stored.events):]`. With a broker configured, that is a second full load on every save,
on top of the one at the start of the message, and it grows with the conversation.

For the SQL tracker store the stored length is the row count of the session's events, the number
`SQLTrackerStore._additional_events` already counts to decide what to save. Here `stream_events` counts
the same query instead of loading it: the same events are streamed, in the same order. Other tracker
stores keep Rasa's method.
"""

from __future__ import annotations

import itertools

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

# Rasa's own method (inherited from TrackerStore), kept for the tests' comparison.
RASA_STREAM_EVENTS = SQLTrackerStore.stream_events


async def stream_events(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    if self.event_broker is None:
        return
    with self.session_scope() as session:
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
    new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
    await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)


def apply() -> None:
    SQLTrackerStore.stream_events = stream_events
