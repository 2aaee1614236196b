"""Ids of webhook endpoints and deliveries for the URL-map tests
(tests/test_route_matrix.py). ``campaign_id`` comes from tests/campaigns/route_ids.py."""

from __future__ import annotations

from blueprints.accounts.models import Organization
from blueprints.analytics.outgoing import services
from blueprints.analytics.outgoing.models import WebhookDelivery
from engagex.db import db


def webhook_id(org: Organization) -> int:
    endpoint = services.create_endpoint(
        None, {"url": "https://hooks.example.com/engagex", "event_types": ["*"]}
    )
    return endpoint.id


def delivery_id(org: Organization) -> int:
    endpoint_id = webhook_id(org)
    delivery = WebhookDelivery(
        endpoint_id=endpoint_id,
        event_type="ping",
        event_id="evt_route_ids",
        payload={"type": "ping"},
        status="succeeded",
        attempts=1,
    )
    db.session.add(delivery)
    db.session.flush()
    return delivery.id


ID_FACTORIES = {"webhook_id": webhook_id, "delivery_id": delivery_id}

REQUEST_BODIES = {
    ("PATCH", "/api/v1/webhooks/<id:webhook_id>"): {"description": "renamed"},
}
