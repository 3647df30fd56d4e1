"""Validated path parameters: ids outside the database's integer range are a 422, not a 500."""

from __future__ import annotations

from fastapi import Path

MAX_ID = 2_147_483_647


def id_path(description: str) -> int:
    """A positive 32-bit id taken from the URL path."""
    return Path(..., ge=1, le=MAX_ID, description=description)
