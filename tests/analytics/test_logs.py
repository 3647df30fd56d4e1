"""JSON log lines carry the current request's correlation ids, and ids from headers cannot forge structure."""

from __future__ import annotations

import json
import logging

from common import logs


def test_a_log_line_is_one_json_object_with_the_ids() -> None:
    record = logging.LogRecord("frontdesk.test", logging.INFO, __file__, 1, "handled %s", ("it",), None)
    token_r = logs.request_id.set("req-1")
    token_c = logs.conversation_id.set("conv-1")
    try:
        entry = json.loads(logs.JsonFormatter("backend").format(record))
    finally:
        logs.request_id.reset(token_r)
        logs.conversation_id.reset(token_c)
    assert entry["message"] == "handled it" and entry["service"] == "backend" and entry["level"] == "INFO"
    assert (entry["request_id"], entry["conversation_id"]) == ("req-1", "conv-1")
    assert logs.correlation_headers() == {}  # outside the request again


def test_ids_from_headers_are_cleaned_and_bounded() -> None:
    assert logs.clean_id('abc\n{"level": "FAKE"}') == 'abc{"level": "FAKE"}'
    assert logs.clean_id("x" * 1000) == "x" * logs.MAX_ID_LENGTH
    assert logs.clean_id("") is None and logs.clean_id(None) is None
