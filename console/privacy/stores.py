"""Where the console finds each store a data-subject request reads or erases (privacy/rights.py), from the
same settings the services use; shared by the console's routes and `python -m privacy request|approve`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from clients.backend import BackendApi
from common.retention_settings import retention_settings
from common.settings import attachment_settings, learning_settings
from console.privacy.service import StoresFor
from privacy import rights


def other_database(url: str) -> Optional[Engine]:
    """A plain engine on another service's database (no pragmas changed on its owner's SQLite file); None
    when the store is not there (a file not created yet) or is not a database (a RabbitMQ stream)."""
    if url.startswith("sqlite:///") and not Path(url.split("///", 1)[1]).is_file():
        return None
    return create_engine(url, future=True) if url.startswith(("sqlite", "postgresql")) else None


def stores_for(backend: BackendApi) -> StoresFor:
    retention = retention_settings()

    def build(session: Session) -> rights.Stores:
        return rights.Stores(
            backend=backend.privacy,
            console=session,
            tracker=other_database(learning_settings().tracker_store_url),
            event_stream=other_database(retention.event_stream_url),
            handoff_queue=other_database(retention.handoff_queue_url),
            attachments_dir=attachment_settings().directory,
        )

    return build
