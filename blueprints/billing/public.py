"""``POST /webhooks/stripe``: Stripe's signed events (public: the signature is the auth)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from blueprints.billing import webhooks
from engagex.db import db
from engagex.errors import error_response

bp = Blueprint("billing_public", __name__)

#: Stripe events are a few kilobytes; anything far larger is not one.
MAX_EVENT_BYTES = 512 * 1024


@bp.post("/webhooks/stripe")
def stripe_webhook() -> Response | tuple[Response, int]:
    """Verify, deduplicate and apply one event; 2xx tells Stripe not to deliver it again."""
    if (request.content_length or 0) > MAX_EVENT_BYTES:
        return error_response(413, "payload_too_large", "A Stripe event is never this large.")
    payload = request.get_data(cache=False)
    event = webhooks.verify(payload, request.headers.get("Stripe-Signature"))
    try:
        result = webhooks.process(event)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return jsonify(
        {
            "received": True,
            "id": result.event_id,
            "type": result.type,
            "duplicate": result.duplicate,
            "outcome": result.outcome,
        }
    ), 200
