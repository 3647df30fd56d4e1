"""The agent console web app: JSON API under /api and the single-page UI at /."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from limits import parse, storage, strategies

from console.agents.views import router as agents_router
from console.clients.backend import BackendClient
from console.clients.rasa import RasaClient
from console.config import ConsoleSettings
from console.config import settings as load_settings
from console.corrections.views import router as corrections_router
from console.database import create_schema, make_engine, session_factory
from console.errors import error_body, install_error_handlers
from console.handoffs.views import router as handoffs_router
from console.texts import CustomerTexts

STATIC_DIR = Path(__file__).resolve().parent / "static"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class FailedLogins:
    """Failed logins per username in a moving window, with the `limits` library like the other limiters.

    In memory: one console process per deployment.
    """

    def __init__(self, limit: str) -> None:
        self.limit = parse(limit)
        # Kept as an attribute: the limiter only holds a weak reference to its storage.
        self.storage = storage.MemoryStorage()
        self.limiter = strategies.MovingWindowRateLimiter(self.storage)

    def allowed(self, key: str) -> bool:
        return self.limiter.test(self.limit, "console-login", key)

    def failed(self, key: str) -> None:
        self.limiter.hit(self.limit, "console-login", key)


def create_app(config: Optional[ConsoleSettings] = None) -> FastAPI:
    """The console wired to its database, the store backend and Rasa."""
    config = config or load_settings()
    app = FastAPI(title="Frontdesk agent console", docs_url=None, redoc_url=None)
    engine = make_engine(config.database_url)
    create_schema(engine)
    app.state.settings = config
    app.state.session_factory = session_factory(engine)
    app.state.backend = BackendClient(config.backend_url, config.backend_token)
    app.state.rasa = RasaClient(config.rasa_url, config.rasa_token)
    app.state.texts = CustomerTexts(config.domain_path)
    app.state.login_limiter = FailedLogins(config.login_attempts)
    app.state.online_after = lambda now: now - timedelta(seconds=config.agent_online_seconds)
    install_error_handlers(app)

    @app.middleware("http")
    async def same_origin_writes(request: Request, call_next):  # type: ignore[no-untyped-def]
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
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.include_router(agents_router)
    app.include_router(handoffs_router)
    app.include_router(corrections_router)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "time": datetime.utcnow().isoformat() + "Z"}

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
