"""The hot tracking routes, ``/t/o/<token>`` and ``/t/c/<token>``, served below Flask.

Opens and clicks are most of the platform's requests. ``TrackingMiddleware`` (installed
around ``app.wsgi_app`` by ``init_app``) answers them directly: a token check, a push to
the buffer (``buffer``: no database, no network in the request), and for a click the
destination from the per-process caches (``recipients``), without Flask's request
cycle (request context, URL matching across the whole API, before/after hooks, rate
limiter). Everything else passes through untouched. The request-latency metric is still
recorded, under the same label as a routed request would have.

The answers are the same as any route's: the GIF with no-cache headers, a 302 with
``Location`` for a click, and the JSON error shape (404) for a bad token, an unknown link
or a ``url=`` parameter (never a redirect there: no open redirect).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from flask import Flask
from werkzeug.urls import iri_to_uri

from blueprints.analytics import buffer, recipients
from engagex import metrics
from engagex.tokens import BadToken, verify

log = logging.getLogger(__name__)

PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x01D\x00;"
)
NO_CACHE = "no-store, no-cache, must-revalidate, max-age=0, private"
REDIRECT_SCHEMES = ("http://", "https://", "mailto:")
OPEN_RULE = "/t/o/<token>"
CLICK_RULE = "/t/c/<token>"
_NOT_FOUND = json.dumps(
    {"code": "not_found", "message": "This link is not valid.", "details": {}}
).encode()
_ERROR = json.dumps(
    {
        "code": "internal_error",
        "message": "An unexpected error occurred; it has been logged.",
        "details": {},
    }
).encode()


@dataclass(frozen=True, slots=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def _json(status: str, body: bytes) -> Answer:
    return Answer(
        status,
        [("Content-Type", "application/json"), ("Cache-Control", NO_CACHE)],
        body,
    )


NOT_FOUND = _json("404 NOT FOUND", _NOT_FOUND)


def _hit(
    app: Flask, kind: str, recipient_id: int, link: int | None, agent: str, head: bool
) -> None:
    event: dict[str, object] = {
        "k": kind,
        "r": recipient_id,
        "t": round(time.time(), 3),
        "i": secrets.token_urlsafe(12),
        "u": agent[:300],
    }
    if link is not None:
        event["l"] = link
    if head:
        event["h"] = 1
    buffer.push(event, app)


def open_answer(app: Flask, token: str, agent: str, head: bool = False) -> Answer:
    try:
        (recipient_id,) = verify(app.config["SECRET_KEY"], "open", token, 1)
    except BadToken:
        return NOT_FOUND
    _hit(app, "o", recipient_id, None, agent, head)
    return Answer(
        "200 OK",
        [
            ("Content-Type", "image/gif"),
            ("Cache-Control", NO_CACHE),
            ("Pragma", "no-cache"),
            ("Expires", "0"),
        ],
        PIXEL,
    )


@lru_cache(maxsize=4096)
def _location(url: str) -> str:
    """The ``Location`` value of a link (a link table has few URLs: computed once)."""
    return iri_to_uri(url)


def _destination(app: Flask, recipient_id: int, link: int) -> tuple[int, int, str] | None:
    cached = recipients.cached_destination(recipient_id, link)
    if cached is not None:
        return cached
    with app.app_context():
        return recipients.destination(recipient_id, link)


def click_answer(app: Flask, token: str, query: str, agent: str, head: bool = False) -> Answer:
    if query and "url" in parse_qs(query, keep_blank_values=True):
        return NOT_FOUND
    try:
        recipient_id, link = verify(app.config["SECRET_KEY"], "click", token, 2)
    except BadToken:
        return NOT_FOUND
    found = _destination(app, recipient_id, link)
    if found is None or not found[2].lower().startswith(REDIRECT_SCHEMES):
        return NOT_FOUND
    _hit(app, "c", recipient_id, link, agent, head)
    return Answer(
        "302 FOUND",
        [
            ("Location", _location(found[2])),
            ("Cache-Control", NO_CACHE),
            ("Referrer-Policy", "no-referrer"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        b"",
    )


class TrackingMiddleware:
    """WSGI: answers ``GET``/``HEAD`` ``/t/o/<token>`` and ``/t/c/<token>`` itself."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if (
            len(path) > 5
            and path[:5] in ("/t/o/", "/t/c/")
            and "/" not in path[5:]
            and method in ("GET", "HEAD")
        ):
            return self._answer(environ, start_response, path, method)
        return self.wsgi_app(environ, start_response)

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        path: str,
        method: str,
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        token = path[5:]
        agent = environ.get("HTTP_USER_AGENT", "")
        head = method == "HEAD"
        opening = path[3] == "o"
        try:
            if opening:
                answer = open_answer(self.app, token, agent, head)
            else:
                answer = click_answer(self.app, token, environ.get("QUERY_STRING", ""), agent, head)
        except Exception:
            log.exception("tracking request %s failed", path[:5])
            answer = _json("500 INTERNAL SERVER ERROR", _ERROR)
        body = b"" if head else answer.body
        start_response(answer.status, [*answer.headers, ("Content-Length", str(len(answer.body)))])
        metrics.REQUEST_LATENCY.labels(
            method=method,
            endpoint=OPEN_RULE if opening else CLICK_RULE,
            status=answer.status[:3],
        ).observe(time.perf_counter() - started)
        return [body]
