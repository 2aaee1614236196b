"""Ids of notifications for the URL-map tests (tests/test_route_matrix.py)."""

from __future__ import annotations

from blueprints.accounts.models import Organization
from blueprints.notifications import services


def notification_id(org: Organization) -> int:
    return services.notify(org.id, "campaign.sent", title="Sent")[0].id


ID_FACTORIES = {"notification_id": notification_id}
