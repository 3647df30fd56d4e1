"""Bearer-token authentication for every /v1 route."""

from __future__ import annotations

import secrets
from typing import Optional

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.errors import ApiError

bearer_scheme = HTTPBearer(auto_error=False, description="Service token from BACKEND_API_TOKEN")


def require_token(
    request: Request,
    credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer_scheme),
) -> None:
    """Reject the request unless it carries the configured bearer token."""
    expected: str = request.app.state.settings.api_token
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "A bearer token is required.")
    if not secrets.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "The bearer token is not valid.")
