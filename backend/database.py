"""The backend's declarative base: every domain's tables register on it (see backend/models.py).

Engines, sessions and `utcnow` are shared with the other services: common/database.py.
"""

from __future__ import annotations

from sqlalchemy.orm import declarative_base

Base = declarative_base()
