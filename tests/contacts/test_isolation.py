"""Tenant isolation of every contacts endpoint: org A's key with org B's ids is a 404."""

from __future__ import annotations

import pytest

from blueprints.contacts import audience, importing, services
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.contacts.helpers import FILES
from tests.factories import auth, make_key, make_org


@pytest.fixture
def two_orgs(session):
    """Org A's admin key, and a full set of org B's objects (ids)."""
    org_a, org_b = make_org(), make_org()
    key_a = make_key(org_a, role="owner")
    with tenant_context(org_b.id):
        field = services.create_field(None, name="plan", type="text")
        group = services.create_group(None, name="B customers")
        contact = services.create_contact(
            None,
            {"email": "secret@b.example", "attributes": {"plan": "pro"}, "group_ids": [group.id]},
        )
        segment = audience.create_segment(
            None, name="B segment", definition={"field": "group", "op": "eq", "value": group.id}
        )
        suppression = audience.add_suppression(None, "blocked@b.example")
        record = importing.create_import(
            None, filename="dup.csv", path=FILES / "duplicates_case.csv"
        )
        importing.run_import(None, record.id)
        ids = {
            "field": field.id,
            "group": group.id,
            "contact": contact.id,
            "segment": segment.id,
            "suppression": suppression.id,
            "import": record.id,
            "org_b": org_b.id,
        }
        db.session.commit()
    with tenant_context(org_a.id):
        own_group = services.create_group(None, name="A group")
        own_contact = services.create_contact(None, {"email": "mine@a.example"})
        ids["own_group"], ids["own_contact"] = own_group.id, own_contact.id
        db.session.commit()
    return auth(key_a), ids


ROUTES = [
    ("get", "/api/v1/contacts/{contact}", None),
    ("patch", "/api/v1/contacts/{contact}", {"first_name": "x"}),
    ("delete", "/api/v1/contacts/{contact}", None),
    ("get", "/api/v1/contacts/{contact}/data", None),
    ("post", "/api/v1/contacts/{contact}/erase", None),
    ("get", "/api/v1/contacts/fields/{field}", None),
    ("patch", "/api/v1/contacts/fields/{field}", {"label": "x"}),
    ("delete", "/api/v1/contacts/fields/{field}", None),
    ("get", "/api/v1/groups/{group}", None),
    ("patch", "/api/v1/groups/{group}", {"name": "x"}),
    ("delete", "/api/v1/groups/{group}", None),
    ("post", "/api/v1/groups/{group}/members", {"contact_ids": []}),
    ("delete", "/api/v1/groups/{group}/members", {"contact_ids": []}),
    ("get", "/api/v1/segments/{segment}", None),
    ("patch", "/api/v1/segments/{segment}", {"name": "x"}),
    ("delete", "/api/v1/segments/{segment}", None),
    ("get", "/api/v1/segments/{segment}/count", None),
    ("get", "/api/v1/segments/{segment}/preview", None),
    ("get", "/api/v1/suppressions/{suppression}", None),
    ("delete", "/api/v1/suppressions/{suppression}", None),
    ("get", "/api/v1/contacts/imports/{import}", None),
    ("get", "/api/v1/contacts/imports/{import}/rejected", None),
    ("get", "/api/v1/contacts?group_id={group}", None),
    ("get", "/api/v1/contacts?segment_id={segment}", None),
    ("get", "/api/v1/contacts/count?group_id={group}", None),
    ("get", "/api/v1/contacts/count?segment_id={segment}", None),
    ("get", "/api/v1/contacts/export?group_id={group}", None),
    ("get", "/api/v1/contacts/export?segment_id={segment}&format=xlsx", None),
    ("post", "/api/v1/contacts", {"email": "new@a.example", "group_ids": ["{group}"]}),
    ("patch", "/api/v1/contacts/{own_contact}", {"group_ids": ["{group}"]}),
    ("post", "/api/v1/groups/{own_group}/members", {"contact_ids": ["{contact}"]}),
]


def _fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") else value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_other_organizations_objects_are_not_found(client, two_orgs, method, path, body):
    headers, ids = two_orgs
    kwargs = {"headers": headers}
    if body is not None:
        kwargs["json"] = _fill(body, ids)
    response = getattr(client, method)(path.format(**ids), **kwargs)
    assert response.status_code == 404, (method, path, response.get_json())
    assert response.get_json()["code"].endswith("not_found")


def test_nothing_of_org_b_leaks_or_changes(client, two_orgs):
    headers, ids = two_orgs
    listed = client.get("/api/v1/contacts", headers=headers).get_json()["items"]
    assert [c["email"] for c in listed] == ["mine@a.example"]
    assert client.get("/api/v1/groups", headers=headers).get_json()["items"][0]["name"] == "A group"
    assert client.get("/api/v1/segments", headers=headers).get_json()["items"] == []
    assert client.get("/api/v1/suppressions", headers=headers).get_json()["items"] == []
    assert client.get("/api/v1/contacts/imports", headers=headers).get_json()["items"] == []
    assert client.get("/api/v1/contacts/fields", headers=headers).get_json() == []
    data = client.get("/api/v1/contacts/data?email=secret@b.example", headers=headers)
    assert data.status_code == 404
    erased = client.post(
        "/api/v1/contacts/erase", json={"email": "secret@b.example"}, headers=headers
    )
    assert erased.get_json() == {
        "contacts": 0,
        "suppressions": 0,
        "rejected_rows": 0,
        "import_reports": 0,
    }
    erased = client.post(
        "/api/v1/contacts/erase", json={"email": "blocked@b.example"}, headers=headers
    )
    assert erased.get_json()["suppressions"] == 0
    # Counting and previewing a definition that names B's group reveals nothing either.
    same = {"field": "group", "op": "eq", "value": ids["group"]}
    unknown = {"field": "group", "op": "eq", "value": 987654321}
    first = client.post("/api/v1/segments/count", json={"definition": same}, headers=headers)
    second = client.post("/api/v1/segments/count", json={"definition": unknown}, headers=headers)
    assert first.status_code == second.status_code == 422
    assert first.get_json()["message"].replace(str(ids["group"]), "N") == second.get_json()[
        "message"
    ].replace("987654321", "N")
    with tenant_context(ids["org_b"]):
        assert services.count_contacts(None) == 3
        assert (
            audience.count_matching(None, {"field": "attributes.plan", "op": "eq", "value": "pro"})
            == 1
        )
        assert audience.suppression_of("blocked@b.example") is not None


def test_an_upload_into_another_organizations_group_is_not_found(client, two_orgs):
    headers, ids = two_orgs
    with (FILES / "latin1.csv").open("rb") as fh:
        response = client.post(
            "/api/v1/contacts/imports",
            data={"file": (fh, "a.csv"), "group_id": str(ids["group"])},
            headers=headers,
            content_type="multipart/form-data",
        )
    assert response.status_code == 404 and response.get_json()["code"] == "group_not_found"
