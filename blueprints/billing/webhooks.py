"""Stripe webhook events: verification, deduplication, and the state changes they cause.

Nothing is written before the signature verifies. The tenant comes only from the
event's data matching a Stripe customer or subscription id stored by us. Each event id
is recorded in the same transaction as its effects, so an event is applied once; a
failure rolls both back and Stripe delivers the event again. Ordering is handled by the
state rules (``state.apply_stripe_subscription`` and the event-time checks below).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError

from blueprints.billing import gateway, signals
from blueprints.billing.errors import BillingNotConfigured
from blueprints.billing.history import get_invoice, invoice_subscription_id, upsert_invoice
from blueprints.billing.models import StripeEvent, Subscription
from blueprints.billing.periods import from_timestamp
from blueprints.billing.state import (
    LIVE,
    advance_clock,
    apply_stripe_subscription,
    find_by_stripe_ids,
    grace_ends_at,
    is_stale_event,
    set_status,
)
from engagex.db import db
from engagex.errors import AppError
from engagex.tenancy import system_scope, tenant_context

log = logging.getLogger(__name__)

#: Seconds a signature stays valid (Stripe's default; replayed old deliveries fail).
TOLERANCE = 300
HANDLED = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
)


class InvalidSignature(AppError):
    status = 400
    code = "invalid_signature"


class InvalidEvent(AppError):
    status = 400
    code = "invalid_event"


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    type: str
    duplicate: bool
    outcome: str


def verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event of a request whose ``Stripe-Signature`` verifies, else ``InvalidSignature``."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise BillingNotConfigured("STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified.")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSignature("The payload is not UTF-8 text.") from exc
    if not signature:
        raise InvalidSignature("The Stripe-Signature header is missing.")
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance=TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        log.warning("stripe webhook refused: %s", exc.user_message or exc)
        raise InvalidSignature(
            "The Stripe-Signature header does not match this payload and the endpoint "
            f"secret, or it is more than {TOLERANCE} seconds old."
        ) from exc
    try:
        event = json.loads(text)
    except ValueError as exc:
        raise InvalidEvent("The payload is not JSON.") from exc
    data = event.get("data") if isinstance(event, dict) else None
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and 0 < len(event["id"]) <= 255
        and isinstance(event.get("type"), str)
        and isinstance(event.get("created"), int)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    ):
        raise InvalidEvent("The payload is not a Stripe event (id, type, created, data.object).")
    return event


def process(event: dict[str, Any]) -> WebhookResult:
    """Apply a verified event once; a known event id is acknowledged and skipped."""
    event_id, kind = event["id"], event["type"][:100]
    created = from_timestamp(event["created"])
    assert created is not None
    with system_scope():
        if db.session.get(StripeEvent, event_id) is not None:
            return WebhookResult(event_id, kind, True, "duplicate")
        record = StripeEvent(id=event_id, type=kind, created=created, outcome="processing")
        try:
            # A concurrent delivery of the same event waits on this key, then fails here.
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            return WebhookResult(event_id, kind, True, "duplicate")
    handler = _HANDLERS.get(kind)
    if handler is None:
        outcome = "acknowledged: not handled"
        log.info("stripe event %s (%s) acknowledged, not handled", event_id, kind)
    else:
        outcome = handler(event["data"]["object"], created)
        log.info("stripe event %s (%s): %s", event_id, kind, outcome)
    with system_scope():
        record.outcome = outcome[:300]
        db.session.flush()
    return WebhookResult(event_id, kind, False, outcome)


def _id(value: Any) -> str | None:
    if isinstance(value, dict):  # an expanded object
        value = value.get("id")
    return str(value) if value else None


def _checkout_completed(obj: dict[str, Any], clock: datetime) -> str:
    if obj.get("mode") != "subscription":
        return "ignored: not a subscription checkout"
    sub = find_by_stripe_ids(_id(obj.get("customer")), None)
    if sub is None:
        return "ignored: unknown customer"
    reference = obj.get("client_reference_id")
    if reference is not None and str(reference) != str(sub.organization_id):
        log.warning(
            "checkout %s names organization %s but its customer is organization %s",
            obj.get("id"),
            reference,
            sub.organization_id,
        )
        return "ignored: client_reference_id does not match the customer"
    subscription_id = _id(obj.get("subscription"))
    if not subscription_id:
        return "ignored: no subscription"
    with tenant_context(sub.organization_id):
        # The session does not carry the subscription's state: read it as it is now.
        snapshot = gateway.retrieve_subscription(subscription_id)
        if _id(snapshot.get("customer")) != sub.stripe_customer_id:
            return "ignored: the subscription belongs to another customer"
        return apply_stripe_subscription(sub, snapshot, clock)


def _subscription_changed(obj: dict[str, Any], clock: datetime) -> str:
    sub = find_by_stripe_ids(_id(obj.get("customer")), _id(obj.get("id")))
    if sub is None:
        return "ignored: unknown customer"
    if sub.stripe_customer_id and _id(obj.get("customer")) != sub.stripe_customer_id:
        return "ignored: the subscription belongs to another customer"
    with tenant_context(sub.organization_id):
        return apply_stripe_subscription(sub, obj, clock)


def _invoice_owner(obj: dict[str, Any]) -> Subscription | None:
    return find_by_stripe_ids(_id(obj.get("customer")), None)


def _invoice_paid(obj: dict[str, Any], clock: datetime) -> str:
    sub = _invoice_owner(obj)
    if sub is None:
        return "ignored: unknown customer"
    with tenant_context(sub.organization_id):
        upsert_invoice(sub.organization_id, obj)
        current = invoice_subscription_id(obj) == sub.stripe_subscription_id
        if not current or sub.status != "past_due":
            return f"recorded invoice {obj.get('id')}"
        if is_stale_event(sub, clock):
            return f"recorded invoice {obj.get('id')}; older than the current state"
        set_status(sub, "active", clock)
        advance_clock(sub, clock)
        return f"recorded invoice {obj.get('id')}; past due lifted"


def _invoice_failed(obj: dict[str, Any], clock: datetime) -> str:
    sub = _invoice_owner(obj)
    if sub is None:
        return "ignored: unknown customer"
    with tenant_context(sub.organization_id):
        before = get_invoice(str(obj.get("id")))
        if before is not None and before.status == "paid":
            return f"ignored: invoice {obj.get('id')} is already paid"
        invoice = upsert_invoice(sub.organization_id, obj)
        current = invoice_subscription_id(obj) == sub.stripe_subscription_id
        if not current or sub.status not in LIVE:
            return f"recorded failed invoice {invoice.stripe_invoice_id}"
        if is_stale_event(sub, clock):
            return (
                f"recorded failed invoice {invoice.stripe_invoice_id}; older than the current state"
            )
        set_status(sub, "past_due", clock)
        advance_clock(sub, clock)
        signals.payment_failed.send(
            sub.organization_id,
            invoice_id=invoice.stripe_invoice_id,
            amount_due=invoice.amount_due,
            currency=invoice.currency,
            hosted_invoice_url=invoice.hosted_invoice_url,
            grace_ends_at=grace_ends_at(sub),
        )
        return f"recorded failed invoice {invoice.stripe_invoice_id}; past due"


_HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_failed,
}
