"""Serves the customer web chat page: `python -m webchat.server --host 127.0.0.1 --port 8080`.

The page talks to Rasa's socket.io channel directly (RASA_PUBLIC_URL, the address browsers reach Rasa at), so
this app only hands out static files and the page's configuration; it can run anywhere and scale freely.
The configuration carries every sentence the page shows by itself (connection states, labels), read from
domain.yml like the bot's own responses, so the page's code words none of them.
The Content-Security-Policy lets the page run only its own scripts and connect only here and to Rasa, so
a message that slipped past the page's escaping still could not load or send anything elsewhere.

The embeddable widget: a store adds `<script src=".../widget.js" data-title=... data-color=... data-greeting=...>`
to its own pages; the script draws a launcher button and opens this same page, at /embed, in a frame. The
frame keeps the chat's code, styles and storage apart from the store's page, and the store's page apart from
the conversation. Only /embed may be framed, and only by this origin and WEBCHAT_EMBED_ORIGINS; / still
refuses every frame. /demo-store.html is a made-up store page with the widget on it (`make run`).
"""

from __future__ import annotations

import argparse
import json
import logging
import uuid
from pathlib import Path
from typing import Awaitable, Callable, Optional, Sequence
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from common import logs
from common.errors import install_error_handlers
from common.settings import run_id, webchat_settings
from common.telemetry import instrument_fastapi
from common.texts import Texts

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
DEMO_DIR = HERE / "demo"
# widget.js carries its sentences inline (it runs on the store's page, where /config.js is not loaded).
WIDGET_TEXTS_PLACEHOLDER = "/*FRONTDESK_WIDGET_TEXTS*/ {}"
SOCKET_IO_CLIENT = HERE / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
SOCKET_PATH = "/socket.io"
MISSING_CLIENT = (
    "The socket.io client is not installed. Run `make webchat-deps` (that is, `npm ci --prefix webchat`) "
    "and reload.\n"
)
# The domain.yml responses the page shows (webchat/static reads them as config.texts.<name>).
PAGE_TEXTS = (
    "utter_webchat_connecting",
    "utter_webchat_connected",
    "utter_webchat_reconnecting",
    "utter_webchat_connection_lost",
    "utter_webchat_unreachable",
    "utter_webchat_unavailable",
    "utter_webchat_load_failed",
    "utter_webchat_author_support",
    "utter_webchat_author_you",
    "utter_webchat_image_alt",
    "utter_webchat_quick_replies_label",
    "utter_webchat_chatting_with",
    "utter_webchat_waiting_for_agent",
    "utter_webchat_back_with_assistant",
    "utter_webchat_widget_open",
    "utter_webchat_widget_close",
    "utter_webchat_widget_frame_title",
    "utter_webchat_typing",
    "utter_webchat_agent_typing",
    "utter_webchat_delivered",
    "utter_webchat_read",
    "utter_webchat_waiting_in_line",
    "utter_webchat_waiting_message_received",
    "utter_webchat_confirm_new",
    "utter_webchat_confirm_new_keep",
    "utter_webchat_confirm_new_start",
    "utter_webchat_earlier_conversations",
    "utter_webchat_conversation_from",
    "utter_webchat_attach_label",
    "utter_webchat_attachment_failed",
)
# The ones the widget's launcher on the store's page needs.
WIDGET_TEXTS = ("utter_webchat_widget_open", "utter_webchat_widget_close", "utter_webchat_widget_frame_title")


def socket_origins(socket_url: str) -> tuple:
    """The origin of the Rasa server in its http(s) and its ws(s) form, for connect-src."""
    parts = urlsplit(socket_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"RASA_PUBLIC_URL must be an http(s) URL, not {socket_url!r}")
    websocket_scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc}", f"{websocket_scheme}://{parts.netloc}"


def content_security_policy(
    socket_url: str, *, frame_ancestors: str = "'none'", frame_src: str = "'none'"
) -> str:
    http_origin, websocket_origin = socket_origins(socket_url)
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            # Bots may send images hosted anywhere; https only, so the page never loads mixed content.
            "img-src 'self' https: data:",
            f"connect-src 'self' {http_origin} {websocket_origin}",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-src {frame_src}",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def create_app(socket_url: Optional[str] = None) -> FastAPI:
    settings = webchat_settings()
    socket_url = (socket_url or settings.rasa_public_url).rstrip("/")
    this_run = run_id() or uuid.uuid4().hex
    policy = content_security_policy(socket_url)
    embed_policy = content_security_policy(
        socket_url, frame_ancestors=" ".join(["'self'", *settings.embed_origins])
    )
    demo_policy = content_security_policy(socket_url, frame_src="'self'")
    policies = {"/embed": embed_policy, "/demo-store.html": demo_policy}
    # Read once at start-up: a response missing from domain.yml stops the server, not the customer's page.
    texts = Texts(PAGE_TEXTS, settings.domain_path)
    config_script = "window.FRONTDESK_CONFIG = {};\n".format(
        json.dumps(
            {
                "socketUrl": socket_url,
                "socketPath": SOCKET_PATH,
                "queuePollSeconds": settings.queue_poll_seconds,
                "texts": texts.templates,
            }
        )
    )
    widget_source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    if WIDGET_TEXTS_PLACEHOLDER not in widget_source:
        raise RuntimeError("webchat/static/widget.js lost its texts placeholder")
    widget_script = widget_source.replace(
        WIDGET_TEXTS_PLACEHOLDER, json.dumps({name: texts.templates[name] for name in WIDGET_TEXTS})
    )

    app = FastAPI(title="Frontdesk web chat", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        result = await call_next(request)
        result.headers["Content-Security-Policy"] = policies.get(request.url.path, policy)
        result.headers["X-Content-Type-Options"] = "nosniff"
        result.headers["Referrer-Policy"] = "no-referrer"
        return result

    instrument_fastapi(app, "webchat")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/embed", include_in_schema=False)
    async def embedded() -> FileResponse:
        # The same page in the widget's frame (main.js reads the store's title, colour and greeting).
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/widget.js", include_in_schema=False)
    async def widget() -> Response:
        # Short caching: stores link this address for good, and a change must reach their pages soon.
        return Response(widget_script, media_type="text/javascript", headers={"Cache-Control": "max-age=300"})

    @app.get("/demo-store.html", include_in_schema=False)
    async def demo_store() -> FileResponse:
        return FileResponse(DEMO_DIR / "demo-store.html", headers={"Cache-Control": "no-cache"})

    @app.get("/config.js", include_in_schema=False)
    async def config() -> Response:
        # no-store: a changed RASA_PUBLIC_URL must reach pages at once, not after a cache expires.
        return Response(config_script, media_type="text/javascript", headers={"Cache-Control": "no-store"})

    @app.get("/vendor/socket.io.min.js", include_in_schema=False)
    async def socket_io_client() -> Response:
        if not SOCKET_IO_CLIENT.is_file():
            return PlainTextResponse(MISSING_CLIENT, status_code=503)
        return FileResponse(SOCKET_IO_CLIENT, media_type="text/javascript")

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "run_id": this_run})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/demo", StaticFiles(directory=DEMO_DIR), name="demo")
    return app


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the Frontdesk customer web chat page.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logs.configure("webchat", level=logging.getLevelName(args.log_level.upper()))
    uvicorn.run(create_app(), host=args.host, port=args.port, log_config=None)


if __name__ == "__main__":
    main()
