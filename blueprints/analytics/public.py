"""Public routes: tracking, unsubscribe, view in browser, the SendGrid event webhook.

No session, no cookie, no CSRF: the tenant comes only from signed data (a token made
with ``SECRET_KEY``, or a SendGrid-signed event that matches a stored recipient), and
``tenant_context`` is opened from the stored recipient's organization.

The tracking routes are hot: an open is a signature check and one push to the buffer
(no database); a click also needs the campaign's link table, cached in process
(``recipients``). A bad token, an unknown link or a ``url=`` parameter is a 404 and
never a redirect.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from blueprints.analytics import ingest, pages, sendgrid, tracking, unsubscribe, view
from blueprints.analytics.sql import now
from engagex.db import db
from engagex.errors import AppError, NotFound, error_response
from engagex.tenancy import system_scope, tenant_context

bp = Blueprint("analytics_public", __name__)

NO_CACHE = tracking.NO_CACHE
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _response(answer: tracking.Answer) -> Response:
    response = Response(answer.body, status=answer.status)
    response.headers.clear()
    for name, value in answer.headers:
        response.headers[name] = value
    return response


# --- tracking (normally answered below Flask by ``tracking.TrackingMiddleware``) -------


@bp.route(tracking.OPEN_RULE, methods=["GET"])
def open_pixel(token: str) -> Response:
    """A 1x1 transparent GIF that records an open (written later, in bulk)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    agent = request.headers.get("User-Agent", "")
    return _response(tracking.open_answer(app, token, agent, request.method == "HEAD"))


@bp.route(tracking.CLICK_RULE, methods=["GET"])
def click(token: str) -> Response:
    """Redirect to link ``i`` of the campaign's link table and record a click."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _response(
        tracking.click_answer(
            app,
            token,
            request.query_string.decode("latin-1"),
            request.headers.get("User-Agent", ""),
            request.method == "HEAD",
        )
    )


# --- unsubscribe and view in browser ---------------------------------------------------


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html" or not request.accept_mimetypes


def _html(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = NO_CACHE
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _link_error(exc: NotFound) -> Response:
    if request.method == "GET" and _wants_html():
        return _html(pages.error("This link does not work", exc.message + "."), 404)
    return error_response(404, exc.code, exc.message)


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str) -> Response:
    """GET: confirm and choose (never unsubscribes: link scanners and prefetchers GET).
    POST: unsubscribe (RFC 8058 one-click, or the page's form); committed before the
    200 answer, no redirect."""
    try:
        ref = unsubscribe.recipient_of(token)
    except NotFound as exc:
        return _link_error(exc)
    action_url = request.path
    with tenant_context(ref.organization_id):
        sub = unsubscribe.load(ref)
        org = sub.organization
        if request.method == "GET":
            if sub.unsubscribed or sub.status in ("bounced", "complained"):
                return _html(_state_page(sub, action_url))
            return _html(
                pages.confirm(
                    org,
                    ref.email,
                    action_url,
                    has_lists=bool(sub.group_ids),
                    preferences=request.args.get("view") == "preferences",
                )
            )
        action = request.form.get("action", "all")
        at = now()
        try:
            if action == "resubscribe":
                unsubscribe.resubscribe(sub)
                heading, message = (
                    "You are subscribed",
                    f"You will receive emails from {org} again.",
                )
                can_resubscribe = False
            elif action == "lists" and sub.group_ids:
                unsubscribe.leave_lists(sub, at)
                heading = "You left this list"
                message = f"You will not receive emails sent to this list by {org} any more."
                can_resubscribe = False
            else:
                unsubscribe.unsubscribe(sub, at, source="page")
                heading = "You are unsubscribed"
                message = f"You will not receive emails from {org} any more."
                can_resubscribe = sub.can_resubscribe
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return _html(pages.done(org, heading, message, action_url, can_resubscribe=can_resubscribe))


def _state_page(sub: unsubscribe.Subscription, action_url: str) -> str:
    org = sub.organization
    if sub.status == "unsubscribed":
        return pages.done(
            org,
            "You are unsubscribed",
            f"You do not receive emails from {org}.",
            action_url,
            can_resubscribe=sub.can_resubscribe,
        )
    return pages.done(
        org,
        "No emails are sent to this address",
        f"{org} does not send to this address any more.",
        action_url,
        can_resubscribe=False,
    )


@bp.route("/v/<token>", methods=["GET"])
def view_in_browser(token: str) -> Response:
    """The message as its recipient got it, sandboxed (see ``view``)."""
    try:
        ref = view.recipient_of(token)
        with tenant_context(ref.organization_id):
            rendered = view.render(ref)
            db.session.rollback()
    except NotFound as exc:
        return _link_error(exc)
    except AppError as exc:  # the template no longer renders (a revision was removed...)
        return _link_error(NotFound(f"this message cannot be shown: {exc.message}"))
    response = Response(rendered.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = view.CSP
    response.headers["Cache-Control"] = NO_CACHE
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- SendGrid event webhook ---------------------------------------------------------------


@bp.post("/webhooks/sendgrid")
def sendgrid_webhook() -> Response | tuple[Response, int]:
    """Verify, deduplicate and record a batch of SendGrid events; 2xx tells SendGrid not
    to send it again, so anything but a refused signature or a broken body is a 200."""
    if (request.content_length or 0) > sendgrid.MAX_BODY:
        return error_response(413, "payload_too_large", "An event batch is never this large.")
    body = request.get_data(cache=False)
    sendgrid.verify(
        body,
        request.headers.get(sendgrid.SIGNATURE_HEADER),
        request.headers.get(sendgrid.TIMESTAMP_HEADER),
    )
    parsed = sendgrid.parse(body)
    try:
        with system_scope():
            result: ingest.Recorded = ingest.record(parsed.events)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return jsonify(
        {
            "received": len(parsed.events) + parsed.invalid + sum(parsed.unknown.values()),
            "recorded": result.recorded,
            "duplicates": result.duplicates,
            "unmatched": result.unmatched + parsed.invalid,
            "ignored_types": dict(parsed.unknown),
        }
    ), 200
