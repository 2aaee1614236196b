"""Accounts API: authentication, permissions, tenant isolation and pagination."""

from __future__ import annotations

import pytest

from tests.factories import add_member, auth, make_key, make_org


@pytest.fixture
def orgs(session):
    a, b = make_org("alpha"), make_org("beta")
    return a, b


def test_missing_or_bad_credentials_are_401(client, orgs):
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer egx_000000000000_wrong"},
    ):
        response = client.get("/api/v1/organization", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["code"] == "unauthorized"


def test_a_key_sees_only_its_organization(client, orgs):
    a, b = orgs
    b_member_id = add_member(b, "bob@example.com").id
    token = make_key(a)
    assert client.get("/api/v1/organization", headers=auth(token)).get_json()["slug"] == "alpha"
    emails = {
        m["user"]["email"]
        for m in client.get("/api/v1/members", headers=auth(token)).get_json()["items"]
    }
    assert emails == {"owner@alpha.example.com"}
    # Another organization's object is a 404, never a 403: existence does not leak.
    response = client.get(f"/api/v1/members/{b_member_id}", headers=auth(token))
    assert response.status_code == 404
    b_key_id = client.get("/api/v1/api-keys", headers=auth(make_key(b))).get_json()["items"][0][
        "id"
    ]
    assert client.delete(f"/api/v1/api-keys/{b_key_id}", headers=auth(token)).status_code == 404
    assert client.get("/api/v1/api-keys", headers=auth(make_key(b))).get_json()["items"]


def test_role_without_permission_is_403(client, orgs):
    a, _ = orgs
    analyst = make_key(a, role="analyst")
    assert client.get("/api/v1/organization", headers=auth(analyst)).status_code == 200
    response = client.patch("/api/v1/organization", json={"name": "X"}, headers=auth(analyst))
    assert response.status_code == 403
    assert response.get_json()["details"] == {"permission": "org:manage"}
    assert client.get("/api/v1/organization", headers=auth(analyst)).get_json()["name"] == "Alpha"


def test_update_organization(client, orgs):
    a, _ = orgs
    token = make_key(a)
    response = client.patch(
        "/api/v1/organization",
        json={
            "name": " Alpha Inc ",
            "timezone": "Europe/Paris",
            "default_from_email": "News@Alpha.Example.com",
        },
        headers=auth(token),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["timezone"], body["default_from_email"]) == (
        "Alpha Inc",
        "Europe/Paris",
        "News@alpha.example.com".lower(),
    )
    bad = client.patch("/api/v1/organization", json={"timezone": "Mars/Base"}, headers=auth(token))
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_timezone"


def test_members_are_paged_with_a_keyset_cursor(client, orgs):
    a, _ = orgs
    for i in range(4):
        add_member(a, f"m{i}@example.com")
    token = make_key(a)
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/members", query_string=query, headers=auth(token)).get_json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and seen == sorted(seen) and len(set(seen)) == 5


def test_api_key_lifecycle(client, orgs):
    a, _ = orgs
    admin = make_key(a)
    created = client.post(
        "/api/v1/api-keys", json={"name": "ci", "role": "editor"}, headers=auth(admin)
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["key"].startswith("egx_") and body["role"] == "editor"
    listed = client.get("/api/v1/api-keys", headers=auth(admin)).get_json()["items"]
    assert all("key" not in k for k in listed)
    assert client.get("/api/v1/organization", headers=auth(body["key"])).status_code == 200
    assert client.delete(f"/api/v1/api-keys/{body['id']}", headers=auth(admin)).status_code == 204
    assert client.get("/api/v1/organization", headers=auth(body["key"])).status_code == 401
    # An admin cannot mint an owner key.
    owner = client.post(
        "/api/v1/api-keys", json={"name": "x", "role": "owner"}, headers=auth(admin)
    )
    assert owner.status_code == 403 and owner.get_json()["code"] == "owner_required"


def test_footer_settings_round_trip_through_the_api(client, orgs):
    a, _ = orgs
    token = make_key(a)
    response = client.patch(
        "/api/v1/organization",
        json={"auto_unsubscribe_footer": True, "postal_address": "  2 Rue X, Paris  "},
        headers=auth(token),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["auto_unsubscribe_footer"] is True and body["postal_address"] == "2 Rue X, Paris"
    again = client.get("/api/v1/organization", headers=auth(token)).get_json()
    assert again["postal_address"] == "2 Rue X, Paris"
