"""Ids of sending domains for the URL-map tests (tests/test_route_matrix.py)."""

from __future__ import annotations

import uuid

from blueprints.accounts.models import Organization
from blueprints.domains import services


def domain_id(org: Organization) -> int:
    return services.create_domain(
        None, name=f"d{uuid.uuid4().hex[:10]}.example", provider="smtp"
    ).id


ID_FACTORIES = {"domain_id": domain_id}
