"""The triage service as `make run` and compose start it: the SMTP receiver and the contact form in one
process, over the typed clients (clients/) with triage's own backend credential (BACKEND_TRIAGE_TOKEN:
tickets:create and orders:lookup only, backend/security.py) and Rasa's HTTP API token (`/model/parse`)."""

from __future__ import annotations

import logging
from typing import Optional, Tuple

import uvicorn

from clients.backend.orders import OrdersClient
from clients.backend.ticketing import TicketingClient
from clients.http import HttpTransport
from clients.rasa import RasaClient
from common import logs
from common.ratelimit import Limiter
from common.settings import ServiceEndpoint
from common.triage_settings import TriageSettings, triage_settings
from triage.calibration import UNFITTED, Calibration
from triage.enrich import warm_up
from triage.matching import SenderMatcher
from triage.pipeline import Triage
from triage.smtp import SmtpReceiver, TriageHandler
from triage.web import create_app

logger = logging.getLogger(__name__)


def load_calibration(settings: TriageSettings) -> Calibration:
    if settings.calibration_path.is_file():
        return Calibration.load(settings.calibration_path)
    logger.warning("no calibration at %s: nothing below %.2f is auto-routed", settings.calibration_path, 0.9)
    return UNFITTED


def rasa_client(settings: TriageSettings) -> RasaClient:
    endpoints = settings.endpoints
    return RasaClient.connect(
        ServiceEndpoint(
            endpoints.rasa_url, endpoints.rasa_token, endpoints.connect_timeout, endpoints.read_timeout, 2
        )
    )


def build(settings: TriageSettings) -> Tuple[Triage, Limiter]:
    endpoints = settings.endpoints
    transport = HttpTransport(
        ServiceEndpoint(
            endpoints.backend_url,
            endpoints.backend_token,
            endpoints.connect_timeout,
            endpoints.read_timeout,
            3,
        ),
        service="store backend",
    )
    limiter = Limiter(settings.rate_limit_storage)
    triage = Triage(
        parse=rasa_client(settings).parse,
        tickets=TicketingClient(transport),
        matcher=SenderMatcher(OrdersClient(transport), limiter, settings.lookups_per_sender),
        calibration=load_calibration(settings),
        threshold=settings.auto_route_threshold,
    )
    return triage, limiter


def serve(host: str, port: int, log_level: str = "info", settings: Optional[TriageSettings] = None) -> None:
    """The SMTP receiver (its own thread) and the contact form (uvicorn) until stopped."""
    logs.configure("triage", level=logging.getLevelName(log_level.upper()))
    # aiosmtpd traces every SMTP command at INFO; triage logs one line per message itself.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    settings = settings or triage_settings()
    warm_up()
    triage, limiter = build(settings)
    receiver = SmtpReceiver(TriageHandler(triage, settings, limiter), settings)
    receiver.start()
    logger.info("SMTP intake on %s:%s", settings.smtp_host, settings.smtp_port)
    try:
        uvicorn.run(create_app(settings, triage.handle, limiter), host=host, port=port, log_config=None)
    finally:
        receiver.stop()
