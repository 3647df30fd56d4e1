"""Rasa's SQL tracker store table, as Rasa 3.6 creates it (rasa/core/tracker_store.py `SQLTrackerStore`),
for the code that reads or erases conversations outside Rasa (the console's inbox and history, privacy).

`data` is the event as JSON, sealed with the conversation's key by privacy/tracker_store.py; read it with
`privacy.conversations.event_data`.
"""

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

_metadata = MetaData()
EVENTS = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
