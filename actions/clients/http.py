"""The HTTP transport shared by the backend clients: base URL, bearer token, timeouts, error mapping."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import requests

from actions.config import BackendSettings, backend_settings


class BackendError(Exception):
    """The backend refused the request (4xx) with a stable error code."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class BackendUnavailable(Exception):
    """The backend could not be reached, timed out, or failed on its side (5xx)."""


class HttpTransport:
    """Sends JSON requests to one backend and turns failures into BackendError / BackendUnavailable."""

    def __init__(
        self, settings: Optional[BackendSettings] = None, session: Optional[requests.Session] = None
    ):
        self.settings = settings or backend_settings()
        # One pooled session per transport: connections are reused across actions.
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {self.settings.api_token}", "Accept": "application/json"}
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """Send one request and return the decoded JSON body of a 2xx answer."""
        url = f"{self.settings.base_url}{path}"
        try:
            response = self.session.request(
                method,
                url,
                json=json,
                params=params,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except requests.RequestException as exc:
            raise BackendUnavailable(f"{method} {path}: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise BackendUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if not response.ok:
            error = _error_of(response)
            raise BackendError(
                response.status_code,
                error.get("code", "error"),
                error.get("message", ""),
                error.get("details"),
            )
        if response.status_code == 204 or not response.content:
            return None
        return response.json()


def _error_of(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {"code": "error", "message": response.text[:200]}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {"code": "error", "message": str(body)[:200]}
