"""Sign-up, sign-in, server-side sessions, CSRF, sign-out, switching organizations."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blueprints.accounts.models import AuditEvent, Membership, Organization, User
from blueprints.auth.models import AuthSession
from engagex.db import db
from engagex.tenancy import system_scope
from tests.auth.helpers import PASSWORD, cookie, csrf, set_cookie_header, sign_in, sign_up
from tests.factories import auth, make_key, make_org


def test_sign_up_creates_user_org_owner_and_a_session(client, session):
    state = sign_up(client, "Ada@Example.com", "Ada's Shop")
    assert state["user"]["email"] == "ada@example.com"
    assert state["organization"]["name"] == "Ada's Shop"
    assert state["organization"]["slug"] == "ada-s-shop"
    assert state["organization"]["role"] == "owner"
    assert state["csrf_token"] and state["problem"] is None
    # The session works at once: the org-level API answers for the cookie.
    assert client.get("/api/v1/organization").get_json()["name"] == "Ada's Shop"
    with system_scope():
        user = db.session.scalars(sa.select(User).where(User.email == "ada@example.com")).one()
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        stored = db.session.scalars(
            sa.select(AuthSession).where(AuthSession.user_id == user.id)
        ).all()
        assert len(stored) == 1
        assert stored[0].token_hash != cookie(client)  # only a digest is stored


def test_sign_up_bad_input_writes_nothing(client, session):
    sign_up(client, "taken@example.com")
    users_before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    with system_scope():
        orgs_before = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    cases = [
        ({"email": "taken@example.com"}, 409, "email_taken"),
        ({"password": "short"}, 422, "weak_password"),
        ({"password": "password1234"}, 422, "weak_password"),
        ({"email": "not-an-email"}, 422, "invalid_email"),
        ({"organization_slug": "Bad Slug"}, 422, "invalid_slug"),
    ]
    for change, status, code in cases:
        body = {
            "email": "new@example.com",
            "password": PASSWORD,
            "organization_name": "New",
            **change,
        }
        response = client.post("/api/v1/auth/sign-up", json=body)
        assert (response.status_code, response.get_json()["code"]) == (status, code), change
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users_before
    with system_scope():
        orgs_after = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    assert orgs_after == orgs_before


def test_cookie_attributes(client, session, app):
    response = client.post(
        "/api/v1/auth/sign-up",
        json={"email": "c@example.com", "password": PASSWORD, "organization_name": "C"},
    )
    header = set_cookie_header(response)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert "Max-Age=2592000" in header  # 30 days
    # The test app runs on http://127.0.0.1 (development): no Secure flag there...
    assert "Secure" not in header
    # ...but everywhere else the cookie is Secure.
    app.config["ENGAGEX_BASE_URL"] = "https://app.example.com"
    try:
        client.post("/api/v1/auth/sign-out", headers=csrf(client))
        response = client.post(
            "/api/v1/auth/sign-in", json={"email": "c@example.com", "password": PASSWORD}
        )
        assert "Secure" in set_cookie_header(response)
    finally:
        app.config["ENGAGEX_BASE_URL"] = "http://127.0.0.1:5000"


def test_wrong_credentials_are_one_answer_and_audited(client, session):
    sign_up(client, "ann@example.com")
    client.post("/api/v1/auth/sign-out", headers=csrf(client))
    for email, password in [
        ("ann@example.com", "wrong-password-123"),
        ("nobody@example.com", PASSWORD),
        ("not an email", PASSWORD),
    ]:
        response = client.post("/api/v1/auth/sign-in", json={"email": email, "password": password})
        assert response.status_code == 401
        assert response.get_json()["code"] == "invalid_credentials"
        assert cookie(client) is None
    with system_scope():
        failed = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
        ).all()
    assert len(failed) == 1 and failed[0].details == {"reason": "password"}


def test_sign_in_gives_a_fresh_session_id_and_ends_the_old_one(client, session):
    sign_up(client, "fix@example.com")
    first = cookie(client)
    sign_in(client, "fix@example.com")
    second = cookie(client)
    assert first and second and first != second
    client.set_cookie("engagex_session", first)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_csrf_is_required_for_cookie_writes_only(client, session):
    sign_up(client, "x@example.com", "Xco")
    # A cookie-authenticated write without the header is refused before anything else.
    response = client.patch("/api/v1/organization", json={"name": "Renamed"})
    assert response.status_code == 403 and response.get_json()["code"] == "csrf_failed"
    response = client.patch(
        "/api/v1/organization", json={"name": "Renamed"}, headers={"X-CSRF-Token": "forged"}
    )
    assert response.status_code == 403
    ok = client.patch("/api/v1/organization", json={"name": "Renamed"}, headers=csrf(client))
    assert ok.status_code == 200 and ok.get_json()["name"] == "Renamed"
    # The token is also readable from a cookie and from /auth/csrf (the SPA's sources).
    assert cookie(client, "csrf_token") == csrf(client)["X-CSRF-Token"]
    assert client.get("/api/v1/auth/csrf").get_json()["csrf_token"] == cookie(client, "csrf_token")
    # Reads need no token; bearer requests need none either.
    assert client.get("/api/v1/organization").status_code == 200
    org = make_org()
    bearer = client.patch(
        "/api/v1/organization", json={"name": "By key"}, headers=auth(make_key(org))
    )
    assert bearer.status_code == 200 and bearer.get_json()["name"] == "By key"


def test_bearer_header_wins_over_the_cookie(client, session):
    sign_up(client, "both@example.com", "Cookie Org")
    other = make_org()
    body = client.get("/api/v1/organization", headers=auth(make_key(other))).get_json()
    assert body["id"] == other.id
    bad = client.get("/api/v1/organization", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401  # a bad key is not rescued by the cookie


def test_me_and_user_routes_need_a_session_not_a_key(client, session):
    assert client.get("/api/v1/auth/me").status_code == 401
    key = make_key(make_org())
    response = client.get("/api/v1/auth/me", headers=auth(key))
    assert response.status_code == 403 and response.get_json()["code"] == "session_required"


def test_sign_out_ends_the_session(client, session):
    sign_up(client, "out@example.com")
    token = cookie(client)
    response = client.post("/api/v1/auth/sign-out", headers=csrf(client))
    assert response.status_code == 204
    assert cookie(client) is None
    client.set_cookie("engagex_session", token)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_sessions_are_listed_and_revocable(client, app, session):
    sign_up(client, "many@example.com")
    laptop = app.test_client()
    sign_in(laptop, "many@example.com")
    items = client.get("/api/v1/auth/sessions").get_json()["items"]
    assert len(items) == 2 and sum(i["current"] for i in items) == 1
    other = next(i for i in items if not i["current"])
    assert (
        client.delete(f"/api/v1/auth/sessions/{other['id']}", headers=csrf(client)).status_code
        == 204
    )
    assert laptop.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 200
    # Someone else's session is a 404.
    stranger = app.test_client()
    sign_up(stranger, "stranger@example.com", "Stranger")
    theirs = stranger.get("/api/v1/auth/sessions").get_json()["items"][0]["id"]
    response = client.delete(f"/api/v1/auth/sessions/{theirs}", headers=csrf(client))
    assert response.status_code == 404
    assert stranger.get("/api/v1/auth/me").status_code == 200


def test_sessions_slide_and_expire(client, session):
    user_id = sign_up(client, "slide@example.com")["user"]["id"]
    mine = sa.select(AuthSession).where(AuthSession.user_id == user_id)
    with system_scope():
        row = db.session.scalars(mine).one()
        row.last_seen_at = row.last_seen_at - timedelta(days=10)
        row.expires_at = row.expires_at - timedelta(days=10)
        db.session.commit()
        old_expiry = row.expires_at
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert "Max-Age=2592000" in set_cookie_header(response)  # the cookie slides too
    db.session.expire_all()
    with system_scope():
        row = db.session.scalars(mine).one()
        assert row.expires_at - old_expiry > timedelta(days=9)
        row.expires_at = row.last_seen_at - timedelta(seconds=1)
        db.session.commit()
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert set_cookie_header(response).startswith("engagex_session=;")  # dropped


def test_switching_organizations(client, app, session):
    first = sign_up(client, "multi@example.com", "First")
    created = client.post("/api/v1/organizations", json={"name": "Second"}, headers=csrf(client))
    assert created.status_code == 201 and created.get_json()["role"] == "owner"
    second_id = created.get_json()["id"]
    assert client.get("/api/v1/organization").get_json()["id"] == second_id
    orgs = client.get("/api/v1/organizations").get_json()["items"]
    assert {o["name"] for o in orgs} == {"First", "Second"}
    first_id = first["organization"]["id"]
    switched = client.post(
        "/api/v1/auth/switch-org", json={"organization_id": first_id}, headers=csrf(client)
    )
    assert switched.status_code == 200 and switched.get_json()["organization"]["id"] == first_id
    assert client.get("/api/v1/organization").get_json()["name"] == "First"
    # An organization the person does not belong to does not exist for them.
    foreign = make_org()
    response = client.post(
        "/api/v1/auth/switch-org", json={"organization_id": foreign.id}, headers=csrf(client)
    )
    assert response.status_code == 404
    assert client.get("/api/v1/organization").get_json()["name"] == "First"
    # The next sign-in lands in the organization used last.
    client.post("/api/v1/auth/sign-out", headers=csrf(client))
    assert sign_in(client, "multi@example.com")["organization"]["id"] == first_id


def test_a_removed_member_keeps_the_session_but_loses_the_org(client, session):
    state = sign_up(client, "owner@example.com", "Team")
    org_id = state["organization"]["id"]
    from tests.factories import add_member

    org = db.session.get(Organization, org_id)
    add_member(org, "second@example.com", "owner")
    with system_scope():
        mine = db.session.scalars(
            sa.select(Membership).where(
                Membership.organization_id == org_id,
                Membership.user_id == state["user"]["id"],
            )
        ).one()
        db.session.delete(mine)
        db.session.commit()
    response = client.get("/api/v1/organization")
    assert response.status_code == 403 and response.get_json()["code"] == "organization_required"
    me = client.get("/api/v1/auth/me").get_json()
    assert me["organization"] is None and me["problem"]["code"] == "organization_required"


def test_password_change_revokes_other_sessions(client, app, session):
    sign_up(client, "pw@example.com")
    phone = app.test_client()
    sign_in(phone, "pw@example.com")
    wrong = client.post(
        "/api/v1/auth/password/change",
        json={"current_password": "not-it-at-all", "new_password": "another-Long-phrase-77"},
        headers=csrf(client),
    )
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "wrong_password"
    weak = client.post(
        "/api/v1/auth/password/change",
        json={"current_password": PASSWORD, "new_password": "qwerty123456"},
        headers=csrf(client),
    )
    assert weak.status_code == 422 and weak.get_json()["code"] == "weak_password"
    assert phone.get("/api/v1/auth/me").status_code == 200  # nothing changed so far
    ok = client.post(
        "/api/v1/auth/password/change",
        json={"current_password": PASSWORD, "new_password": "another-Long-phrase-77"},
        headers=csrf(client),
    )
    assert ok.status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200
    assert phone.get("/api/v1/auth/me").status_code == 401
    fresh = app.test_client()
    assert (
        fresh.post(
            "/api/v1/auth/sign-in", json={"email": "pw@example.com", "password": PASSWORD}
        ).status_code
        == 401
    )
    sign_in(fresh, "pw@example.com", "another-Long-phrase-77")


def test_sign_in_audit_lands_in_every_org_of_the_person(client, session):
    state = sign_up(client, "aud@example.com", "One")
    client.post("/api/v1/organizations", json={"name": "Two"}, headers=csrf(client))
    client.post("/api/v1/auth/sign-out", headers=csrf(client))
    sign_in(client, "aud@example.com")
    with system_scope():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "auth.signed_in")
        ).all()
    orgs = {e.organization_id for e in events}
    assert state["organization"]["id"] in orgs and len(orgs) == 2
    assert all(e.actor_user_id == state["user"]["id"] for e in events)
    assert all(e.ip_address == "127.0.0.1" for e in events)
