"""Outgoing webhooks: endpoints, the events they receive, deliveries, replays.

``emit``/``emit_many`` are called by the analytics writers and by the receivers of the
campaigns' signals inside the transaction that made the change: they write one
``WebhookDelivery`` per subscribed endpoint and release one delivery job per row after
the commit (``engagex.jobs``), so a rolled-back change never calls anyone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from blueprints.analytics import settings
from blueprints.analytics.outgoing import signing, transport
from blueprints.analytics.outgoing.models import WebhookDelivery, WebhookEndpoint
from blueprints.analytics.sql import aware, now
from engagex.api import Page, keyset_page
from engagex.db import db
from engagex.errors import NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

MAX_ENDPOINTS = 20
ROTATION_OVERLAP = timedelta(hours=24)

EVENT_TYPES: dict[str, str] = {
    "email.delivered": "The receiving server accepted the message (SendGrid)",
    "email.deferred": "The receiving server asked to try again later (SendGrid)",
    "email.bounced": "A bounce; `hard` tells a permanent one (the address is suppressed)",
    "email.dropped": "The provider did not send the message (SendGrid)",
    "email.opened": "A person opened the message (machine opens are not sent)",
    "email.clicked": "A person clicked a link (machine clicks are not sent)",
    "email.complained": "The recipient reported the message as spam (suppressed)",
    "contact.unsubscribed": "A recipient unsubscribed (page, one-click or provider)",
    "campaign.started": "A campaign started sending",
    "campaign.sent": "A campaign finished sending",
    "campaign.paused": "A campaign was paused (by a person or automatically)",
    "campaign.cancelled": "A campaign was cancelled",
    "campaign.failed": "A campaign could not start or continue",
    "analytics.complaint_rate": "The 24-hour complaint rate crossed a threshold",
}
WILDCARD = "*"
PING = "ping"


def _allow_private() -> bool:
    return settings.webhooks_allow_private()


def _clean_url(url: object) -> str:
    try:
        transport.parse(url if isinstance(url, str) else "", allow_private=_allow_private())
    except transport.UnsafeTarget as exc:
        raise ValidationFailed(
            str(exc), code="invalid_webhook_url", details={"field": "url"}
        ) from exc
    return str(url)


def _clean_types(types: object) -> list[str]:
    if not isinstance(types, list) or not types:
        raise ValidationFailed(
            'event_types must list at least one event type (or "*")',
            code="invalid_event_types",
            details={"field": "event_types"},
        )
    cleaned: list[str] = []
    for item in types:
        if item != WILDCARD and item not in EVENT_TYPES:
            raise ValidationFailed(
                f'unknown event type {item!r}; known: {", ".join(EVENT_TYPES)} or "*"',
                code="invalid_event_types",
                details={"field": "event_types"},
            )
        if item not in cleaned:
            cleaned.append(item)
    return [WILDCARD] if WILDCARD in cleaned else cleaned


def _clean_description(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 500:
        raise ValidationFailed("description has at most 500 characters", code="invalid_value")
    return value.strip() or None


# --- endpoints ----------------------------------------------------------------------------


def list_endpoints(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "webhooks:manage")
    return keyset_page(sa.select(WebhookEndpoint), [WebhookEndpoint.id], limit=limit, cursor=cursor)


def get_endpoint(actor: Actor | None, endpoint_id: int) -> WebhookEndpoint:
    require(actor, "webhooks:manage")
    found = db.session.scalars(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    ).one_or_none()
    if found is None:
        raise NotFound(f"webhook {endpoint_id} not found", code="webhook_not_found")
    return found


def create_endpoint(actor: Actor | None, data: Mapping[str, Any]) -> WebhookEndpoint:
    """Register an endpoint; its ``secret`` is readable on the returned object only."""
    require(actor, "webhooks:manage")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) or 0
    if count >= MAX_ENDPOINTS:
        raise ValidationFailed(
            f"an organization has at most {MAX_ENDPOINTS} webhook endpoints",
            code="too_many_webhooks",
        )
    endpoint = WebhookEndpoint(
        url=_clean_url(data.get("url")),
        event_types=_clean_types(data.get("event_types")),
        description=_clean_description(data.get("description")),
        enabled=bool(data.get("enabled", True)),
        secret=signing.new_secret(),
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def update_endpoint(
    actor: Actor | None, endpoint_id: int, data: Mapping[str, Any]
) -> WebhookEndpoint:
    endpoint = get_endpoint(actor, endpoint_id)
    if "url" in data:
        endpoint.url = _clean_url(data["url"])
    if "event_types" in data:
        endpoint.event_types = _clean_types(data["event_types"])
    if "description" in data:
        endpoint.description = _clean_description(data["description"])
    if "enabled" in data:
        endpoint.enabled = bool(data["enabled"])
    db.session.flush()
    return endpoint


def delete_endpoint(actor: Actor | None, endpoint_id: int) -> None:
    db.session.delete(get_endpoint(actor, endpoint_id))
    db.session.flush()


def rotate_secret(actor: Actor | None, endpoint_id: int) -> WebhookEndpoint:
    """A new secret; the old one keeps signing too for 24 hours (no missed delivery
    while the receiver is updated)."""
    endpoint = get_endpoint(actor, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now() + ROTATION_OVERLAP
    endpoint.secret = signing.new_secret()
    db.session.flush()
    return endpoint


# --- emitting -----------------------------------------------------------------------------


def _subscribed(endpoints: Iterable[WebhookEndpoint], event_type: str) -> list[WebhookEndpoint]:
    return [
        e
        for e in endpoints
        if e.enabled and (WILDCARD in e.event_types or event_type in e.event_types)
    ]


def payload(event_id: str, event_type: str, org_id: int, created: datetime, data: Any) -> dict:
    return {
        "id": event_id,
        "type": event_type,
        "created_at": (aware(created) or created).isoformat(),
        "organization_id": org_id,
        "data": data,
    }


def emit_many(org_id: int, items: Iterable[tuple[str, dict[str, Any], datetime]]) -> int:
    """Queue deliveries of ``(event type, data, time)`` items to the subscribed
    endpoints of the current organization; returns how many deliveries."""
    items = list(items)
    if not items:
        return 0
    endpoints = list(
        db.session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True)))
    )
    if not endpoints:
        return 0
    rows = []
    for event_type, data, when in items:
        targets = _subscribed(endpoints, event_type)
        if not targets:
            continue
        event_id = "evt_" + uuid.uuid4().hex
        body = payload(event_id, event_type, org_id, when, data)
        rows += [
            {
                "organization_id": org_id,
                "endpoint_id": e.id,
                "event_type": event_type,
                "event_id": event_id,
                "payload": body,
                "status": "pending",
                "attempts": 0,
            }
            for e in targets
        ]
    return _queue(org_id, rows)


def emit(org_id: int, event_type: str, data: dict[str, Any], when: datetime | None = None) -> int:
    return emit_many(org_id, [(event_type, data, when or now())])


def _queue(org_id: int, rows: list[dict[str, Any]]) -> int:
    from blueprints.analytics.outgoing import tasks

    if not rows:
        return 0
    table = WebhookDelivery.__table__
    ids = list(db.session.execute(sa.insert(table).returning(table.c.id), rows).scalars())
    for delivery_id in ids:
        tasks.deliver_webhook.delay(
            delivery_id, org_id=org_id, job_id=f"webhook-delivery-{delivery_id}"
        )
    return len(ids)


def send_test(actor: Actor | None, endpoint_id: int) -> WebhookDelivery:
    """Queue a ``ping`` to one endpoint (whatever its event types)."""
    endpoint = get_endpoint(actor, endpoint_id)
    org_id = require_org_id()
    event_id = "evt_" + uuid.uuid4().hex
    body = payload(event_id, PING, org_id, now(), {"endpoint_id": endpoint.id, "message": "ping"})
    _queue(
        org_id,
        [
            {
                "organization_id": org_id,
                "endpoint_id": endpoint.id,
                "event_type": PING,
                "event_id": event_id,
                "payload": body,
                "status": "pending",
                "attempts": 0,
            }
        ],
    )
    return db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)
    ).one()


# --- the delivery log ---------------------------------------------------------------------


def list_deliveries(
    actor: Actor | None,
    endpoint_id: int,
    *,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    endpoint = get_endpoint(actor, endpoint_id)
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    return keyset_page(stmt, [WebhookDelivery.id], limit=limit, cursor=cursor, descending=True)


def get_delivery(actor: Actor | None, delivery_id: int) -> WebhookDelivery:
    require(actor, "webhooks:manage")
    found = db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    ).one_or_none()
    if found is None:
        raise NotFound(f"delivery {delivery_id} not found", code="delivery_not_found")
    return found


def replay(actor: Actor | None, delivery_id: int) -> WebhookDelivery:
    """Deliver an event again (a new delivery of the same event id)."""
    original = get_delivery(actor, delivery_id)
    copy = WebhookDelivery(
        endpoint_id=original.endpoint_id,
        event_type=original.event_type,
        event_id=original.event_id,
        payload=original.payload,
        status="pending",
        attempts=0,
        replay_of_id=original.id,
    )
    db.session.add(copy)
    db.session.flush()
    from blueprints.analytics.outgoing import tasks

    tasks.deliver_webhook.delay(
        copy.id, org_id=copy.organization_id, job_id=f"webhook-delivery-{copy.id}"
    )
    return copy


@dataclass(frozen=True)
class Attempt:
    delivery_id: int
    ok: bool
    final: bool
    status: int | None
    error: str | None


def attempt(delivery_id: int, *, retries_left: int | None) -> Attempt:
    """Send one delivery now and record the outcome (a job calls this; it commits).

    ``retries_left`` is what the queue will still try after this attempt (None: no
    retry, e.g. in-process jobs): a failure with none left is final.
    """
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return Attempt(delivery_id, False, True, None, "delivery no longer exists")
    if delivery.status == "succeeded":
        return Attempt(delivery_id, True, True, delivery.response_status, None)
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    when = now()
    delivery.attempts += 1
    delivery.last_attempt_at = when
    if endpoint is None or (not endpoint.enabled and delivery.event_type != PING):
        delivery.status = "failed"
        delivery.error = "the endpoint is disabled"
        db.session.flush()
        return Attempt(delivery.id, False, True, None, delivery.error)
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    keys = [endpoint.secret]
    expires = aware(endpoint.previous_secret_expires_at)
    if endpoint.previous_secret and expires and expires > when:
        keys.append(endpoint.previous_secret)
    timestamp = int(when.timestamp())
    answer = transport.post(
        endpoint.url,
        body,
        {
            signing.HEADER_EVENT: delivery.event_type,
            signing.HEADER_DELIVERY: delivery.event_id,
            signing.HEADER_TIMESTAMP: str(timestamp),
            signing.HEADER_SIGNATURE: signing.header(keys, timestamp, body),
        },
        timeout=settings.webhooks_timeout(),
        allow_private=_allow_private(),
    )
    delivery.response_status = answer.status
    delivery.response_body = answer.body[:1000] or None
    delivery.duration_ms = answer.duration_ms
    if answer.ok:
        delivery.status = "succeeded"
        delivery.error = None
        delivery.delivered_at = when
        endpoint.last_success_at = when
    else:
        delivery.error = (answer.error or f"the endpoint answered {answer.status}")[:500]
        final = not retries_left
        delivery.status = "failed" if final else "retrying"
        endpoint.last_failure_at = when
    db.session.flush()
    return Attempt(
        delivery.id, answer.ok, answer.ok or not retries_left, answer.status, delivery.error
    )
