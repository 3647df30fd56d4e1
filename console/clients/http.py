"""A small JSON-over-HTTP base for the console's clients: base URL, auth, timeouts, one error type."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

import requests

from console.errors import ConsoleError


class UpstreamError(ConsoleError):
    """A service the console depends on refused the request (4xx) with a stable code."""

    def __init__(self, service: str, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status, code, message, details)
        self.service = service


class JsonClient:
    service = "service"

    def __init__(
        self,
        base_url: str,
        *,
        headers: Optional[Mapping[str, str]] = None,
        params: Optional[Mapping[str, str]] = None,
        timeout: tuple = (2.0, 10.0),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", **(headers or {})})
        self.default_params: Dict[str, str] = dict(params or {})
        self.timeout = timeout

    def call(
        self, method: str, path: str, *, json: Any = None, params: Optional[Mapping[str, Any]] = None
    ) -> Any:
        """The decoded JSON of a 2xx answer; UpstreamError for 4xx; 502 ConsoleError when unreachable."""
        try:
            response = self.session.request(
                method,
                f"{self.base_url}{path}",
                json=json,
                params={**self.default_params, **(params or {})},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ConsoleError(
                502, f"{self.service}_unavailable", f"The {self.service} is not reachable right now."
            ) from exc
        if response.status_code >= 500:
            raise ConsoleError(502, f"{self.service}_unavailable", f"The {self.service} failed to answer.")
        if not response.ok:
            error = _error_of(response)
            raise UpstreamError(
                self.service,
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
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    if isinstance(body, dict) and "message" in body:
        return {"code": "error", "message": str(body["message"])[:200]}
    return {"code": "error", "message": str(body)[:200]}
