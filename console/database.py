"""The console's declarative base; its tables (agents, sessions, corrections, audit) register on it.

Engines and sessions come from common/database.py; console/schema.py creates and upgrades the tables.
"""

from __future__ import annotations

from sqlalchemy.orm import declarative_base

Base = declarative_base()
