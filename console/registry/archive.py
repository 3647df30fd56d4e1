"""What the registry reads from a model archive: its sha256 (the model server's ETag) and Rasa's model id."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
from pathlib import Path
from typing import Iterable, Optional

from common.paths import REPO_ROOT


class BadArchive(ValueError):
    """The file is not a Rasa model archive (it could never be loaded)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rasa_model_id(path: Path) -> str:
    """The model_id in the archive's metadata.json, which Rasa reports in /status and in every event."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = next((m for m in archive.getmembers() if m.name.lstrip("./") == "metadata.json"), None)
            handle = archive.extractfile(member) if member else None
            if handle is None:
                raise BadArchive(f"{path.name} has no metadata.json")
            return str(json.load(handle)["model_id"])
    except (tarfile.TarError, OSError, EOFError, KeyError, ValueError) as exc:
        raise BadArchive(f"{path.name} is not a Rasa model archive: {exc}") from exc


def hash_files(paths: Iterable[Path], root: Path = REPO_ROOT) -> str:
    """One sha256 over files (relative names and contents, in name order): the data or config a model saw."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: str(p.relative_to(root))):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def data_files(data_dir: Path) -> list:
    return sorted(
        path for path in data_dir.rglob("*") if path.is_file() and path.suffix in (".yml", ".yaml", ".md")
    )


def git_commit(root: Path = REPO_ROOT) -> Optional[str]:
    """The checkout's commit (None outside a git checkout, as in a container image)."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None
