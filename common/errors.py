"""One JSON error shape for every Frontdesk HTTP API: {"error": {"code", "message", "details"}}.

The backend, the agent console and the web chat server install the same handlers, so no error leaves
any of them as HTML or a bare 500 trace, and bad input is always a 4xx with a stable code.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
}


class ApiError(Exception):
    """A refusal that maps to one HTTP status and a stable machine-readable code."""

    def __init__(
        self, status_code: int, code: str, message: str, details: Any = None, headers: Optional[dict] = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def not_found(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)


def conflict(code: str, message: str, details: Any = None) -> ApiError:
    return ApiError(409, code, message, details)


def unprocessable(code: str, message: str, details: Any = None) -> ApiError:
    return ApiError(422, code, message, details)


def too_many(code: str, message: str, retry_after_seconds: int = 60) -> ApiError:
    return ApiError(429, code, message, headers={"Retry-After": str(retry_after_seconds)})


def error_body(code: str, message: str, details: Optional[Any] = None) -> dict:
    """The JSON body shared by every error response."""
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), status_code=exc.status_code, headers=exc.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on a FastAPI app."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"location": list(err.get("loc", [])), "message": err.get("msg"), "type": err.get("type")}
            for err in exc.errors()
        ]
        return JSONResponse(error_body("validation_error", "The request is not valid.", details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RecursionError)
    async def _too_deep(_request: Request, _exc: RecursionError) -> JSONResponse:
        # Deeply nested JSON: the parser gave up; that is the client's input, not our failure.
        return JSONResponse(error_body("bad_request", "The request body is nested too deeply."), 400)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)
