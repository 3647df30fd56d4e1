"""The registry's rules: registering archives, recording the gate, maker-checker approval, promotion and
rollback. Every status change is written to the console's audit log in the same transaction.

Plain functions with a keyword-only `db_session`; they flush, the caller commits (backend/app.py's rule).
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.database import utcnow
from common.errors import ApiError
from common.paths import REPO_ROOT
from console.audit import service as audit
from console.audit.models import AuditEvent
from console.registry.archive import data_files, git_commit, hash_files, rasa_model_id, sha256_of
from console.registry.models import APPROVED, CANDIDATE, PRODUCTION, RETIRED, ModelVersion

AUDIT_PREFIX = "model_"


def _audit(actor: str, action: str, model: ModelVersion, *, db_session: Session, **details: Any) -> None:
    details = {"version": model.version, "status": model.status, **details}
    audit.record(
        actor, AUDIT_PREFIX + action, details=json.dumps(details, sort_keys=True), db_session=db_session
    )


def by_version(version: str, *, db_session: Session) -> ModelVersion:
    model = db_session.scalars(select(ModelVersion).where(ModelVersion.version == version)).first()
    if model is None:
        raise ApiError(404, "model_not_found", f"No model {version!r} in the registry.")
    return model


def production(*, db_session: Session) -> Optional[ModelVersion]:
    return db_session.scalars(select(ModelVersion).where(ModelVersion.status == PRODUCTION)).first()


def listing(*, db_session: Session) -> List[ModelVersion]:
    return list(db_session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))


def history(*, limit: int = 200, db_session: Session) -> List[AuditEvent]:
    """The registry's part of the audit log, newest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.action.startswith(AUDIT_PREFIX))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db_session.scalars(query))


def register(
    archive: Path,
    *,
    registry_dir: Path,
    trained_by: str,
    labelled_by: Sequence[str] = (),
    data_dir: Path = REPO_ROOT / "data",
    config_paths: Sequence[Path] = (REPO_ROOT / "config.yml", REPO_ROOT / "domain.yml"),
    trained_at: Optional[datetime] = None,
    note: Optional[str] = None,
    db_session: Session,
) -> ModelVersion:
    """Copy an archive into the registry as a candidate; the same archive twice is the same model."""
    sha256 = sha256_of(archive)
    existing = db_session.scalars(select(ModelVersion).where(ModelVersion.sha256 == sha256)).first()
    if existing is not None:
        return existing
    model_id = rasa_model_id(archive)  # refuses a file Rasa could never load
    trained_at = trained_at or utcnow()
    version = f"{trained_at:%Y%m%d-%H%M%S}-{sha256[:8]}"
    stored = registry_dir / "models" / f"{version}.tar.gz"
    stored.parent.mkdir(parents=True, exist_ok=True)
    if archive.resolve() != stored.resolve():
        partial = stored.with_suffix(".partial")
        shutil.copyfile(archive, partial)
        partial.replace(stored)  # a crash never leaves half an archive under the final name
    model = ModelVersion(
        version=version,
        model_id=model_id,
        sha256=sha256,
        archive_path=str(stored),
        data_hash=hash_files(data_files(data_dir), root=data_dir.parent),
        config_hash=hash_files(config_paths, root=Path(config_paths[0]).parent),
        git_commit=git_commit(),
        trained_by=trained_by,
        labelled_by=",".join(sorted(set(labelled_by))),
        trained_at=trained_at,
        status=CANDIDATE,
        note=note,
    )
    db_session.add(model)
    db_session.flush()
    _audit(trained_by, "registered", model, db_session=db_session, sha256=sha256)
    return model


def bootstrap(archive: Path, *, registry_dir: Path, db_session: Session) -> ModelVersion:
    """A first production model from models/ when the registry has none (a new install, `make run`).

    Later archives found in models/ (a developer's `make train`) only become candidates: production changes
    through the gate and an approver."""
    model = register(
        archive,
        registry_dir=registry_dir,
        trained_by="make train",
        note="from models/",
        db_session=db_session,
    )
    if production(db_session=db_session) is None and model.status == CANDIDATE:
        model.status = PRODUCTION
        model.promoted_at = utcnow()
        _audit("system", "promoted", model, db_session=db_session, reason="first model of a new registry")
    return model


def record_gate(
    model: ModelVersion, *, passed: bool, report: Dict[str, Any], metrics: Dict[str, Any], db_session: Session
) -> None:
    model.gate_passed = passed
    model.gate_report = json.dumps(report, sort_keys=True)
    model.metrics = json.dumps(metrics, sort_keys=True)
    db_session.flush()
    _audit("gate", "gate_passed" if passed else "gate_failed", model, db_session=db_session)


def approve(model: ModelVersion, *, approver: str, reason: str, db_session: Session) -> ModelVersion:
    """Maker-checker: neither who trained the model nor who labelled its new data may approve it."""
    if model.status != CANDIDATE:
        raise ApiError(409, "not_a_candidate", f"Model {model.version} is {model.status}, not a candidate.")
    if model.gate_passed is not True:
        why = "has not passed" if model.gate_passed is None else "failed"
        raise ApiError(409, "gate_not_passed", f"Model {model.version} {why} the promotion gate.")
    if approver == model.trained_by or approver in model.labellers():
        _audit(approver, "approval_refused", model, db_session=db_session, reason="maker-checker")
        raise ApiError(
            403,
            "maker_checker",
            "You trained this model or labelled its data: another approver must approve it.",
        )
    model.status = APPROVED
    model.approved_by = approver
    model.approved_at = utcnow()
    db_session.flush()
    _audit(approver, "approved", model, db_session=db_session, reason=reason)
    return model


def promote(model: ModelVersion, *, actor: str, reason: str, db_session: Session) -> ModelVersion:
    """Make an approved model the one Rasa serves; the model it replaces is retired (and can come back)."""
    if model.status != APPROVED:
        raise ApiError(
            409, "not_approved", f"Model {model.version} is {model.status}: only approved models ship."
        )
    current = production(db_session=db_session)
    if current is not None:
        current.status = RETIRED
        _audit(actor, "retired", current, db_session=db_session, reason=f"replaced by {model.version}")
    model.status = PRODUCTION
    model.promoted_at = utcnow()
    model.replaces = current.version if current is not None else None
    db_session.flush()
    _audit(
        actor, "promoted", model, db_session=db_session, reason=reason, replaces=current and current.version
    )
    return model


def rollback(*, actor: str, reason: str, db_session: Session) -> ModelVersion:
    """Serve the previous production model again: the one the current model replaced."""
    current = production(db_session=db_session)
    if current is None:
        raise ApiError(409, "nothing_in_production", "No model is in production.")
    previous = (
        db_session.scalars(select(ModelVersion).where(ModelVersion.version == current.replaces)).first()
        if current.replaces
        else None
    )
    if previous is None:
        raise ApiError(409, "no_previous_model", f"Model {current.version} replaced no earlier model.")
    current.status = RETIRED
    _audit(actor, "rolled_back", current, db_session=db_session, reason=reason, to=previous.version)
    previous.status = PRODUCTION
    previous.promoted_at = utcnow()
    db_session.flush()
    _audit(actor, "promoted", previous, db_session=db_session, reason=f"rollback: {reason}")
    return previous
