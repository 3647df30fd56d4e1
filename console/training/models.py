"""A training job and what the console shows of it."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, String, Text

from common.database import utcnow
from console.database import Base

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
ACTIVE = (QUEUED, RUNNING)


class TrainingJob(Base):
    __tablename__ = "training_jobs"

    id = Column(Integer, primary_key=True)
    requested_by = Column(String(100), nullable=False)
    status = Column(String(12), nullable=False, default=QUEUED, index=True)
    stage = Column(String(40), nullable=False, default="queued")
    progress = Column(Integer, nullable=False, default=0)
    pid = Column(Integer, nullable=True)
    # Another data folder than data/ (a developer's experiment, or a test's deliberately broken data).
    data_dir = Column(String(500), nullable=True)
    version = Column(String(80), nullable=True)
    error = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)


class JobRead(BaseModel):
    id: int
    requested_by: str
    status: str
    stage: str
    progress: int
    version: Optional[str]
    error: Optional[str]
    created_at: datetime
    started_at: Optional[datetime]
    finished_at: Optional[datetime]

    class Config:
        orm_mode = True
