"""Bearer-token authentication and per-token rate limiting for every /v1 route."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache
from typing import Optional

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse, storage, strategies

from backend.errors import ApiError

bearer_scheme = HTTPBearer(auto_error=False, description="Service token from BACKEND_API_TOKEN")


@lru_cache(maxsize=1)
def _limiter() -> tuple:
    """Moving-window limiter; in memory by default, shared when BACKEND_RATE_LIMIT_STORAGE is e.g. redis://."""
    backend_storage = storage.storage_from_string(os.environ.get("BACKEND_RATE_LIMIT_STORAGE", "memory://"))
    limit = parse(os.environ.get("BACKEND_RATE_LIMIT", "1200/minute"))
    # The storage is returned too: the limiter only holds a weak reference to it.
    return strategies.MovingWindowRateLimiter(backend_storage), limit, backend_storage


def require_token(
    request: Request, credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer_scheme)
) -> None:
    """Reject the request unless it carries the configured bearer token and is within its rate limit."""
    expected: str = request.app.state.settings.api_token
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "A bearer token is required.")
    if not secrets.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "The bearer token is not valid.")
    limiter, limit, _storage = _limiter()
    token_id = hashlib.sha256(credentials.credentials.encode()).hexdigest()[:16]
    if not limiter.hit(limit, "token", token_id):
        raise ApiError(429, "rate_limited", f"Too many requests for this token (limit {limit}).")
