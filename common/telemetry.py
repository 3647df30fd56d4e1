"""Operational telemetry shared by every service: Prometheus series, their /metrics exposition, and HTTP
instrumentation for the FastAPI services (backend, console, web chat) and the Sanic ones (Rasa through
channels/metrics.py, the action server).

Series (every one labelled with the `service` that exposes it):
- frontdesk_http_request_duration_seconds{route, method}: latency per route template (not per URL, so ids
  do not explode the label set); frontdesk_http_requests_total{route, method, status} for error rates;
- frontdesk_errors_total{error_class}: unhandled exceptions by class and 5xx answers;
- frontdesk_breaker_open{api}: 1 while a circuit breaker to that API is open (read at scrape time);
- frontdesk_pending_handoffs (action server: handoffs waiting for ticketing), frontdesk_agent_queue_length
  (console: handed-over conversations waiting for an agent);
- frontdesk_nlu_confidence (histogram), frontdesk_fallbacks_total, frontdesk_handoffs_total{reason}: Rasa,
  counted from the events its broker publishes (analytics/rasa_broker.py);
- frontdesk_kb_answers_total{article}, frontdesk_kb_abstentions_total: Rasa, answers given from each
  knowledge-base article (by id: the published articles bound the label set) and store questions answered
  "I don't know" (analytics/rasa_broker.py);
- frontdesk_degraded_to_humans_total: conversations offered a person at once because backends were failing.

METRICS_TOKEN, when set, is required as a bearer token on /metrics (the console and the web chat publish
ports); Prometheus sends it (deploy/prometheus/prometheus.yml).
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any, Callable, Iterable, Optional, Tuple

from fastapi import Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from clients.breaker import OPEN, all_breakers
from common import logs
from common.settings import optional_secret

METRICS_PATH = "/metrics"
access_log = logging.getLogger("frontdesk.http")

REQUEST_SECONDS = Histogram(
    "frontdesk_http_request_duration_seconds",
    "Time to answer an HTTP request, per route template.",
    ["service", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUESTS = Counter(
    "frontdesk_http_requests_total",
    "HTTP requests answered, per route and status.",
    ["service", "route", "method", "status"],
)
ERRORS = Counter("frontdesk_errors_total", "Errors by class.", ["service", "error_class"])
PENDING_HANDOFFS = Gauge(
    "frontdesk_pending_handoffs", "Handoffs waiting for ticketing to come back.", ["service"]
)
AGENT_QUEUE = Gauge(
    "frontdesk_agent_queue_length", "Handed-over conversations waiting for an agent.", ["service"]
)
NLU_CONFIDENCE = Histogram(
    "frontdesk_nlu_confidence",
    "Confidence of the intent NLU picked for each customer message.",
    ["service"],
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
)
FALLBACKS = Counter("frontdesk_fallbacks_total", "Customer messages NLU did not understand.", ["service"])
HANDOFFS = Counter(
    "frontdesk_handoffs_total", "Conversations handed to a person, by reason.", ["service", "reason"]
)
KB_ANSWERS = Counter(
    "frontdesk_kb_answers_total",
    "Answers given from a knowledge-base article, by article id.",
    ["service", "article"],
)
KB_ABSTENTIONS = Counter(
    "frontdesk_kb_abstentions_total",
    "Store questions answered 'I don't know' because no knowledge-base article was good enough.",
    ["service"],
)
DEGRADED = Counter(
    "frontdesk_degraded_to_humans_total",
    "New conversations offered a person at once because the backends were failing.",
    ["service"],
)


class BreakerCollector(Collector):
    """Breaker states read when Prometheus scrapes, so an open breaker shows without any call."""

    def __init__(self, service: str) -> None:
        self.service = service

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "frontdesk_breaker_open",
            "1 while the circuit breaker to this API is open.",
            labels=["service", "api"],
        )
        for breaker in all_breakers():
            family.add_metric([self.service, breaker.name], 1.0 if breaker.current_state == OPEN else 0.0)
        yield family


_registered_breakers = False


def watch_breakers(service: str) -> None:
    global _registered_breakers
    if not _registered_breakers:
        REGISTRY.register(BreakerCollector(service))
        _registered_breakers = True


def exposition() -> Tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def metrics_token() -> Optional[str]:
    return optional_secret("METRICS_TOKEN")


def allowed(authorization: str, token: Optional[str]) -> bool:
    return token is None or hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


def observe(service: str, route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(service, route, method).observe(seconds)
    REQUESTS.labels(service, route, method, str(status)).inc()
    if status >= 500:
        ERRORS.labels(service, f"http_{status}").inc()


def count_error(service: str, error: BaseException) -> None:
    ERRORS.labels(service, type(error).__name__).inc()


def instrument_fastapi(app: Any, service: str) -> None:
    """Latency, status and errors per route template, the correlation ids with one log line per request, and
    GET /metrics, on a FastAPI app."""
    token = metrics_token()
    watch_breakers(service)

    @app.middleware("http")
    async def _measure(request: Request, call_next: Callable) -> Any:
        started = time.perf_counter()
        request_id = logs.clean_id(request.headers.get(logs.REQUEST_ID_HEADER)) or logs.new_request_id()
        logs.request_id.set(request_id)
        logs.conversation_id.set(logs.clean_id(request.headers.get(logs.CONVERSATION_ID_HEADER)))
        try:
            response = await call_next(request)
        except Exception as exc:
            count_error(service, exc)
            observe(service, _route_of(request), request.method, 500, time.perf_counter() - started)
            access_log.exception("%s %s failed", request.method, _route_of(request))
            raise
        _finished(service, _route_of(request), request.method, response.status_code, started)
        response.headers[logs.REQUEST_ID_HEADER] = request_id
        return response

    @app.get(METRICS_PATH, include_in_schema=False)
    def _metrics(request: Request) -> Response:
        if not allowed(request.headers.get("Authorization", ""), token):
            return Response(status_code=401)
        body, content_type = exposition()
        return Response(body, media_type=content_type)


def _finished(service: str, route: str, method: str, status: int, started: float) -> None:
    seconds = time.perf_counter() - started
    observe(service, route, method, status, seconds)
    if route != METRICS_PATH:
        access_log.info("%s %s %s %.0f ms", method, route, status, seconds * 1000)


def _route_of(request: Any) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", None) or "unmatched"


def instrument_sanic(app: Any, service: str, serve_route: bool = True) -> None:
    """The same for a Sanic app: the action server (which also gets GET /metrics here) and Rasa (whose
    exposition route is the metrics channel's, channels/metrics.py, since routes cannot be added once Rasa's
    server is starting)."""
    from sanic import response as sanic_response

    token = metrics_token()
    watch_breakers(service)

    if serve_route:

        async def _metrics(request: Any) -> Any:
            if not allowed(request.headers.get("Authorization", ""), token):
                return sanic_response.empty(status=401)
            body, content_type = exposition()
            return sanic_response.raw(body, content_type=content_type)

        app.add_route(_metrics, METRICS_PATH, methods=["GET"], name="frontdesk_metrics")

    async def _start(request: Any) -> None:
        request.ctx.started = time.perf_counter()
        request.ctx.request_id = (
            logs.clean_id(request.headers.get(logs.REQUEST_ID_HEADER)) or logs.new_request_id()
        )
        logs.request_id.set(request.ctx.request_id)
        conversation = logs.clean_id(request.headers.get(logs.CONVERSATION_ID_HEADER))
        if conversation is None and request.path == "/webhook":  # the action server: Rasa sends the tracker
            conversation = _sender_of(request)
        logs.conversation_id.set(conversation)

    async def _finish(request: Any, response: Any) -> None:
        started = getattr(request.ctx, "started", None)
        if started is None:
            return
        route = "/" + (request.route.path if getattr(request, "route", None) else "unmatched").lstrip("/")
        _finished(service, route, request.method, response.status, started)
        response.headers[logs.REQUEST_ID_HEADER] = request.ctx.request_id

    app.register_middleware(_start, "request")
    app.register_middleware(_finish, "response")


def _sender_of(request: Any) -> Optional[str]:
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - a malformed body is the route's business, not the logger's
        return None
    return (
        logs.clean_id(str(body.get("sender_id")))
        if isinstance(body, dict) and body.get("sender_id")
        else None
    )
