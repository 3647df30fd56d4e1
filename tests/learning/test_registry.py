"""The model registry over the console's HTTP API: who may read, approve, promote and roll back (checked on
the server), maker-checker, the gate's veto, the audit log, and the model server protocol Rasa pulls with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest
import requests
from sqlalchemy.orm import Session

from common.database import make_engine, make_session_factory
from console.registry import service
from console.registry.archive import BadArchive
from console.registry.models import ModelVersion
from console.schema import create_schema
from console.training import service as training
from tests.learning.archives import trained_model, unloadable, variant
from tests.support import BackendServer, ConsoleServer, start_console, stop_process

MODEL_SERVER_TOKEN = "model-server-token-for-the-registry-test"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("registry")


@pytest.fixture(scope="module")
def console(sqlite_backend: BackendServer, folder: Path) -> Iterator[ConsoleServer]:
    server = start_console(
        sqlite_backend,
        folder,
        MODEL_REGISTRY_DIR=str(folder / "registry"),
        MODEL_SERVER_TOKEN=MODEL_SERVER_TOKEN,
    )
    yield server
    stop_process(server.process)


@pytest.fixture(scope="module")
def db(folder: Path, console: ConsoleServer) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{folder}/console.db")
    create_schema(engine)
    with make_session_factory(engine)() as session:
        yield session


def register(
    db: Session, folder: Path, archive: Path, *, by: str, passed: bool, labelled_by=()
) -> ModelVersion:
    model = service.register(
        archive, registry_dir=folder / "registry", trained_by=by, labelled_by=labelled_by, db_session=db
    )
    service.record_gate(model, passed=passed, report={"passed": passed}, metrics={}, db_session=db)
    db.commit()
    return model


def pull(console: ConsoleServer, etag: str = "", token: str = MODEL_SERVER_TOKEN) -> requests.Response:
    headers = {"If-None-Match": etag} if etag else {}
    return requests.get(
        f"{console.base_url}/models/production", params={"token": token}, headers=headers, timeout=30
    )


def test_the_registry_promotes_only_gated_models_another_person_approved(
    console: ConsoleServer, db: Session, folder: Path
) -> None:
    api = f"{console.base_url}/api/registry"
    first = service.bootstrap(trained_model(), registry_dir=folder / "registry", db_session=db)
    db.commit()
    assert first.status == "production" and Path(first.archive_path).exists()

    # The model server: token required, the ETag is the sha256, 304 while it is unchanged.
    assert pull(console, token="wrong").status_code == 401
    served = pull(console)
    assert served.status_code == 200 and served.headers["ETag"] == first.sha256
    assert len(served.content) == Path(first.archive_path).stat().st_size
    assert pull(console, etag=first.sha256).status_code == 304

    tara, tom, vera, bob = (console.login(name) for name in ("tara", "tom", "vera", "bob"))
    good = register(db, folder, variant(trained_model(), folder / "good.tar.gz"), by="tom", passed=True)
    labelled = register(
        db,
        folder,
        variant(trained_model(), folder / "labelled.tar.gz"),
        by="tara",
        passed=True,
        labelled_by=["tom"],
    )
    failed = register(db, folder, variant(trained_model(), folder / "failed.tar.gz"), by="tara", passed=False)

    # Agents see nothing of it; trainers read but cannot approve.
    for method, path in (
        ("get", "/models"),
        ("get", f"/models/{good.version}"),
        ("get", "/audit"),
        ("get", "/training"),
        ("post", "/training"),
        ("post", f"/models/{good.version}/approve"),
        ("post", f"/models/{good.version}/promote"),
        ("post", "/rollback"),
    ):
        answer = getattr(bob, method)(f"{api}{path}", json={"reason": "x"})
        assert answer.status_code == 403, (method, path, answer.text)
    assert [m["version"] for m in tara.get(f"{api}/models").json()["items"]][:1] == [failed.version]
    assert tara.post(f"{api}/models/{good.version}/approve", json={}).status_code == 403

    # Maker-checker: who trained it, or labelled its data, cannot approve it; a failed gate blocks everyone.
    own = tom.post(f"{api}/models/{good.version}/approve", json={"reason": "mine"})
    assert own.status_code == 403 and own.json()["error"]["code"] == "maker_checker"
    assert (
        tom.post(f"{api}/models/{labelled.version}/approve", json={}).json()["error"]["code"]
        == "maker_checker"
    )
    blocked = vera.post(f"{api}/models/{failed.version}/approve", json={})
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "gate_not_passed"
    assert vera.post(f"{api}/models/{good.version}/promote", json={}).status_code == 409  # not approved yet
    approved = vera.post(f"{api}/models/{good.version}/approve", json={"reason": "replay looks right"})
    assert approved.status_code == 200 and approved.json()["approved_by"] == "vera"

    promoted = vera.post(f"{api}/models/{good.version}/promote", json={"reason": "ship it"})
    assert promoted.status_code == 200 and promoted.json()["status"] == "production"
    assert promoted.json()["replaces"] == first.version
    assert pull(console, etag=first.sha256).headers["ETag"] == good.sha256
    listing = {m["version"]: m["status"] for m in vera.get(f"{api}/models").json()["items"]}
    assert listing[first.version] == "retired" and listing[good.version] == "production"

    assert vera.post(f"{api}/rollback", json={"reason": ""}).status_code == 422
    back = vera.post(f"{api}/rollback", json={"reason": "containment dropped"})
    assert back.status_code == 200 and back.json()["version"] == first.version
    assert pull(console, etag=good.sha256).headers["ETag"] == first.sha256
    assert (
        vera.post(f"{api}/rollback", json={"reason": "again"}).json()["error"]["code"] == "no_previous_model"
    )

    log = tara.get(f"{api}/audit").json()["items"]
    steps = [(e["actor"], e["action"], e["version"]) for e in reversed(log)]
    assert ("tom", "model_approval_refused", good.version) in steps
    assert ("gate", "model_gate_failed", failed.version) in steps
    assert steps[-4:] == [
        ("vera", "model_retired", first.version),
        ("vera", "model_promoted", good.version),
        ("vera", "model_rolled_back", good.version),
        ("vera", "model_promoted", first.version),
    ]
    rolled_back = next(e for e in log if e["action"] == "model_rolled_back")
    assert rolled_back["reason"] == "containment dropped" and rolled_back["to"] == first.version
    assert vera.get(f"{api}/models/no-such-version").status_code == 404
    # Rasa can only send the model server's token in the query string: the access log must not keep it.
    assert MODEL_SERVER_TOKEN not in console.log_path.read_text()


def test_the_registry_refuses_what_is_not_a_model(db: Session, folder: Path) -> None:
    junk = folder / "junk.tar.gz"
    junk.write_bytes(b"not a tar at all")
    with pytest.raises(BadArchive):
        service.register(junk, registry_dir=folder / "registry", trained_by="tara", db_session=db)
    # Metadata without components is accepted here (it is a model archive); Rasa will refuse to load it,
    # and the test against a real Rasa shows the old model keeps serving.
    shell = service.register(
        unloadable(trained_model(), folder / "shell.tar.gz"),
        registry_dir=folder / "registry",
        trained_by="tara",
        db_session=db,
    )
    db.rollback()
    assert shell.version


def test_one_training_job_at_a_time_and_a_dead_worker_does_not_block(
    console: ConsoleServer, db: Session
) -> None:
    job = training.create("tara", db_session=db)
    job.pid = 2**22 + 12345  # no such process: the worker died
    job.status = "running"
    db.commit()
    tara = console.login("tara")
    status = tara.get(f"{console.base_url}/api/registry/training").json()["job"]
    assert status["id"] == job.id and status["status"] == "failed" and "without finishing" in status["error"]
    second = training.create("tara", db_session=db)
    db.commit()
    with pytest.raises(Exception) as refused:
        training.create("tom", db_session=db)
    assert json.dumps(getattr(refused.value, "code", "")) == '"training_running"'
    db.rollback()
    second.status = "failed"
    db.commit()
