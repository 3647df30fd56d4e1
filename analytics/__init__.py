"""Support metrics: definitions (definitions.py), the analytics store fed by the event stream (models.py,
ingest.py, consumer.py), per-conversation facts (conversations.py) and the computed metrics (metrics.py)."""
