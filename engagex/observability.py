"""JSON logs with a request id, request metrics, health and readiness, Sentry."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pythonjsonlogger.json import JsonFormatter

from engagex import metrics
from engagex.db import db
from engagex.errors import error_response
from engagex.tenancy import current_org_id

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

bp = Blueprint("observability", __name__)


class _ContextFilter(logging.Filter):
    """Adds the request id and the tenant to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import has_request_context

        record.request_id = (
            request.environ.get("engagex.request_id") if has_request_context() else None
        )
        record.org_id = current_org_id()
        return True


def configure_logging(level: str) -> None:
    """Log one JSON object per line to stderr (stdout stays clean for CLI output)."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(getattr(h, "engagex", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.engagex = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(org_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_ContextFilter())
    root.addHandler(handler)


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    request.environ["engagex.request_id"] = (
        incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    )
    g.engagex_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = request.environ.get("engagex.request_id", "")
    started = g.get("engagex_started")
    if started is not None:
        # The rule, not the path, so ids in URLs do not explode the label set.
        endpoint = request.url_rule.rule if request.url_rule else "<unmatched>"
        metrics.REQUEST_LATENCY.labels(
            method=request.method, endpoint=endpoint, status=str(response.status_code)
        ).observe(time.perf_counter() - started)
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers (liveness)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """The database and (when configured) Redis answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready
        checks["database"] = f"error: {type(exc).__name__}"
    finally:
        db.session.rollback()
    if current_app.config.get("REDIS_URL"):
        from engagex.jobs import redis_connection

        try:
            redis_connection().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    else:
        checks["redis"] = "not configured (in-process jobs)"
    if any(v.startswith("error") for v in checks.values()):
        return error_response(
            503, "unavailable", "A dependency is unreachable.", {"checks": checks}
        )
    return jsonify({"status": "ok", "checks": checks})


@bp.get("/metrics")
def metrics_view() -> Response:
    body, content_type = metrics.render()
    return Response(body, content_type=content_type)


def init_app(app: Flask) -> None:
    configure_logging(app.config["ENGAGEX_LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_blueprint(bp)
    if app.config.get("SENTRY_DSN"):
        import sentry_sdk
        from sentry_sdk.integrations.flask import FlaskIntegration
        from sentry_sdk.integrations.rq import RqIntegration

        sentry_sdk.init(
            dsn=app.config["SENTRY_DSN"],
            integrations=[FlaskIntegration(), RqIntegration()],
            send_default_pii=False,
            traces_sample_rate=0.0,
        )
