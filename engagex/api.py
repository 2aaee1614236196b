"""The one customization point of flask-smorest.

- ``Api`` renders every HTTP error as ``{"code", "message", "details"}`` and serves the
  Swagger UI from local assets (the docs work with no internet).
- ``requires(permission)`` is the authentication boundary of an API view: it resolves the
  actor, answers 401/403 (and CSRF for cookie-authenticated writes), opens the tenant
  context of the actor's organization and owns the transaction (commit on success,
  rollback on error). Every API view declares it, or ``signed_in`` (a person's own
  routes) or ``public`` (sign-in and the like).
- ``Schema`` is the base of every request/response schema (rejects NUL characters, which
  no database column can store, and unknown fields).
- ``keyset_page`` implements ``?limit=N&cursor=C`` pagination.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import flask_smorest
import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, Response, g, request, send_from_directory
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, ValidationError

from engagex.db import db
from engagex.errors import ValidationFailed, error_response, http_error_response
from engagex.permissions import MATRIX, Actor, PermissionDenied
from engagex.tenancy import tenant_context

MAX_ID = 2**63 - 1


class IdConverter(BaseConverter):
    """``<id:name>``: a positive 64-bit id; anything else is a 404, never a database error."""

    regex = r"[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class ErrorSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable machine code"})
    message = ma.fields.String(required=True, metadata={"description": "Human explanation"})
    details = ma.fields.Dict(metadata={"description": "Field errors and other specifics"})


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        app.url_map.converters["id"] = IdConverter
        super().init_app(app, *args, **kwargs)
        self.spec.components.security_scheme(
            "bearer", {"type": "http", "scheme": "bearer", "description": "An API key"}
        )
        self.spec.components.security_scheme(
            "session",
            {
                "type": "apiKey",
                "in": "cookie",
                "name": SESSION_COOKIE,
                "description": "A signed-in person; writes also need the X-CSRF-Token header",
            },
        )
        self._register_swagger_assets(app)

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_error_response(error)

    def _register_swagger_assets(self, app: Flask) -> None:
        import swagger_ui_bundle

        prefix = app.config["OPENAPI_SWAGGER_UI_URL"]

        def swagger_asset(filename: str) -> Response:
            response = send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
            response.cache_control.max_age = 86400
            return response

        app.add_url_rule(f"{prefix}<path:filename>", "swagger_ui_asset", swagger_asset)


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint; mount it under ``/api/v1``."""


def _reject_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ma.ValidationError("NUL characters are not allowed.")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    elif isinstance(value, list):
        for item in value:
            _reject_nul(item)
    return value


class Schema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _no_nul(self, data: Any, **kwargs: Any) -> Any:
        return _reject_nul(data)


# --- authentication boundary -----------------------------------------------------------
#
# The auth domain registers flask-login's request loader, which returns an ``Actor`` for
# a bearer API key or a session cookie and records *how* the request authenticated with
# ``set_credentials``. The decorators below turn that into 401/403, CSRF checks for
# cookie-authenticated writes, the tenant context and the transaction of the view.

PUBLIC = "public"
"""``engagex_permission`` of a view anyone may call (sign-in, sign-up, SSO callback)."""
SIGNED_IN = "signed_in"
"""``engagex_permission`` of a person's own views (profile, sessions, MFA): a session
cookie is required, no organization is."""

SESSION_COOKIE = "engagex_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Credentials:
    """How the current request authenticated.

    ``method`` is ``bearer`` or ``session``. ``csrf_token`` is what a cookie-authenticated
    write must echo in the ``X-CSRF-Token`` header. ``problem`` is a ``(code, message)``
    explaining why a person gets no actor (401) or no organization (403).
    """

    method: str
    csrf_token: str | None = None
    session_id: int | None = None
    problem: tuple[str, str] | None = None


def set_credentials(credentials: Credentials) -> None:
    g.engagex_credentials = credentials


def current_credentials() -> Credentials | None:
    return g.get("engagex_credentials")


def current_actor() -> Actor:
    """The actor of the current API request (set by ``requires`` or ``signed_in``)."""
    return g.engagex_actor


def _load_actor() -> Actor | None:
    actor = current_user._get_current_object()  # type: ignore[attr-defined]
    return actor if isinstance(actor, Actor) else None


def _problem(default: tuple[str, str]) -> tuple[str, str]:
    credentials = current_credentials()
    return credentials.problem if credentials and credentials.problem else default


def _csrf_failure() -> Response | None:
    """A cookie-authenticated state-changing request must carry the session's CSRF token.

    Bearer requests carry no ambient credential, so they need none.
    """
    credentials = current_credentials()
    if credentials is None or credentials.method != "session" or request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER, "")
    expected = credentials.csrf_token or ""
    if expected and hmac.compare_digest(sent.encode(), expected.encode()):
        return None
    return error_response(
        403,
        "csrf_failed",
        f"Missing or wrong {CSRF_HEADER} header; read csrf_token from GET /api/v1/auth/me.",
    )


def _session_required() -> Response:
    return error_response(
        403, "session_required", "This route is for people signed in, not API keys."
    )


def _in_transaction(view: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        result = view(*args, **kwargs)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _document(wrapper: Callable[..., Any], security: list[dict[str, list[str]]], text: str) -> None:
    doc = getattr(wrapper, "_apidoc", {})
    wrapper._apidoc = {  # type: ignore[attr-defined]
        **doc,
        "manual_doc": {**doc.get("manual_doc", {}), "security": security, "description": text},
    }


def requires(
    permission: str, *, people_only: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and enforce the permission of an API view (put it right under the route).

    The actor's organization becomes the tenant context for the whole view, including
    serialization. Order of answers: 401 (no credentials), 403 ``csrf_failed``, 403 (no
    usable organization), 403 ``forbidden`` (role), then the view and its validation.
    ``people_only`` views (a person's notifications...) refuse API keys with 403
    ``session_required`` right after authentication.
    """
    if permission not in MATRIX:
        raise KeyError(f"unknown permission {permission!r}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = _load_actor()
            if actor is None:
                code, message = _problem(("unauthorized", "Authentication is required."))
                return error_response(401, code, message)
            if people_only and actor.kind != "user":
                return _session_required()
            if (failure := _csrf_failure()) is not None:
                return failure
            if actor.organization_id is None:
                code, message = _problem(
                    ("organization_required", "Choose an organization first (switch-org).")
                )
                return error_response(403, code, message)
            if not actor.can(permission):
                raise PermissionDenied(permission)
            g.engagex_actor = actor
            with tenant_context(actor.organization_id, actor.user_id):
                return _in_transaction(view, *args, **kwargs)

        wrapper.engagex_permission = permission  # type: ignore[attr-defined]
        wrapper.engagex_people_only = people_only  # type: ignore[attr-defined]
        _document(
            wrapper,
            [{"session": []}] if people_only else [{"bearer": []}, {"session": []}],
            f"Requires the `{permission}` permission"
            + (" and a signed-in person (not an API key)." if people_only else "."),
        )
        return wrapper

    return decorate


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """A person's own view: needs a session cookie (not an API key), no organization."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        actor = _load_actor()
        if actor is None:
            code, message = _problem(("unauthorized", "Sign in first."))
            return error_response(401, code, message)
        if actor.kind != "user":
            return _session_required()
        if (failure := _csrf_failure()) is not None:
            return failure
        g.engagex_actor = actor
        return _in_transaction(view, *args, **kwargs)

    wrapper.engagex_permission = SIGNED_IN  # type: ignore[attr-defined]
    _document(wrapper, [{"session": []}], "Requires a signed-in person (session cookie).")
    return wrapper


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view anyone may call; it still owns its transaction. Say why in its docstring."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _in_transaction(view, *args, **kwargs)

    wrapper.engagex_permission = PUBLIC  # type: ignore[attr-defined]
    _document(wrapper, [], "Public: no authentication.")
    return wrapper


# --- keyset pagination -----------------------------------------------------------------


class PageArgs(Schema):
    limit = ma.fields.Integer(
        load_default=50, validate=ma.validate.Range(min=1, max=200), metadata={"example": 50}
    )
    cursor = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=512),
        metadata={"description": "next_cursor of the previous page"},
    )


_page_schemas: dict[type[ma.Schema], type[ma.Schema]] = {}


def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The ``{"items": [...], "next_cursor": ...}`` schema for a list endpoint."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item_schema] = type(
            name,
            (ma.Schema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
                "next_cursor": ma.fields.String(allow_none=True, required=True),
            },
        )
    return _page_schemas[item_schema]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if value is None or isinstance(value, int | str | float):
        return value
    raise TypeError(f"cannot page on a value of type {type(value).__name__}")


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"} and isinstance(value["t"], str):
        return datetime.fromisoformat(value["t"])
    if value is None or (isinstance(value, int | str | float) and not isinstance(value, bool)):
        return value
    raise ValueError("bad cursor value")


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != size:
            raise ValueError("wrong cursor size")
        return [_decode_value(v) for v in values]
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "The cursor is not valid; start again without it.", code="invalid_cursor"
        ) from exc


def keyset_page(
    stmt: sa.Select[Any],
    key: Sequence[sa.ColumnElement[Any] | sa.orm.InstrumentedAttribute[Any]],
    *,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> Page:
    """One page of ``stmt`` ordered by ``key`` (unique together, e.g. ``(created_at, id)``).

    Rows come back as ORM entities when ``stmt`` selects one entity.
    """
    columns = list(key)
    if cursor:
        after = decode_cursor(cursor, len(columns))
        left = sa.tuple_(*columns) if len(columns) > 1 else columns[0]
        right = sa.tuple_(*after) if len(columns) > 1 else after[0]
        stmt = stmt.where(left < right if descending else left > right)
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = db.session.execute(stmt.order_by(*order).limit(limit + 1)).scalars().all()
    items = list(rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, c.key) for c in columns])
    return Page(items, next_cursor)
