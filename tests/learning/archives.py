"""Model archives for registry tests: the trained model, a variant Rasa would load as another model, and
an archive that has metadata but could never load."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from pathlib import Path

from tools.stack import REPO_ROOT, latest_model


def trained_model() -> Path:
    return latest_model(REPO_ROOT / "models")


def variant(source: Path, target: Path) -> Path:
    """The same model with a new Rasa model_id: a different archive (sha256) that loads and answers alike."""
    with tarfile.open(source, "r:gz") as original, tarfile.open(target, "w:gz") as copy:
        for member in original.getmembers():
            handle = original.extractfile(member) if member.isfile() else None
            if member.name.lstrip("./") == "metadata.json" and handle is not None:
                metadata = json.load(handle)
                metadata["model_id"] = uuid.uuid4().hex
                body = json.dumps(metadata).encode()
                member.size = len(body)
                copy.addfile(member, io.BytesIO(body))
            else:
                copy.addfile(member, handle)
    return target


def unloadable(source: Path, target: Path) -> Path:
    """Only the metadata of a real model: the registry accepts it, Rasa cannot load it."""
    with tarfile.open(source, "r:gz") as original, tarfile.open(target, "w:gz") as copy:
        member = next(m for m in original.getmembers() if m.name.lstrip("./") == "metadata.json")
        metadata = json.load(original.extractfile(member))  # type: ignore[arg-type]
        metadata["model_id"] = uuid.uuid4().hex
        body = json.dumps(metadata).encode()
        member.size = len(body)
        copy.addfile(member, io.BytesIO(body))
    return target
