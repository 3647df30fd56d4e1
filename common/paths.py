"""Where things are in a checkout: the repository root and the git-ignored local state folder."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"
DOMAIN_PATH = REPO_ROOT / "domain.yml"
