"""Rasa's /metrics, as an input channel: GET /webhooks/metrics/ serves the Prometheus exposition of the
Rasa process (request latency per route, errors, NLU confidence, fallbacks and handoffs counted from the
events its broker publishes: analytics/rasa_broker.py). It receives no messages.

Listed in credentials.yml; the replicas' internal port is scraped, nginx never publishes it.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from common import logs
from common.telemetry import allowed, exposition, instrument_sanic, metrics_token

SERVICE = "rasa"


class MetricsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "metrics"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        token = metrics_token()
        # Rasa set up its logging before loading the channels: its lines (and the other channels') go through
        # the redactor from here on; again at server start, for handlers Sanic added meanwhile.
        logs.protect_all_handlers()
        metrics = Blueprint("frontdesk_metrics", __name__)

        @metrics.listener("before_server_start")
        async def _instrument(app: Any, _loop: Any) -> None:
            # App-wide latency and error series for every Rasa route, channels and HTTP API alike.
            instrument_sanic(app, SERVICE, serve_route=False)
            logs.protect_all_handlers()

        @metrics.route("/", methods=["GET"])
        async def _exposition(request: Request) -> HTTPResponse:
            if not allowed(request.headers.get("Authorization", ""), token):
                return response.empty(status=401)
            body, content_type = exposition()
            return response.raw(body, content_type=content_type)

        return metrics
