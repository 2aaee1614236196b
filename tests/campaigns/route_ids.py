"""Ids of campaigns and transactional messages for the URL-map tests
(tests/test_route_matrix.py)."""

from __future__ import annotations

import uuid

from blueprints.accounts.models import Organization
from blueprints.campaigns import services
from blueprints.campaigns.models import TransactionalMessage
from engagex.db import db


def campaign_id(org: Organization) -> int:
    return services.create_campaign(None, {"name": f"c-{uuid.uuid4().hex[:8]}"}).id


def message_id(org: Organization) -> int:
    message = TransactionalMessage(
        to_email="someone@example.com",
        from_email="noreply@example.com",
        data={},
        status="sent",
        message_id=f"<{uuid.uuid4().hex}@example.com>",
    )
    db.session.add(message)
    db.session.flush()
    return message.id


ID_FACTORIES = {"campaign_id": campaign_id, "message_id": message_id}

RULE = "/api/v1/campaigns/<id:campaign_id>"
REQUEST_BODIES = {
    ("POST", f"{RULE}/schedule"): {"scheduled_at": "2031-01-01T09:00:00+01:00"},
    ("PUT", f"{RULE}/seed-list"): {"emails": ["seed@example.com"]},
    ("PATCH", RULE): {"name": "renamed"},
}
