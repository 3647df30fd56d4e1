"""The action server: rasa-sdk's app, accepting calls only from Rasa, with the handoff delivery worker.

`python -m actions.server --port 5055`. Rasa presents ACTION_SERVER_TOKEN on every call (endpoints.yml,
`action_endpoint.token`, sent as `?token=`); any other caller gets 401, so a forged tracker posted to
the port cannot run an action. `/health` stays open and echoes this run's id for the stack runner.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys
import uuid
from typing import List, Optional

from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import handoff_queue
from actions.backend import settings
from common import logs
from common.settings import ConfigurationError, run_id
from common.telemetry import METRICS_PATH, PENDING_HANDOFFS, instrument_sanic

logger = logging.getLogger(__name__)
TOKEN_PARAMETER = "token"


def presented_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get(TOKEN_PARAMETER, "")


def create_app() -> Sanic:
    expected = settings().action_server_token.encode()
    this_run = run_id() or uuid.uuid4().hex
    app = create_sdk_app("actions", cors_origins=[])
    instrument_sanic(app, "actions")
    PENDING_HANDOFFS.labels("actions").set_function(lambda: len(handoff_queue.pending_handoffs().waiting()))

    @app.middleware("request")
    async def only_rasa(request: Request) -> Optional[HTTPResponse]:
        if request.path == "/health":
            return response.json({"status": "ok", "run_id": this_run})
        if request.path == METRICS_PATH:
            return None  # Prometheus is not Rasa: the route checks METRICS_TOKEN itself
        if not hmac.compare_digest(presented_token(request).encode(), expected):
            return response.json({"error": "only the assistant may call the action server"}, status=401)
        return None

    @app.listener("before_server_start")
    async def deliver_waiting_handoffs(_app: Sanic, _loop: object) -> None:
        # At boot, not after the next failure: handoffs queued before a restart must not stall.
        handoff_queue.start_delivery_worker()

    return app


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Frontdesk action server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logs.configure("actions")
    try:
        app = create_app()
    except ConfigurationError as exc:
        print(f"The action server refuses to start: {exc}", file=sys.stderr)
        return 2
    app.run(host=args.host, port=args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
