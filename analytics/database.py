"""The analytics store's declarative base (tables in analytics/models.py); engines come from common/database.py."""

from __future__ import annotations

from sqlalchemy.orm import declarative_base

Base = declarative_base()
