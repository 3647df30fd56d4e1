"""Canned replies (macros): a title for the picker and a text with {variables} filled per ticket."""

from __future__ import annotations

from datetime import datetime
from typing import List

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, String, Text

from common.database import utcnow
from common.fields import Name, Reply
from console.database import Base


class Macro(Base):
    __tablename__ = "macros"

    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False, unique=True)
    body = Column(Text, nullable=False)
    updated_by = Column(String(100), nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class MacroIn(BaseModel):
    title: Name
    body: Reply


class MacroRead(BaseModel):
    id: int
    title: str
    body: str
    variables: List[str]
    updated_by: str
    updated_at: datetime


class FilledMacro(BaseModel):
    """A macro as it reads for one ticket: `text` with what could be filled, `missing` what could not."""

    id: int
    title: str
    text: str
    missing: List[str]
