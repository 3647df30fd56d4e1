"""The learning loop's settings (console): model registry, model server, training jobs, promotion gate, inbox;
beside common/settings.py with the same typed readers of common/env.py (re-exported there)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.env import integer, number, secret, text
from common.paths import REPO_ROOT, VAR_DIR


@dataclass(frozen=True)
class LearningSettings:
    registry_dir: Path  # archives of every registered model, the training jobs' work and logs
    model_server_token: str  # Rasa presents it (?token=) to pull the production model
    tracker_store_url: str  # read-only: the inbox's messages and the gate's replay
    # A candidate fails the gate when an intent's F1 drops by more than this on a held-out set (intents
    # with at least `gate_min_support` examples there; below that, one example moves F1 by over 0.1).
    gate_f1_tolerance: float
    gate_min_support: int
    replay_messages: int


def tracker_store_url() -> str:
    # Rasa's own setting (endpoints.yml) may be relative to the checkout, where make runs Rasa.
    tracker_db = REPO_ROOT / text("RASA_TRACKER_DB", str(VAR_DIR / "rasa-tracker.db"))
    return text("TRACKER_STORE_URL", f"sqlite:///{tracker_db}")


def learning_settings() -> LearningSettings:
    return LearningSettings(
        registry_dir=Path(text("MODEL_REGISTRY_DIR", str(VAR_DIR / "registry"))),
        model_server_token=secret("MODEL_SERVER_TOKEN"),
        tracker_store_url=tracker_store_url(),
        gate_f1_tolerance=number("MODEL_GATE_F1_TOLERANCE", 0.05),
        gate_min_support=integer("MODEL_GATE_MIN_SUPPORT", 10),
        replay_messages=integer("MODEL_REPLAY_MESSAGES", 500),
    )
