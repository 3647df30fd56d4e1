"""The one HTTP transport under every typed client: base URL, credential, timeouts, retries, circuit breakers.

- Every call has a connect and a read timeout.
- Only idempotent calls (GET, PUT, or a write carrying an Idempotency-Key) are retried: a bounded number of
  attempts with exponential backoff and jitter, and only for failures on the other side.
- Each API has its own circuit breaker; while it is open, calls fail at once with ServiceUnavailable
  instead of waiting on a dead service.

The transport is synchronous (requests). The action server runs it in worker threads
(actions/blocking.py) so that a slow call never holds up other conversations.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from clients.breaker import CircuitBreaker, CircuitOpenError
from common.logs import correlation_headers
from common.settings import ServiceEndpoint


class ServiceRefused(Exception):
    """The service refused the request (4xx) with a stable error code."""

    def __init__(self, service: str, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{service}: {status} {code}: {message}")
        self.service = service
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class ServiceUnavailable(Exception):
    """The service could not be reached, timed out, failed on its side (5xx), throttled us, or its
    breaker is open."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service


class HttpTransport:
    """Sends JSON requests to one service and turns failures into ServiceRefused / ServiceUnavailable."""

    def __init__(
        self,
        endpoint: ServiceEndpoint,
        *,
        service: str,
        session: Optional[requests.Session] = None,
        auth_in_query: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.service = service
        # One pooled session per transport: connections are reused across calls.
        self.session = session or requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.default_params: Dict[str, str] = {}
        if endpoint.token:
            self.session.headers["Authorization"] = f"Bearer {endpoint.token}"
            if auth_in_query:  # Rasa's HTTP API reads its --auth-token from the query string
                self.default_params["token"] = endpoint.token

    def new_breaker(self, name: str) -> CircuitBreaker:
        """A circuit breaker for one API; refusals (4xx) are answers, not failures."""
        return CircuitBreaker(
            name,
            fail_max=self.endpoint.breaker_fail_max,
            reset_timeout=self.endpoint.breaker_reset_seconds,
            exclude=(ServiceRefused,),
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        breaker: CircuitBreaker,
        json: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
        read_timeout: Optional[float] = None,
    ) -> Any:
        """Send one logical request (with retries when safe) and return the decoded JSON of a 2xx answer."""
        all_headers = dict(headers or {})
        if idempotency_key:
            all_headers["Idempotency-Key"] = idempotency_key
        # GET and PUT are idempotent by definition; other writes only with an Idempotency-Key.
        retry_safe = method in ("GET", "PUT") or idempotency_key is not None
        attempts = self.endpoint.retry_attempts if retry_safe else 1

        def send_with_retries() -> Any:
            for attempt in Retrying(
                stop=stop_after_attempt(max(attempts, 1)),
                wait=wait_exponential_jitter(multiplier=0.2, max=2.0),
                retry=retry_if_exception_type(ServiceUnavailable),
                reraise=True,
            ):
                with attempt:
                    return self._send(
                        method, path, json=json, params=params, headers=all_headers, read_timeout=read_timeout
                    )
            return None  # unreachable: Retrying either returns or re-raises

        try:
            return breaker.call(send_with_retries)
        except CircuitOpenError as exc:
            raise ServiceUnavailable(self.service, f"{breaker.name}: circuit open") from exc

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any,
        params: Optional[Mapping[str, Any]],
        headers: Mapping[str, str],
        read_timeout: Optional[float] = None,
    ) -> Any:
        try:
            response = self.session.request(
                method,
                f"{self.endpoint.base_url}{path}",
                json=json,
                params={**self.default_params, **(params or {})},
                headers={**correlation_headers(), **headers},
                timeout=(self.endpoint.connect_timeout, read_timeout or self.endpoint.read_timeout),
            )
        except requests.RequestException as exc:
            raise ServiceUnavailable(self.service, f"{method} {path}: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(self.service, f"{method} {path}: HTTP {response.status_code}")
        if not response.ok:
            error = _error_of(response)
            if response.status_code == 429 and error.get("code") == "rate_limited":
                # Our own credential is throttled: the service is unavailable to us for now.
                raise ServiceUnavailable(self.service, f"{method} {path}: rate limited")
            raise ServiceRefused(
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
    if isinstance(body, dict) and "message" in body:  # Rasa's own error shape
        return {"code": str(body.get("reason") or "error"), "message": str(body["message"])[:200]}
    return {"code": "error", "message": str(body)[:200]}


class ServiceClient:
    """Base of the typed clients: one breaker per API over a shared transport."""

    api_name = "api"

    def __init__(self, transport: HttpTransport) -> None:
        self.transport = transport
        self.breaker = transport.new_breaker(self.api_name)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.transport.request(method, path, breaker=self.breaker, **kwargs)
