"""Application errors and the one JSON error body: ``{"code", "message", "details"}``.

Services raise ``AppError`` subclasses (or ``PermissionDenied``); every boundary turns
them into the same shape: JSON for HTTP, one line and a non-zero exit for the CLI.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from engagex.permissions import PermissionDenied

log = logging.getLogger(__name__)


class AppError(Exception):
    """A failure a client or operator can act on."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class ValidationFailed(AppError):
    status = 422
    code = "validation_error"


# Stable codes for HTTP errors raised by Flask, werkzeug and webargs.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    response = jsonify({"code": code, "message": message, "details": details or {}})
    response.status_code = status
    return response


def http_error_response(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    details: dict[str, Any] = {}
    # webargs puts marshmallow messages under "messages", keyed by location.
    if "messages" in data:
        details["fields"] = data["messages"]
    if "errors" in data:
        details["fields"] = data["errors"]
    message = data.get("message") or error.description or error.name
    if "message" not in data and details:
        message = (
            "The request contains invalid fields."
            if status == 422
            else "The request could not be parsed; see details."
        )
    response = error_response(
        status, data.get("code") or HTTP_CODES.get(status, "error"), message, details
    )
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(error: AppError) -> Response:
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(PermissionDenied)
    def _forbidden(error: PermissionDenied) -> Response:
        return error_response(403, "forbidden", str(error), {"permission": error.permission})

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        return http_error_response(error)

    @app.errorhandler(SQLAlchemyError)
    @app.errorhandler(Exception)
    def _unhandled(error: Exception) -> Response:
        if isinstance(error, HTTPException):  # pragma: no cover - routed above
            return http_error_response(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(
            500,
            "internal_error",
            "An unexpected error occurred; it has been logged.",
            {"request_id": request.environ.get("engagex.request_id")},
        )
