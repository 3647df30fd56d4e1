"""A real Rasa server follows the model registry: it pulls the production model from the console, switches
within its pull interval without a restart when an approver promotes or rolls back, keeps serving the old
model when the new one cannot be loaded, and a deliberately degraded candidate fails the promotion gate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from console.registry import service
from console.registry.models import ModelVersion
from tests.e2e.helpers import Customer, console_agent, tracker
from tests.e2e.learning import eventually, served_model_id
from tests.learning.archives import trained_model, unloadable, variant
from tools.stack import REPO_ROOT, Stack, free_port


def registered(db: Session, stack: Stack, archive: Path, *, by: str = "tara") -> ModelVersion:
    model = service.register(
        archive, registry_dir=Path(stack.env()["MODEL_REGISTRY_DIR"]), trained_by=by, db_session=db
    )
    service.record_gate(model, passed=True, report={"passed": True}, metrics={}, db_session=db)
    db.commit()
    return model


def test_rasa_switches_models_with_the_registry_and_survives_a_bad_archive(
    learning_stack: Stack, registry_db: Session, tmp_path: Path
) -> None:
    first = service.production(db_session=registry_db)
    assert first is not None and served_model_id(learning_stack) == first.model_id
    # A second replica on the same stores: every replica pulls on its own and must switch.
    replica = f"http://{learning_stack.config.host}:{free_port()}"
    learning_stack.start_rasa(name="rasa-replica", port=int(replica.rsplit(":", 1)[1]))
    replicas = (learning_stack.config.rasa_url, replica)
    eventually(lambda: served_model_id(learning_stack, replica) == first.model_id, 300, "the replica starts")
    vera = console_agent(learning_stack, "vera")
    api = f"{learning_stack.config.console_url}/api/registry"
    assert vera.get(f"{api}/models").json()["served"]["model_id"] == first.model_id

    second = registered(registry_db, learning_stack, variant(trained_model(), tmp_path / "second.tar.gz"))
    assert vera.post(f"{api}/models/{second.version}/approve", json={"reason": "test"}).status_code == 200
    assert vera.post(f"{api}/models/{second.version}/promote", json={"reason": "test"}).status_code == 200
    # Every replica pulls on its own clock: the switch lands within the pull interval plus a load.
    eventually(
        lambda: served_model_id(learning_stack) == second.model_id, 90, "Rasa serves the promoted model"
    )
    customer = Customer(learning_stack)
    assert customer.say_text("hi")
    events = tracker(learning_stack, customer.sender)["events"]
    assert [e["metadata"].get("model_id") for e in events if e["event"] == "user"] == [second.model_id]

    broken = registered(registry_db, learning_stack, unloadable(trained_model(), tmp_path / "broken.tar.gz"))
    vera.post(f"{api}/models/{broken.version}/approve", json={"reason": "test"}).raise_for_status()
    vera.post(f"{api}/models/{broken.version}/promote", json={"reason": "test"}).raise_for_status()
    rasa_log = learning_stack.logs_dir / "rasa.log"
    eventually(
        lambda: rasa_log.read_text(errors="replace").count("Failed to update model") >= 1,
        240,
        "Rasa tried the broken archive",
    )
    assert all(served_model_id(learning_stack, url) == second.model_id for url in replicas)
    assert Customer(learning_stack).say_text("where is my order")  # still answering with the old model

    back = vera.post(f"{api}/rollback", json={"reason": "the archive does not load"})
    assert back.status_code == 200 and back.json()["version"] == second.version
    assert vera.post(f"{api}/rollback", json={"reason": "and once more"}).json()["version"] == first.version
    eventually(
        lambda: served_model_id(learning_stack) == first.model_id, 90, "Rasa serves the first model again"
    )


def degraded_data(target: Path, intent: str) -> Path:
    """data/ with every example of one intent given to other intents at random (a labelling accident)."""
    import random
    import shutil

    shutil.copytree(REPO_ROOT / "data", target)
    others = ["greet", "goodbye", "affirm", "deny", "inform", "thank_you"]
    rng = random.Random(7)
    for path in target.rglob("*.yml"):
        content = yaml.safe_load(path.read_text()) or {}
        changed = False
        for block in content.get("nlu", []) or []:
            if block.get("intent") == intent:
                block["intent"] = rng.choice(others)
                changed = True
        if changed:
            path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True))
    return target


def test_a_degraded_candidate_fails_the_gate_and_cannot_be_approved(
    learning_stack: Stack, registry_db: Session, tmp_path: Path
) -> None:
    data = degraded_data(tmp_path / "data", "check_order_status")
    trained = subprocess.run(
        [sys.executable, "-m", "console.registry", "retrain", "--by", "tara", "--data", str(data)],
        cwd=REPO_ROOT,
        env=learning_stack.env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert "job" in trained.stdout, trained.stdout + trained.stderr
    registry_db.expire_all()
    candidate = service.listing(db_session=registry_db)[0]
    assert candidate.trained_by == "tara" and candidate.gate_passed is False, trained.stdout
    vera = console_agent(learning_stack, "vera")
    api = f"{learning_stack.config.console_url}/api/registry"
    detail = vera.get(f"{api}/models/{candidate.version}").json()
    failed = [check["name"] for check in detail["gate"]["checks"] if not check["passed"]]
    assert any(
        "check_order_status" in check["detail"] for check in detail["gate"]["checks"] if not check["passed"]
    ), failed
    refused = vera.post(f"{api}/models/{candidate.version}/approve", json={"reason": "looks fine"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "gate_not_passed"
