"""The reference backend: the store's CRM, orders, billing and ticketing as one HTTP JSON service."""

from __future__ import annotations

from typing import Optional

from fastapi import Depends, FastAPI
from sqlalchemy import text

from backend.billing.views import router as billing_router
from backend.config import Settings, load_settings
from backend.customers.views import router as customers_router
from backend.database import make_engine, make_session_factory
from backend.errors import error_body, install_error_handlers
from backend.identity.views import router as identity_router
from backend.notifications.views import router as notifications_router
from backend.orders.views import router as orders_router
from backend.security import require_token
from backend.tickets.views import router as tickets_router

API_PREFIX = "/v1"


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """Build the application with its database and routes."""
    settings = settings or load_settings()
    app = FastAPI(
        title="Frontdesk reference backend",
        version="1.0.0",
        description="CRM, orders, billing and ticketing for the Frontdesk assistant. "
        "Every /v1 route needs `Authorization: Bearer <BACKEND_API_TOKEN>`.",
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
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_error_handlers(app)

    protected = [Depends(require_token)]
    for router in (
        customers_router,
        identity_router,
        orders_router,
        billing_router,
        tickets_router,
    ):
        app.include_router(router, prefix=API_PREFIX, dependencies=protected)

    if settings.environment != "production":
        # Development only: lets people and tests read the one-time codes and links the store "sent".
        app.include_router(notifications_router, prefix=API_PREFIX, dependencies=protected)

    @app.get("/health", tags=["health"])
    def health() -> dict:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.on_event("shutdown")
    def _dispose() -> None:
        engine.dispose()

    return app
