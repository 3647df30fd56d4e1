"""The HTTP transport shared by the backend clients: base URL, token, timeouts, retries, circuit breakers.

- Every call has a connect and a read timeout.
- Only idempotent calls (GET, or a write carrying an Idempotency-Key) are retried: a bounded number of
  attempts with exponential backoff and jitter, and only for failures on the backend's side.
- Each backend API has its own circuit breaker; while it is open, calls fail at once with
  BackendUnavailable instead of waiting on a dead service.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import pybreaker
import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

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
    """The backend could not be reached, timed out, failed on its side (5xx), or its breaker is open."""


class HttpTransport:
    """Sends JSON requests to the backend and turns failures into BackendError / BackendUnavailable."""

    def __init__(
        self, settings: Optional[BackendSettings] = None, session: Optional[requests.Session] = None
    ) -> None:
        self.settings = settings or backend_settings()
        # One pooled session per transport: connections are reused across actions.
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {self.settings.api_token}", "Accept": "application/json"}
        )

    def new_breaker(self, name: str) -> pybreaker.CircuitBreaker:
        """A circuit breaker for one backend API; refusals (4xx) are answers, not failures."""
        return pybreaker.CircuitBreaker(
            fail_max=self.settings.breaker_fail_max,
            reset_timeout=self.settings.breaker_reset_seconds,
            exclude=[BackendError],
            name=name,
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        breaker: pybreaker.CircuitBreaker,
        json: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        verification_token: Optional[str] = None,
    ) -> Any:
        """Send one logical request (with retries when safe) and return the decoded JSON of a 2xx answer."""
        headers = {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if verification_token:
            headers["X-Verification-Token"] = verification_token
        retry_safe = method == "GET" or idempotency_key is not None
        attempts = self.settings.retry_attempts if retry_safe else 1

        def send_with_retries() -> Any:
            for attempt in Retrying(
                stop=stop_after_attempt(max(attempts, 1)),
                wait=wait_exponential_jitter(multiplier=0.2, max=2.0),
                retry=retry_if_exception_type(BackendUnavailable),
                reraise=True,
            ):
                with attempt:
                    return self._send(method, path, json=json, params=params, headers=headers)
            return None  # unreachable: Retrying either returns or re-raises

        try:
            return breaker.call(send_with_retries)
        except pybreaker.CircuitBreakerError as exc:
            raise BackendUnavailable(f"{breaker.name}: circuit open") from exc

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Optional[Mapping[str, Any]],
        params: Optional[Mapping[str, Any]],
        headers: Mapping[str, str],
    ) -> Any:
        url = f"{self.settings.base_url}{path}"
        try:
            response = self.session.request(
                method,
                url,
                json=json,
                params=params,
                headers=headers,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except requests.RequestException as exc:
            raise BackendUnavailable(f"{method} {path}: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise BackendUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if not response.ok:
            error = _error_of(response)
            if response.status_code == 429 and error.get("code") == "rate_limited":
                # Our own service token is throttled: the backend is unavailable to us for now.
                raise BackendUnavailable(f"{method} {path}: rate limited")
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


class ServiceClient:
    """Base of the typed clients: one breaker per backend API over the shared transport."""

    api_name = "backend"

    def __init__(self, transport: HttpTransport) -> None:
        self.transport = transport
        self.breaker = transport.new_breaker(self.api_name)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.transport.request(method, path, breaker=self.breaker, **kwargs)
