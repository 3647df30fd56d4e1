"""Registered models and what the registry's routes answer about them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Literal, Optional

from pydantic import BaseModel, Field
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text

from common.database import utcnow
from console.database import Base

CANDIDATE = "candidate"
APPROVED = "approved"
PRODUCTION = "production"
RETIRED = "retired"
ModelStatus = Literal["candidate", "approved", "production", "retired"]


class ModelVersion(Base):
    __tablename__ = "model_versions"

    id = Column(Integer, primary_key=True)
    version = Column(String(80), nullable=False, unique=True)
    # Rasa's own id for the archive (its metadata's model_id): /status and every event carry it.
    model_id = Column(String(64), nullable=True, index=True)
    sha256 = Column(String(64), nullable=False, unique=True)
    archive_path = Column(String(500), nullable=False)
    data_hash = Column(String(64), nullable=False)
    config_hash = Column(String(64), nullable=False)
    git_commit = Column(String(40), nullable=True)
    trained_by = Column(String(100), nullable=False)
    # Trainers whose inbox labels are in the training data: none of them may approve this model.
    labelled_by = Column(Text, nullable=False, default="")
    trained_at = Column(DateTime, nullable=False, default=utcnow)
    status = Column(String(12), nullable=False, default=CANDIDATE, index=True)
    # None until the gate has run; a model whose gate failed can never be approved.
    gate_passed = Column(Boolean, nullable=True)
    gate_report = Column(Text, nullable=True)
    metrics = Column(Text, nullable=True)
    approved_by = Column(String(100), nullable=True)
    approved_at = Column(DateTime, nullable=True)
    promoted_at = Column(DateTime, nullable=True)
    # The production model this one replaced when it was promoted: where a rollback goes back to.
    replaces = Column(String(80), nullable=True)
    note = Column(Text, nullable=True)

    def labellers(self) -> List[str]:
        return [name for name in (self.labelled_by or "").split(",") if name]


class ModelRead(BaseModel):
    version: str
    model_id: Optional[str]
    sha256: str
    data_hash: str
    config_hash: str
    git_commit: Optional[str]
    trained_by: str
    labelled_by: List[str]
    trained_at: datetime
    status: str
    gate_passed: Optional[bool]
    metrics: Dict[str, Any]
    approved_by: Optional[str]
    approved_at: Optional[datetime]
    promoted_at: Optional[datetime]
    replaces: Optional[str]
    note: Optional[str]

    @classmethod
    def from_row(cls, row: ModelVersion) -> ModelRead:
        return cls(
            version=row.version,
            model_id=row.model_id,
            sha256=row.sha256,
            data_hash=row.data_hash,
            config_hash=row.config_hash,
            git_commit=row.git_commit,
            trained_by=row.trained_by,
            labelled_by=row.labellers(),
            trained_at=row.trained_at,
            status=row.status,
            gate_passed=row.gate_passed,
            metrics=json.loads(row.metrics) if row.metrics else {},
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            promoted_at=row.promoted_at,
            replaces=row.replaces,
            note=row.note,
        )


class ModelDetail(ModelRead):
    gate: Dict[str, Any]

    @classmethod
    def from_row(cls, row: ModelVersion) -> ModelDetail:
        base = ModelRead.from_row(row).dict()
        return cls(**base, gate=json.loads(row.gate_report) if row.gate_report else {})


class DecisionIn(BaseModel):
    """Why an approver approves, promotes or rolls back: kept in the audit log."""

    reason: str = Field("", max_length=500)
