"""Structured JSON logs with a correlation id, one copy for every service.

Each log line is one JSON object: time, level, service, logger, message, and the request's `request_id` and
`conversation_id` when there is one. The ids travel between the services as headers (X-Request-ID,
X-Conversation-ID): the shared HTTP transport (clients/http.py) sends the current ones, and every service's
HTTP middleware (common/telemetry.py) takes them from the request, or makes a request id, and answers with
it. The action server reads the conversation id from the tracker Rasa sends, so one customer message can be
followed from the action server to the backend calls it made. (Rasa's own log lines keep Rasa's format.)

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
from typing import Any, Dict, Optional

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
            entry["error"] = self.formatException(record.exc_info)
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


def configure(service: str, level: int = logging.INFO) -> None:
    """Route every logger of this process through one handler on stderr, JSON unless LOG_FORMAT=text."""
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("LOG_FORMAT", "json").strip().lower() == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s - %(message)s"))
    else:
        handler.setFormatter(JsonFormatter(service))
    handler.addFilter(SecretQueryFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own handlers would print its lines a second time, unstructured.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
