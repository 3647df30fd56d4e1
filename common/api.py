"""Validated path parameters shared by the HTTP APIs: ids outside the database's range are a 422, not a 500."""

from __future__ import annotations

from typing import Any

from fastapi import Path

MAX_ID = 2_147_483_647


def id_path(description: str) -> Any:
    """A positive 32-bit id taken from the URL path."""
    return Path(..., ge=1, le=MAX_ID, description=description)
