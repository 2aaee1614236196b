"""The whole story, as a new user lives it: sign up, invite an analyst, the analyst signs
in and may read but not create campaigns, an owner's CLI key works on the API."""

from __future__ import annotations

import json

from click.testing import CliRunner
from flask.cli import ScriptInfo

from cli import cli
from engagex.permissions import role_has
from tests.auth.helpers import PASSWORD, csrf, last_token, sign_in, sign_up
from tests.test_route_matrix import api_routes, call, sample_path


def first_route(app, permission: str, method: str):
    return next(
        (r for r in api_routes(app) if r.permission == permission and r.method == method), None
    )


def test_sign_up_invite_analyst_and_use_a_cli_key(app, client, session):
    owner = sign_up(client, "founder@shop.example.com", "Shop", slug="shop")
    assert owner["organization"]["role"] == "owner"
    invited = client.post(
        "/api/v1/invitations",
        json={"email": "analyst@shop.example.com", "role": "analyst"},
        headers=csrf(client),
    )
    assert invited.status_code == 201

    analyst = app.test_client()
    token = last_token(app, "analyst@shop.example.com")
    joined = analyst.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD, "name": "Ann"}
    )
    assert joined.status_code == 200 and joined.get_json()["role"] == "analyst"
    analyst.post("/api/v1/auth/sign-out", headers=csrf(analyst))
    state = sign_in(analyst, "analyst@shop.example.com")
    assert state["organization"]["slug"] == "shop" and state["organization"]["role"] == "analyst"

    # Refused what an analyst may not do (campaign creation once that domain is mounted;
    # changing the organization in any case), allowed to read.
    headers = csrf(analyst)
    create_campaign = first_route(app, "campaigns:write", "POST")
    denied_routes = [r for r in (create_campaign,) if r is not None]
    for route in denied_routes:
        response = call(analyst, route, sample_path(route), {"name": "Spring sale"}, headers)
        assert response.status_code == 403, route
    response = analyst.patch("/api/v1/organization", json={"name": "Mine"}, headers=headers)
    assert (
        response.status_code == 403 and response.get_json()["details"]["permission"] == "org:manage"
    )
    assert not role_has("analyst", "campaigns:write") and role_has("analyst", "analytics:read")
    read_analytics = first_route(app, "analytics:read", "GET")
    for route in [r for r in (read_analytics,) if r is not None]:
        response = call(analyst, route, sample_path(route), None, {})
        assert response.status_code not in (401, 403), route
    assert analyst.get("/api/v1/members").status_code == 200

    # An owner creates an API key from the CLI and uses it on the API.
    result = CliRunner().invoke(
        cli,
        ["api-keys", "create", "--org", "shop", "--role", "admin", "--name", "ci", "--json"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 0, result.output
    key = json.loads(result.stdout)["key"]
    members = client.get("/api/v1/members", headers={"Authorization": f"Bearer {key}"}).get_json()
    assert {m["user"]["email"] for m in members["items"]} == {
        "founder@shop.example.com",
        "analyst@shop.example.com",
    }
    audit = client.get(
        "/api/v1/audit-events", headers={"Authorization": f"Bearer {key}"}
    ).get_json()
    assert {"invitations.accepted", "api_keys.created", "auth.signed_in"} <= {
        e["action"] for e in audit["items"]
    }


def test_clients_learn_the_role_and_its_permissions(app, client, session):
    from engagex.permissions import permissions_of

    state = sign_up(client, "lead@roles.example.com", "Roles", slug="roles")
    assert state["organization"]["permissions"] == sorted(permissions_of("owner"))
    me = client.get("/api/v1/auth/whoami").get_json()
    assert (me["kind"], me["role"]) == ("user", "owner") and "billing:manage" in me["permissions"]
    result = CliRunner().invoke(
        cli,
        ["api-keys", "create", "--org", "roles", "--role", "analyst", "--name", "bi", "--json"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    key = json.loads(result.stdout)["key"]
    bot = app.test_client().get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {key}"})
    body = bot.get_json()
    assert (body["kind"], body["role"], body["user_id"]) == ("api_key", "analyst", None)
    assert body["permissions"] == sorted(permissions_of("analyst"))


def test_accepted_invitation_notifies_the_managers(app, client, session):
    sign_up(client, "boss@join.example.com", "Join", slug="join")
    client.post(
        "/api/v1/invitations",
        json={"email": "new@join.example.com", "role": "editor"},
        headers=csrf(client),
    )
    newcomer = app.test_client()
    token = last_token(app, "new@join.example.com")
    newcomer.post("/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD})
    inbox = client.get("/api/v1/notifications").get_json()
    assert [n["title"] for n in inbox["items"]] == ["new@join.example.com joined as editor"]
    prefs = {
        p["type"]: p for p in client.get("/api/v1/notifications/preferences").get_json()["items"]
    }
    assert prefs["member.invitation_accepted"]["relevant"] is True
    assert prefs["billing.payment_failed"]["relevant"] is True  # an owner hears about billing
