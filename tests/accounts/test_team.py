"""Members, roles, invitations, ownership, organization deletion and the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.accounts.models import Invitation, Membership, Organization, User
from engagex.db import db, utcnow
from engagex.tenancy import tenant_context
from tests.auth.helpers import (
    PASSWORD,
    cookie,
    csrf,
    html_of,
    last_token,
    outbox,
    sign_in,
    sign_up,
    text_of,
)
from tests.factories import add_member, auth, make_key


@pytest.fixture
def owner(client, session):
    """A signed-in owner of 'Acme' (the client holds the session)."""
    state = sign_up(client, "owner@acme.example.com", "Acme")
    return db.session.get(Organization, state["organization"]["id"])


def invite(client, email: str, role: str = "analyst"):
    return client.post(
        "/api/v1/invitations", json={"email": email, "role": role}, headers=csrf(client)
    )


def test_invite_a_new_teammate_who_accepts(client, app, owner):
    response = invite(client, "Ana@Example.com", "analyst")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["email"], body["role"], body["status"]) == (
        "ana@example.com",
        "analyst",
        "pending",
    )
    assert body["invited_by"]["email"] == "owner@acme.example.com"
    message = outbox(app, "ana@example.com")[-1]
    assert message["Subject"] == "owner@acme.example.com invited you to Acme on EngageX"
    assert "as analyst" in text_of(message) and "expires on" in text_of(message)
    assert "Accept the invitation" in html_of(message)
    token = last_token(app, "ana@example.com")

    guest = app.test_client()
    preview = guest.get("/api/v1/auth/invitation", query_string={"token": token}).get_json()
    assert preview["organization"]["name"] == "Acme" and preview["account_exists"] is False
    no_password = guest.post("/api/v1/auth/invitation/accept", json={"token": token})
    assert no_password.status_code == 422 and no_password.get_json()["code"] == "password_required"
    weak = guest.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": "password1234"}
    )
    assert weak.status_code == 422 and weak.get_json()["code"] == "weak_password"
    assert (
        db.session.scalars(sa.select(User).where(User.email == "ana@example.com")).first() is None
    )
    accepted = guest.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD, "name": "Ana"}
    )
    assert accepted.status_code == 200, accepted.get_json()
    body = accepted.get_json()
    assert body["signed_in"] is True and body["role"] == "analyst"
    assert body["state"]["organization"]["name"] == "Acme" and cookie(guest)
    assert guest.get("/api/v1/organization").get_json()["name"] == "Acme"
    # The link is single-use.
    reused = app.test_client().post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD}
    )
    assert reused.status_code == 410 and reused.get_json()["code"] == "invitation_used"
    assert invite(client, "ana@example.com").get_json()["code"] == "already_member"


def test_an_existing_person_is_linked(client, app, owner):
    other = app.test_client()
    sign_up(other, "ben@example.com", "Ben's")
    invite(client, "ben@example.com", "editor")
    token = last_token(app, "ben@example.com")
    preview = other.get("/api/v1/auth/invitation", query_string={"token": token}).get_json()
    assert preview["account_exists"] is True and preview["needs_password"] is False
    accepted = other.post(
        "/api/v1/auth/invitation/accept", json={"token": token}, headers=csrf(other)
    )
    assert accepted.status_code == 200 and accepted.get_json()["signed_in"] is False
    # Signed in as the invited person: the session moves to the new organization.
    assert other.get("/api/v1/organization").get_json()["name"] == "Acme"
    names = {o["name"] for o in other.get("/api/v1/organizations").get_json()["items"]}
    assert names == {"Ben's", "Acme"}


def test_invitation_links_expire_and_can_be_revoked_or_replaced(client, app, owner):
    invite(client, "cy@example.com")
    first = last_token(app, "cy@example.com")
    invite(client, "cy@example.com", "editor")  # replaces the pending one
    second = last_token(app, "cy@example.com")
    guest = app.test_client()
    replaced = guest.get("/api/v1/auth/invitation", query_string={"token": first})
    assert replaced.status_code == 410 and replaced.get_json()["code"] == "invitation_revoked"
    pending = client.get("/api/v1/invitations").get_json()["items"]
    assert [(i["email"], i["role"]) for i in pending] == [("cy@example.com", "editor")]
    # Expired (the row's expiry passed):
    with tenant_context(owner.id):
        row = db.session.scalars(
            sa.select(Invitation).where(Invitation.id == pending[0]["id"])
        ).one()
        row.expires_at = utcnow()
        db.session.commit()
    expired = guest.post(
        "/api/v1/auth/invitation/accept", json={"token": second, "password": PASSWORD}
    )
    assert expired.status_code == 410 and expired.get_json()["code"] == "token_expired"
    assert client.get("/api/v1/invitations", query_string={"status": "expired"}).get_json()["items"]
    # Resend issues a fresh link; revoking kills it.
    resent = client.post(f"/api/v1/invitations/{pending[0]['id']}/resend", headers=csrf(client))
    assert resent.status_code == 200 and resent.get_json()["status"] == "pending"
    third = last_token(app, "cy@example.com")
    assert guest.get("/api/v1/auth/invitation", query_string={"token": third}).status_code == 200
    assert (
        client.delete(f"/api/v1/invitations/{pending[0]['id']}", headers=csrf(client)).status_code
        == 204
    )
    revoked = guest.post(
        "/api/v1/auth/invitation/accept", json={"token": third, "password": PASSWORD}
    )
    assert revoked.status_code == 410 and revoked.get_json()["code"] == "invitation_revoked"
    forged = guest.get("/api/v1/auth/invitation", query_string={"token": third[:-3] + "abc"})
    assert forged.status_code == 422 and forged.get_json()["code"] == "invalid_token"


def test_only_owners_deal_in_the_owner_role(client, app, owner):
    admin_key = make_key(owner, "admin")
    response = client.post(
        "/api/v1/invitations",
        json={"email": "o@example.com", "role": "owner"},
        headers=auth(admin_key),
    )
    assert response.status_code == 403 and response.get_json()["code"] == "owner_required"
    assert invite(client, "o@example.com", "owner").status_code == 201
    with tenant_context(owner.id):
        owner_member = db.session.scalars(
            sa.select(Membership).where(Membership.role == "owner")
        ).one()
    demote = client.patch(
        f"/api/v1/members/{owner_member.id}", json={"role": "admin"}, headers=auth(admin_key)
    )
    assert demote.status_code == 403
    remove = client.delete(f"/api/v1/members/{owner_member.id}", headers=auth(admin_key))
    assert remove.status_code == 403


def test_the_last_owner_stays(client, owner):
    with tenant_context(owner.id):
        me = db.session.scalars(sa.select(Membership)).one()
    for response in (
        client.patch(f"/api/v1/members/{me.id}", json={"role": "admin"}, headers=csrf(client)),
        client.delete(f"/api/v1/members/{me.id}", headers=csrf(client)),
        client.post("/api/v1/organization/leave", headers=csrf(client)),
    ):
        assert response.status_code == 409 and response.get_json()["code"] == "last_owner"
    # The requests shared this test's connection: end the test's own transaction so the
    # next read starts one with its own tenant settings.
    db.session.commit()
    with tenant_context(owner.id):
        assert db.session.scalars(sa.select(Membership.role)).all() == ["owner"]


def test_roles_change_and_members_leave(client, app, owner):
    bob = add_member(owner, "bob@example.com", "analyst")
    changed = client.patch(
        f"/api/v1/members/{bob.id}", json={"role": "campaign_manager"}, headers=csrf(client)
    )
    assert changed.status_code == 200 and changed.get_json()["role"] == "campaign_manager"
    bad = client.patch(f"/api/v1/members/{bob.id}", json={"role": "king"}, headers=csrf(client))
    assert bad.status_code == 422
    listed = client.get("/api/v1/members", query_string={"role": "campaign_manager"}).get_json()[
        "items"
    ]
    assert [m["user"]["email"] for m in listed] == ["bob@example.com"]
    assert client.delete(f"/api/v1/members/{bob.id}", headers=csrf(client)).status_code == 204
    assert client.get(f"/api/v1/members/{bob.id}").status_code == 404


def test_transfer_ownership(client, app, owner):
    carl = add_member(owner, "carl@example.com", "admin")
    response = client.post(
        "/api/v1/organization/transfer-ownership", json={"member_id": carl.id}, headers=csrf(client)
    )
    assert response.status_code == 200 and response.get_json()["role"] == "owner"
    with tenant_context(owner.id):
        roles = dict(
            db.session.execute(
                sa.select(User.email, Membership.role).join(User, User.id == Membership.user_id)
            ).all()
        )
    assert roles == {"carl@example.com": "owner", "owner@acme.example.com": "admin"}
    # The former owner is an admin now: no more owner-only actions.
    again = client.post(
        "/api/v1/organization/transfer-ownership", json={"member_id": carl.id}, headers=csrf(client)
    )
    assert again.status_code == 403


def test_deleting_an_organization(client, app, owner):
    key = make_key(owner, "admin")
    admin = client.delete(f"/api/v1/organizations/{owner.id}", headers=auth(key))
    assert admin.status_code == 403
    assert (
        client.delete(f"/api/v1/organizations/{owner.id}", headers=csrf(client)).status_code == 204
    )
    # Soft-deleted: members and keys lose access at once, the slug stays taken.
    assert client.get("/api/v1/organization").status_code == 403
    assert client.get("/api/v1/organization", headers=auth(key)).status_code == 401
    deleted_at = db.session.execute(
        sa.text("SELECT deleted_at FROM organizations WHERE id = :id"), {"id": owner.id}
    ).scalar_one()
    assert deleted_at is not None
    assert client.get("/api/v1/organizations").get_json()["items"] == []


def test_audit_log(client, app, owner):
    bob = add_member(owner, "bob@example.com", "analyst")
    client.patch(f"/api/v1/members/{bob.id}", json={"role": "editor"}, headers=csrf(client))
    invite(client, "zed@example.com")
    key = client.post(
        "/api/v1/api-keys", json={"name": "ci", "role": "editor"}, headers=csrf(client)
    ).get_json()
    client.delete(f"/api/v1/api-keys/{key['id']}", headers=csrf(client))
    sign_in(app.test_client(), "owner@acme.example.com")
    events = client.get("/api/v1/audit-events", query_string={"limit": 50}).get_json()["items"]
    actions = [e["action"] for e in events]
    for expected in (
        "organizations.created",
        "members.role_changed",
        "invitations.created",
        "api_keys.created",
        "api_keys.revoked",
        "auth.signed_in",
    ):
        assert expected in actions, actions
    assert events == sorted(events, key=lambda e: -e["id"])  # newest first
    role_change = next(e for e in events if e["action"] == "members.role_changed")
    assert role_change["details"] == {"email": "bob@example.com", "from": "analyst", "to": "editor"}
    assert role_change["actor_label"] == "owner@acme.example.com"
    assert role_change["target_type"] == "memberships" and role_change["target_id"] == str(bob.id)
    only_keys = client.get(
        "/api/v1/audit-events", query_string={"action": "api_keys.*"}
    ).get_json()["items"]
    assert {e["action"] for e in only_keys} == {"api_keys.created", "api_keys.revoked"}
    # Analysts and editors cannot read it.
    analyst = make_key(owner, "analyst")
    assert client.get("/api/v1/audit-events", headers=auth(analyst)).status_code == 403


def test_the_audit_service_for_other_domains(session):
    from blueprints.accounts.services import audit
    from tests.factories import make_org

    org = make_org()
    with tenant_context(org.id):
        event = audit.record(None, "contacts.imported", ("imports", 7), {"rows": 1200})
        db.session.commit()
    assert (event.actor_kind, event.target_type, event.target_id) == ("system", "imports", "7")
    with pytest.raises(ValueError):
        audit.record(None, "contacts.imported")  # no organization anywhere
