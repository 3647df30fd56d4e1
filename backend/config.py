"""Backend settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "backend.db"
# A development default only: `make run` and the tests use it; deployments must set BACKEND_API_TOKEN.
DEV_API_TOKEN = "dev-backend-token"


@dataclass(frozen=True)
class Settings:
    database_url: str
    api_token: str
    store_url: str
    # "production" switches off development-only routes such as reading the outbox.
    environment: str = "development"
    max_page_size: int = 100


def load_settings() -> Settings:
    """Build settings from environment variables with safe local defaults."""
    return Settings(
        database_url=os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        api_token=os.environ.get("BACKEND_API_TOKEN", DEV_API_TOKEN),
        store_url=os.environ.get("STORE_URL", "https://shop.example.com").rstrip("/"),
        environment=os.environ.get("BACKEND_ENV", "development"),
    )
