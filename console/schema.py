"""Create the console's tables, and add the columns later versions introduced to an existing database.

The console has few tables and only ever adds to them, so this small step replaces a migration tool.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from console.agents import models as _agents  # noqa: F401 - registers the tables
from console.audit import models as _audit  # noqa: F401
from console.corrections import models as _corrections  # noqa: F401
from console.database import Base
from console.inbox import models as _inbox  # noqa: F401
from console.kb import models as _kb  # noqa: F401
from console.macros import models as _macros  # noqa: F401
from console.notes import models as _notes  # noqa: F401
from console.privacy import models as _privacy  # noqa: F401
from console.registry import models as _registry  # noqa: F401
from console.suggestions import models as _suggestions  # noqa: F401
from console.training import models as _training  # noqa: F401

# Columns added after a table first shipped: (table, column, SQL type and default).
ADDED_COLUMNS = (
    ("agents", "roles", "VARCHAR(100) NOT NULL DEFAULT 'agent'"),
    ("privacy_requests", "download_token_sha256", "VARCHAR(64)"),
    ("privacy_requests", "download_expires_at", "TIMESTAMP"),
)


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table, column, definition in ADDED_COLUMNS:
            if column not in {existing["name"] for existing in inspector.get_columns(table)}:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {definition}"))
