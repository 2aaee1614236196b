"""Ids of contacts objects for the URL-map tests (tests/test_route_matrix.py)."""

from __future__ import annotations

import io
import uuid

from blueprints.accounts.models import Organization
from blueprints.contacts import audience, importing, services


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def contact_id(org: Organization) -> int:
    return services.create_contact(None, {"email": f"c-{_tag()}@example.com"}).id


def field_id(org: Organization) -> int:
    return services.create_field(None, name=f"f_{_tag()}", type="text").id


def group_id(org: Organization) -> int:
    return services.create_group(None, name=f"g-{_tag()}").id


def segment_id(org: Organization) -> int:
    definition = {"field": "email", "op": "contains", "value": "@"}
    return audience.create_segment(None, name=f"s-{_tag()}", definition=definition).id


def suppression_id(org: Organization) -> int:
    return audience.add_suppression(None, f"s-{_tag()}@example.com").id


def import_id(org: Organization) -> int:
    upload = io.BytesIO(b"email\nann@example.com\n")
    return importing.create_import(None, filename="people.csv", upload=upload).id


ID_FACTORIES = {
    "contact_id": contact_id,
    "field_id": field_id,
    "group_id": group_id,
    "segment_id": segment_id,
    "suppression_id": suppression_id,
    "import_id": import_id,
}

REQUEST_BODIES = {
    ("PATCH", "/api/v1/contacts/<id:contact_id>"): {"first_name": "Ann"},
    ("PATCH", "/api/v1/contacts/fields/<id:field_id>"): {"label": "Label"},
    ("PATCH", "/api/v1/groups/<id:group_id>"): {"name": "renamed"},
    ("POST", "/api/v1/groups/<id:group_id>/members"): {"contact_ids": [1]},
    ("DELETE", "/api/v1/groups/<id:group_id>/members"): {"contact_ids": [1]},
    ("PATCH", "/api/v1/segments/<id:segment_id>"): {"name": "renamed"},
}
