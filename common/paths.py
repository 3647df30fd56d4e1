"""Where things are in a checkout: the repository root and the git-ignored local state folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"
DOMAIN_PATH = REPO_ROOT / "domain.yml"


def shared_data_dir() -> Path:
    """The workplace's shared data (benchmarks): $FRONTDESK_SHARED_DIR, else ../shared beside the checkout,
    else /work/shared (where a clone elsewhere, such as CI's, still finds it). May not exist on a laptop."""
    configured = os.environ.get("FRONTDESK_SHARED_DIR")
    candidates = [Path(configured)] if configured else [REPO_ROOT.parent / "shared", Path("/work/shared")]
    return next((path for path in candidates if path.is_dir()), candidates[0])


def banking77_dir() -> Path:
    return shared_data_dir() / "benchmarks" / "banking77"
