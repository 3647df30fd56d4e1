"""Structured JSON logs with a correlation id, one copy for every service.

Each log line is one JSON object: time, level, service, logger, message, and the request's `request_id` and
`conversation_id` when there is one. The ids travel between the services as headers (X-Request-ID,
X-Conversation-ID): the shared HTTP transport (clients/http.py) sends the current ones, and every service's
HTTP middleware (common/telemetry.py) takes them from the request, or makes a request id, and answers with
it. The action server reads the conversation id from the tracker Rasa sends, so one customer message can be
followed from the action server to the backend calls it made. (Rasa's own log lines keep Rasa's format.)

Every line passes through the one redactor (common/redaction.py) before it is written, in every service:
`configure` installs `RedactingFilter` on the handler; Rasa configures its own logging, so its metrics channel
(channels/metrics.py) calls `protect_all_handlers`. Query strings are decoded first ("%40" is an "@").

LOG_FORMAT=text gives the classic one-line format instead.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
import uuid
from typing import Any, Dict, Iterable, Optional
from urllib.parse import unquote_plus

from common.redaction import redact

REQUEST_ID_HEADER = "X-Request-ID"
CONVERSATION_ID_HEADER = "X-Conversation-ID"
MAX_ID_LENGTH = 200

request_id: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("request_id", default=None)
conversation_id: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar(
    "conversation_id", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_id(value: Optional[str]) -> Optional[str]:
    """An id taken from a header: printable, bounded (a caller must not be able to forge log structure)."""
    if not value:
        return None
    value = "".join(ch for ch in value if ch.isprintable())[:MAX_ID_LENGTH]
    return value or None


def correlation_headers() -> Dict[str, str]:
    """The headers an outgoing call carries: the ids of the work it is part of."""
    headers = {}
    if request_id.get():
        headers[REQUEST_ID_HEADER] = str(request_id.get())
    if conversation_id.get():
        headers[CONVERSATION_ID_HEADER] = str(conversation_id.get())
    return headers


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: Dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
            "conversation_id": conversation_id.get(),
        }
        event = getattr(record, "security_event", None)
        if isinstance(event, dict):
            entry["security_event"] = event
        if record.exc_info:
            # RedactingFilter leaves the redacted traceback in exc_text.
            entry["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Credentials some callers can only send in the query string (Rasa's model server pulls with ?token=).
_SECRET_QUERY = re.compile(
    r"([?&](?:token|access_token|api_key|key|secret|password)=)[^&\s\"']+", re.IGNORECASE
)


class SecretQueryFilter(logging.Filter):
    """Masks credentials in URLs a line quotes (uvicorn's access lines print the whole request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_QUERY.sub(r"\1[REDACTED]", message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


# Query parameters whose value is personal whatever it looks like (the console's history search by part of an
# email, the development outbox's recipient); any other parameter is decoded and run through the redactor.
PERSONAL_QUERY_PARAMETERS = frozenset(
    {"email", "customer_email", "customer", "recipient", "phone", "q", "name", "address", "new_email"}
)
_QUERY_PARAMETER = re.compile(r"(?P<lead>[?&](?P<name>[^=&\s\"'?#]+)=)(?P<value>[^&\s\"'#]*)")


def _redacted_parameter(match: re.Match[str]) -> str:
    value = match.group("value")
    if not value:
        return match.group()
    if match.group("name").lower() in PERSONAL_QUERY_PARAMETERS:
        return match.group("lead") + "[REDACTED]"
    # Percent-encoded, an email's "@" is "%40": the redactor reads the decoded value.
    decoded = unquote_plus(value)
    cleaned = redact(decoded)
    return match.group() if cleaned == decoded else match.group("lead") + cleaned


def redact_line(text: str) -> str:
    """A log line without personal data: query strings it quotes first, then the whole text."""
    if "=" in text:
        text = _QUERY_PARAMETER.sub(_redacted_parameter, text)
    return redact(text)


def _redact_fields(value: Any) -> Any:
    if isinstance(value, str):
        return redact_line(value)
    if isinstance(value, dict):
        return {key: _redact_fields(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_fields(item) for item in value]
    return value


# What every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "frontdesk_redacted",
}


class RedactingFilter(logging.Filter):
    """Personal data out of every record before a handler writes it: the message with its arguments, the
    structured security event, and an exception's text, all through the one redactor (common/redaction.py).

    Every line is redacted, with no shortcut for lines "without digits or @": names are found by words
    alone ("my name is ..."); the redactor measured 15-40 microseconds per typical line, about the cost of the
    JSON formatting itself (tests/privacy/test_logs.py keeps a bound on it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "frontdesk_redacted", False):
            return True  # a record reaching a second handler was already cleaned
        message = record.getMessage()
        cleaned = redact_line(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        # Fields passed with `extra=`: the security event, and the request line Sanic's access log formats
        # from `%(request)s` (Rasa's lines), not from the message.
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str | dict | list):
                setattr(record, name, _redact_fields(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_line(logging.Formatter().formatException(record.exc_info))
        record.frontdesk_redacted = True
        return True


def protect(handlers: Iterable[logging.Handler]) -> None:
    """Give handlers the secret-query mask and the redactor (once each)."""
    for handler in handlers:
        if not any(isinstance(existing, SecretQueryFilter) for existing in handler.filters):
            handler.addFilter(SecretQueryFilter())
        if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
            handler.addFilter(RedactingFilter())


def protect_all_handlers() -> None:
    """Redact what a process whose logging someone else configured writes (Rasa's, from its channels): every
    handler of every logger that exists now."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    protect(handler for logger in loggers for handler in logger.handlers)


def configure(service: str, level: int = logging.INFO) -> None:
    """Route every logger of this process through one handler on stderr, JSON unless LOG_FORMAT=text."""
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("LOG_FORMAT", "json").strip().lower() == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s - %(message)s"))
    else:
        handler.setFormatter(JsonFormatter(service))
    protect([handler])
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own handlers would print its lines a second time, unstructured.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
