"""Ids of templates and revisions for the URL-map tests (tests/test_route_matrix.py)."""

from __future__ import annotations

import uuid

from blueprints.accounts.models import Organization
from blueprints.templates import services
from tests.templates.conftest import page


def template_id(org: Organization) -> int:
    template = services.create_template(
        None, {"name": f"t-{uuid.uuid4().hex[:8]}", "subject": "Hello", "html": page("<p>Hi</p>")}
    )
    return template.id


def revision_id(org: Organization) -> int:
    return services.latest_revision(None, template_id(org)).id


ID_FACTORIES = {"template_id": template_id, "revision_id": revision_id}

RULE = "/api/v1/templates/<id:template_id>"
REQUEST_BODIES = {
    ("PATCH", RULE): {"name": "renamed"},
    ("POST", f"{RULE}/preview"): {"sample": {"first_name": "Ann"}},
    ("POST", f"{RULE}/test-send"): {"emails": ["qa@example.com"]},
}
