"""The agent console web app: JSON API under /api and the single-page UI at /."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Awaitable, Callable, Optional
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from analytics.consumer import open_store
from clients.backend import BackendApi
from clients.http import ServiceRefused, ServiceUnavailable
from clients.rasa import RasaClient
from common.attachment_retention import start_hourly_purge
from common.database import make_engine, make_session_factory, utcnow
from common.errors import error_body, install_error_handlers
from common.event_stream import Publisher
from common.knowledge_settings import knowledge_settings
from common.ratelimit import Limiter
from common.settings import ConsoleSettings, analytics_settings, console_settings, learning_settings, run_id
from common.telemetry import AGENT_QUEUE, instrument_fastapi
from common.texts import MessageTemplates, Texts
from console.agents.throttle import LoginThrottle
from console.agents.views import router as agents_router
from console.attachments.views import router as attachments_router
from console.corrections.views import router as corrections_router
from console.handoffs.availability import AvailabilityCache
from console.handoffs.previews import LivePreviews
from console.handoffs.signals import TypingThrottle
from console.handoffs.signals import router as signals_router
from console.handoffs.views import router as handoffs_router
from console.history.views import router as history_router
from console.inbox.views import router as inbox_router
from console.kb.published import prepare as prepare_knowledge_base
from console.kb.views import router as kb_router
from console.macros.views import router as macros_router
from console.metrics.views import router as metrics_router
from console.notes.views import router as notes_router
from console.privacy.downloads import router as privacy_downloads_router
from console.privacy.views import router as privacy_router
from console.registry.views import router as registry_router
from console.schema import create_schema
from console.suggestions.views import router as suggestions_router
from console.tools.views import router as tools_router

STATIC_DIR = Path(__file__).resolve().parent / "static"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# What the console says to customers in chat (domain.yml); its email to them comes from emails.yml.
CUSTOMER_RESPONSES = ("utter_agent_joined", "utter_agent_transferred", "utter_agent_unassigned")


def waiting_for_an_agent(availability: AvailabilityCache) -> float:
    """The queue length for /metrics (from the availability cache: a scrape costs no extra backend call)."""
    try:
        return float(availability.get(None)["queue_length"])
    except Exception:  # noqa: BLE001 - the backend being down must not break the scrape; NaN says "unknown"
        return float("nan")


def create_app(config: Optional[ConsoleSettings] = None) -> FastAPI:
    """The console wired to its database, the store backend and Rasa."""
    config = config or console_settings()
    app = FastAPI(title="Frontdesk agent console", docs_url=None, redoc_url=None)
    engine = make_engine(config.database_url)
    create_schema(engine)
    limiter = Limiter("memory://")  # one console process per deployment
    backend = BackendApi.connect(config.backend)
    app.state.settings = config
    app.state.learning = learning_settings()
    app.state.knowledge = knowledge_settings()
    app.state.session_factory = make_session_factory(engine)
    prepare_knowledge_base(
        app.state.session_factory, *app.state.knowledge.sources, published_dir=app.state.knowledge.published_dir
    )
    app.state.backend = backend
    app.state.rasa = RasaClient.connect(config.rasa)
    app.state.previews = LivePreviews(app.state.rasa)
    app.state.typing_throttle = TypingThrottle()
    app.state.texts = Texts(CUSTOMER_RESPONSES, config.domain_path)
    app.state.emails = MessageTemplates()
    app.state.limiter = limiter
    app.state.login_throttle = LoginThrottle(config, limiter)
    app.state.availability = AvailabilityCache(
        settings=config, backend=backend, session_factory=app.state.session_factory
    )
    app.state.online_after = lambda now: now - timedelta(seconds=config.agent_online_seconds)
    app.state.run_id = run_id() or uuid.uuid4().hex
    stream = analytics_settings()
    app.state.events = Publisher("console", stream.stream_url, stream.queue)
    # The dashboard reads the analytics consumer's store (an empty one until the consumer has run).
    app.state.analytics_sessions = open_store(stream.database_url)
    install_error_handlers(app)

    @app.exception_handler(ServiceRefused)
    async def _refused(_request: Request, exc: ServiceRefused) -> JSONResponse:
        # A refusal the route did not turn into its own answer: pass the service's reason on.
        status = exc.status if 400 <= exc.status < 500 else 502
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=status)

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(_request: Request, exc: ServiceUnavailable) -> JSONResponse:
        code = exc.service.replace(" ", "_") + "_unavailable"
        return JSONResponse(
            error_body(code, f"The {exc.service} is not reachable right now."), status_code=502
        )

    @app.middleware("http")
    async def same_origin_writes(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # With SameSite=Strict cookies this refuses the rest of cross-site request forgery: a write whose
        # Origin is another site, or whose body is not JSON (HTML forms cannot send JSON).
        if request.method in UNSAFE_METHODS and request.url.path.startswith("/api/"):
            origin = request.headers.get("origin")
            if origin and urlsplit(origin).netloc != request.headers.get("host"):
                return JSONResponse(error_body("cross_site_request", "Cross-site requests are refused."), 403)
            content_type = request.headers.get("content-type", "")
            has_body = request.headers.get("content-length", "0") not in ("", "0")
            if has_body and not content_type.startswith("application/json"):
                return JSONResponse(error_body("json_required", "Send JSON."), 415)
            if int(request.headers.get("content-length") or 0) > 65_536:
                return JSONResponse(error_body("request_too_large", "The body is too large."), 413)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    instrument_fastapi(app, "console")
    AGENT_QUEUE.labels("console").set_function(lambda: waiting_for_an_agent(app.state.availability))
    app.include_router(agents_router)
    app.include_router(handoffs_router)
    app.include_router(signals_router)
    app.include_router(corrections_router)
    app.include_router(metrics_router)
    app.include_router(tools_router)
    app.include_router(macros_router)
    app.include_router(notes_router)
    app.include_router(history_router)
    app.include_router(attachments_router)
    app.include_router(inbox_router)
    app.include_router(registry_router)
    app.include_router(privacy_router)
    app.include_router(privacy_downloads_router)
    app.include_router(kb_router)
    app.include_router(suggestions_router)

    @app.on_event("startup")
    def purge_old_attachments() -> None:
        # Retention of customers' files (ATTACHMENT_RETENTION_DAYS): the console runs wherever they are served.
        app.state.attachment_purge = start_hourly_purge()

    @app.on_event("shutdown")
    def stop_purging() -> None:
        purging = getattr(app.state, "attachment_purge", None)
        if purging is not None:
            purging.set()

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "time": utcnow().isoformat() + "Z", "run_id": app.state.run_id}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        # The page itself holds no data: everything it shows comes from /api, which needs a login.
        return FileResponse(
            STATIC_DIR / "index.html",
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
            },
        )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
