"""The reference backend: the store's CRM, orders, billing and ticketing as one HTTP JSON service.

Transactions: services flush, views commit. A view's one commit makes the change and everything recorded
with it (an idempotency key, an outbox email, a counted wrong code) durable together.
"""

from __future__ import annotations

import uuid
from typing import Optional

from fastapi import Depends, FastAPI
from sqlalchemy import text

from backend import sealing
from backend.assist.views import router as assist_router
from backend.billing.views import router as billing_router
from backend.customers.views import router as customers_router
from backend.identity.service import VerificationPolicy
from backend.identity.views import router as identity_router
from backend.notifications.views import router as notifications_router
from backend.orders.lookups import LookupBudget
from backend.orders.views import router as orders_router
from backend.privacy.views import router as privacy_router
from backend.security import authenticate, credentials_from
from backend.tickets.views import router as tickets_router
from common.database import make_engine, make_session_factory
from common.errors import error_body, install_error_handlers
from common.ratelimit import Limiter
from common.settings import BackendSettings, backend_settings, run_id
from common.telemetry import instrument_fastapi

API_PREFIX = "/v1"


def create_app(settings: Optional[BackendSettings] = None) -> FastAPI:
    """Build the application with its database and routes."""
    settings = settings or backend_settings()
    app = FastAPI(
        title="Frontdesk reference backend",
        version="2.0.0",
        description="CRM, orders, billing and ticketing for the Frontdesk assistant. Every /v1 route needs "
        "`Authorization: Bearer <token>` of a calling service (actions, console or admin), within its scopes.",
        responses={
            422: {
                "description": "Validation error",
                "content": {
                    "application/json": {
                        "example": error_body("validation_error", "The request is not valid.")
                    }
                },
            }
        },
    )
    engine = make_engine(settings.database_url)
    limiter = Limiter(settings.rate_limit_storage)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    # What the outbox and idempotency keys seal with (backend/sealing.py).
    app.state.session_factory.configure(info={sealing.SECRET_INFO_KEY: settings.storage_secret})
    app.state.credentials = credentials_from(settings)
    app.state.limiter = limiter
    app.state.lookup_budget = LookupBudget(
        limiter,
        per_email=settings.lookup_failures_per_email,
        per_address=settings.lookup_failures_per_address,
    )
    app.state.verification_policy = VerificationPolicy.from_settings(
        token_ttl_seconds=settings.verification_token_ttl_seconds,
        failures=settings.code_failures_per_customer,
        lockout_minutes=settings.lockout_minutes,
    )
    # Answered by /health, so a runner can tell its own process from a stale one on the same port.
    app.state.run_id = run_id() or uuid.uuid4().hex
    install_error_handlers(app)

    authenticated = [Depends(authenticate)]
    for router in (
        customers_router,
        identity_router,
        orders_router,
        billing_router,
        tickets_router,
        assist_router,
        privacy_router,
    ):
        app.include_router(router, prefix=API_PREFIX, dependencies=authenticated)
    if settings.development_routes:
        # Development only: lets people and tests read the one-time codes and links the store "sent".
        app.include_router(notifications_router, prefix=API_PREFIX, dependencies=authenticated)

    instrument_fastapi(app, "backend")

    @app.get("/health", tags=["health"])
    def health() -> dict:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "run_id": app.state.run_id}

    @app.on_event("shutdown")
    def _dispose() -> None:
        engine.dispose()

    return app
