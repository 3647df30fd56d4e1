"""Deleting old rows a batch at a time: the helpers every store's purge function uses (privacy/retention.py).

A purge function deletes one batch and returns how many rows went; the caller commits after each batch and
calls again until it returns 0, so no purge holds a lock on a table for long.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


def _table(key: Any) -> Table:
    # An ORM attribute (Model.id) or a Core column (table.c.id): both know their table.
    return key.expression.table


def count_rows(key: Any, *conditions: ColumnElement, db_session: Session) -> int:
    """How many rows of the key's table meet the conditions."""
    return db_session.execute(select(func.count()).select_from(_table(key)).where(*conditions)).scalar_one()


def delete_batch(key: Any, *conditions: ColumnElement, batch_size: int, db_session: Session) -> int:
    """Delete up to batch_size rows meeting the conditions, lowest keys first; returns how many went."""
    keys = list(db_session.execute(select(key).where(*conditions).order_by(key).limit(batch_size)).scalars())
    if keys:
        db_session.execute(delete(_table(key)).where(key.in_(keys)))
    return len(keys)


def below_newest(key: Any) -> ColumnElement:
    """Leaves the newest row alone: SQLite (no AUTOINCREMENT) would give its id to the next row written, and
    readers that follow a table by id (the inbox's cursors, the analytics consumer) would skip that row."""
    return key < select(func.max(key)).scalar_subquery()
