"""The web contact form: GET /contact serves the page, POST /contact triages what was written into a ticket.

Every sentence on the page comes from contact_form.yml, filled into triage/templates/contact.html (values
HTML-escaped); the page has no script. A browser posts the form (urlencoded) and gets the page back, with a
thank-you or what to fix; an integration may post JSON and gets the JSON error shape of every Frontdesk API.

Bad input is a 4xx with a clear reason, never a 500: 413 too large, 415 another content type, 422 invalid
fields, 429 past TRIAGE_CONTACT_RATE_LIMIT per customer address (common/ratelimit.py, as the console's public
route), 503 while the assistant or the backend is unavailable.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional
from urllib.parse import parse_qs

import yaml
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from clients.http import ServiceRefused, ServiceUnavailable
from common.errors import error_body, install_error_handlers
from common.net import client_address
from common.ratelimit import Limiter
from common.settings import run_id
from common.telemetry import instrument_fastapi
from common.texts import fill
from common.triage_settings import TriageSettings
from triage.parsing import FORM_CHANNEL, InboundMessage, valid_address
from triage.pipeline import Outcome

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATE_PATH = HERE / "templates" / "contact.html"
MAX_SUBJECT_CHARS = 200
PAGE_TEXTS = (
    "page_title", "heading", "intro", "label_email", "label_subject", "label_message", "submit", "privacy_note",
    "thanks_title", "thanks", "back", "error_title", "error_email", "error_message", "error_subject",
    "error_form", "error_too_large", "error_rate_limited", "error_unavailable",
)  # fmt: skip
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


class ContactPage:
    """The page template and its sentences, read once at start-up (a missing sentence stops the server)."""

    def __init__(self, texts_path: Path, template_path: Path = TEMPLATE_PATH) -> None:
        self.texts: Dict[str, str] = yaml.safe_load(texts_path.read_text(encoding="utf-8"))
        missing = [name for name in PAGE_TEXTS if name not in self.texts]
        if missing:
            raise RuntimeError(f"{texts_path} lacks {', '.join(missing)}")
        self.template = template_path.read_text(encoding="utf-8")

    def text(self, name: str, **values: object) -> str:
        return fill(self.texts[name], values)

    def render(
        self,
        *,
        max_chars: int,
        notice: Optional[str] = None,
        kind: str = "error",
        fields: Optional[Mapping[str, str]] = None,
        done: bool = False,
    ) -> str:
        fields = fields or {}
        values: Dict[str, object] = {name: self.texts[name] for name in PAGE_TEXTS}
        values.update(
            notice_class=kind,
            notice_role="status" if kind == "thanks" else "alert",
            notice_hidden="" if notice else "hidden",
            notice_title=self.texts["thanks_title" if kind == "thanks" else "error_title"],
            notice_text=notice or "",
            form_hidden="hidden" if done else "",
            back_hidden="" if done else "hidden",
            subject_max=MAX_SUBJECT_CHARS,
            message_max=max_chars,
            email=fields.get("email", ""),
            subject=fields.get("subject", ""),
            message=fields.get("message", ""),
        )
        return fill(
            self.template, {name: html.escape(str(value), quote=True) for name, value in values.items()}
        )


@dataclass(frozen=True)
class ContactForm:
    email: str
    subject: str
    message: str


class FormRefused(Exception):
    def __init__(self, status: int, code: str, text_name: str, **values: object) -> None:
        super().__init__(code)
        self.status, self.code, self.text_name, self.values = status, code, text_name, values


def read_fields(content_type: str, body: bytes) -> Dict[str, str]:
    try:
        if content_type == JSON_TYPE:
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(key): value if isinstance(value, str) else "" for key, value in data.items()}
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
        return {key: values[0] for key, values in parsed.items()}
    except (ValueError, UnicodeDecodeError):
        raise FormRefused(400, "unreadable_form", "error_form")


def validate(fields: Mapping[str, str], max_chars: int) -> ContactForm:
    email = fields.get("email", "").strip()
    subject = " ".join(fields.get("subject", "").split())
    message = fields.get("message", "").replace("\r\n", "\n").strip()
    if not valid_address(email):
        raise FormRefused(422, "invalid_email", "error_email")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise FormRefused(422, "subject_too_long", "error_subject", max_chars=MAX_SUBJECT_CHARS)
    if not message or len(message) > max_chars or "\x00" in message:
        raise FormRefused(422, "invalid_message", "error_message", max_chars=max_chars)
    return ContactForm(email, subject, message)


def inbound(form: ContactForm) -> InboundMessage:
    # The same form sent twice on one day (a double click, a reload) is one ticket.
    day = datetime.now(timezone.utc).date().isoformat()
    digest = hashlib.sha256(f"{form.email}\n{form.subject}\n{form.message}".encode()).hexdigest()[:32]
    return InboundMessage(FORM_CHANNEL, form.email, form.subject, form.message, f"<contact-{day}-{digest}>")


def create_app(
    settings: TriageSettings, handle: Callable[[InboundMessage], Outcome], limiter: Limiter
) -> FastAPI:
    page = ContactPage(settings.texts_path)
    this_run = run_id() or uuid.uuid4().hex
    max_chars = settings.contact_max_chars
    # Room for the urlencoding of a full message (up to 9 bytes a character) and the other fields.
    max_body_bytes = max_chars * 9 + 4096
    app = FastAPI(title="Frontdesk triage", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        result: Response = await call_next(request)
        result.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
        result.headers["X-Content-Type-Options"] = "nosniff"
        result.headers["Referrer-Policy"] = "no-referrer"
        return result

    instrument_fastapi(app, "triage")

    def answer(wants_json: bool, status: int, code: str, notice: str, fields: Mapping[str, str]) -> Response:
        if wants_json:
            return JSONResponse(error_body(code, notice), status_code=status)
        return HTMLResponse(
            page.render(max_chars=max_chars, notice=notice, fields=fields), status_code=status
        )

    @app.get("/contact", include_in_schema=False)
    def contact_page() -> HTMLResponse:
        return HTMLResponse(page.render(max_chars=max_chars), headers={"Cache-Control": "no-cache"})

    @app.post("/contact", include_in_schema=False)
    async def contact(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        wants_json = content_type == JSON_TYPE or "application/json" in request.headers.get("accept", "")
        fields: Dict[str, str] = {}
        try:
            if content_type not in (FORM_TYPE, JSON_TYPE):
                raise FormRefused(415, "unsupported_media_type", "error_form")
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_body_bytes:
                raise FormRefused(413, "request_too_large", "error_too_large")
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_body_bytes:
                    raise FormRefused(413, "request_too_large", "error_too_large")
            fields = read_fields(content_type, body)
            form = validate(fields, max_chars)
            address = client_address(
                request.client.host if request.client else None,
                request.headers,
                trust_proxy=settings.trust_proxy,
            )
            if not limiter.hit(settings.contact_rate_limit, "triage-contact", address):
                raise FormRefused(429, "rate_limited", "error_rate_limited")
            outcome = await run_in_threadpool(handle, inbound(form))
        except FormRefused as refused:
            notice = page.text(refused.text_name, **refused.values)
            response = answer(wants_json, refused.status, refused.code, notice, fields)
            if refused.status == 429:
                response.headers["Retry-After"] = "60"
            return response
        except (ServiceUnavailable, ServiceRefused) as exc:
            logger.warning("the contact form could not open a ticket: %s", exc)
            return answer(wants_json, 503, "unavailable", page.text("error_unavailable"), fields)
        thanks = page.text("thanks", reference=outcome.ticket_id)
        if wants_json:
            return JSONResponse({"reference": outcome.ticket_id, "message": thanks}, status_code=201)
        return HTMLResponse(
            page.render(max_chars=max_chars, notice=thanks, kind="thanks", done=True), status_code=201
        )

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "run_id": this_run, "smtp_port": settings.smtp_port})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
