"""TOTP enrolment, the second step of sign-in, recovery codes and the org MFA policy."""

from __future__ import annotations

import urllib.parse

import pyotp
import pytest

from tests.auth.helpers import (
    PASSWORD,
    cookie,
    csrf,
    freeze_totp_step,
    sign_in,
    sign_up,
    totp_now,
)
from tests.factories import auth, make_key


@pytest.fixture(autouse=True)
def _one_time_step(monkeypatch):
    freeze_totp_step(monkeypatch)


def enrol(client) -> tuple[str, list[str]]:
    setup = client.post("/api/v1/auth/mfa/totp", headers=csrf(client))
    assert setup.status_code == 201
    body = setup.get_json()
    uri = urllib.parse.urlsplit(body["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert urllib.parse.parse_qs(uri.query)["secret"] == [body["secret"]]
    assert urllib.parse.parse_qs(uri.query)["issuer"] == ["EngageX"]
    confirmed = client.post(
        "/api/v1/auth/mfa/totp/confirm",
        json={"code": totp_now(body["secret"])},
        headers=csrf(client),
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    codes = confirmed.get_json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return body["secret"], codes


def test_enrolment_needs_a_valid_first_code(client, session):
    sign_up(client, "m@example.com")
    client.post("/api/v1/auth/mfa/totp", headers=csrf(client))
    bad = client.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": "000000"}, headers=csrf(client)
    )
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_code"
    assert client.get("/api/v1/auth/me").get_json()["user"]["mfa_enabled"] is False


def test_sign_in_requires_the_second_factor(client, app, session):
    sign_up(client, "two@example.com")
    secret, _codes = enrol(client)
    me = client.get("/api/v1/auth/me").get_json()["user"]
    assert me["mfa_enabled"] is True and me["recovery_codes_left"] == 10

    browser = app.test_client()
    first = sign_in(browser, "two@example.com")
    assert first == {"mfa_required": True, "user": None, "organization": None, "csrf_token": None}
    # The pending session opens nothing but the second step.
    denied = browser.get("/api/v1/organization")
    assert denied.status_code == 401 and denied.get_json()["code"] == "mfa_required"
    assert browser.get("/api/v1/auth/me").status_code == 401
    pending_cookie = cookie(browser)
    wrong = browser.post("/api/v1/auth/sign-in/mfa", json={"code": "123456"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_code"
    # (enrolment used the current step's code: the next step's code is the fresh one)
    ok = browser.post("/api/v1/auth/sign-in/mfa", json={"code": totp_now(secret, +1)})
    assert ok.status_code == 200 and ok.get_json()["user"]["email"] == "two@example.com"
    assert cookie(browser) != pending_cookie  # a fresh session id after the second factor
    assert browser.get("/api/v1/organization").status_code == 200


def test_a_code_is_accepted_once_per_time_step(client, app, session):
    sign_up(client, "once@example.com")
    secret, _ = enrol(client)  # enrolment used the current step
    browser = app.test_client()
    sign_in(browser, "once@example.com")
    # The code of the step already used (replayed) fails; the next step's code passes.
    replay = browser.post("/api/v1/auth/sign-in/mfa", json={"code": totp_now(secret)})
    assert replay.status_code == 401
    ok = browser.post("/api/v1/auth/sign-in/mfa", json={"code": totp_now(secret, +1)})
    assert ok.status_code == 200
    again = app.test_client()
    sign_in(again, "once@example.com")
    reused = again.post("/api/v1/auth/sign-in/mfa", json={"code": totp_now(secret, +1)})
    assert reused.status_code == 401


def test_recovery_codes_work_once(client, app, session):
    sign_up(client, "rec@example.com")
    _secret, codes = enrol(client)
    browser = app.test_client()
    sign_in(browser, "rec@example.com")
    assert (
        browser.post("/api/v1/auth/sign-in/mfa", json={"code": codes[0].upper()}).status_code == 200
    )
    assert browser.get("/api/v1/auth/me").get_json()["user"]["recovery_codes_left"] == 9
    later = app.test_client()
    sign_in(later, "rec@example.com")
    assert later.post("/api/v1/auth/sign-in/mfa", json={"code": codes[0]}).status_code == 401


def test_disable_and_regenerate_need_a_code(client, session):
    sign_up(client, "dis@example.com")
    _secret, codes = enrol(client)
    refused = client.post(
        "/api/v1/auth/mfa/totp/disable", json={"code": "999999"}, headers=csrf(client)
    )
    assert refused.status_code == 422
    regenerated = client.post(
        "/api/v1/auth/mfa/recovery-codes", json={"code": codes[1]}, headers=csrf(client)
    )
    new_codes = regenerated.get_json()["recovery_codes"]
    assert regenerated.status_code == 200 and not set(new_codes) & set(codes)
    ok = client.post(
        "/api/v1/auth/mfa/totp/disable", json={"code": new_codes[0]}, headers=csrf(client)
    )
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/me").get_json()["user"]["mfa_enabled"] is False
    client.post("/api/v1/auth/sign-out", headers=csrf(client))
    assert sign_in(client, "dis@example.com")["mfa_required"] is False


def test_owners_can_require_mfa_of_every_member(client, app, session):
    state = sign_up(client, "boss@example.com", "Strict")
    # Not before the owner has it: they would lock themselves out.
    early = client.put(
        "/api/v1/organization/security", json={"require_mfa": True}, headers=csrf(client)
    )
    assert early.status_code == 422 and early.get_json()["code"] == "mfa_not_enabled"
    enrol(client)
    on = client.put(
        "/api/v1/organization/security", json={"require_mfa": True}, headers=csrf(client)
    )
    assert on.status_code == 200 and on.get_json() == {"require_mfa": True}

    from blueprints.accounts.models import Organization
    from engagex.db import db
    from tests.factories import add_member

    add_member(
        db.session.get(Organization, state["organization"]["id"]), "staff@example.com", "admin"
    )
    staff = app.test_client()
    staff.post("/api/v1/auth/password/reset-request", json={"email": "staff@example.com"})
    from tests.auth.helpers import last_token

    staff.post(
        "/api/v1/auth/password/reset",
        json={"token": last_token(app, "staff@example.com"), "new_password": PASSWORD},
    )
    sign_in(staff, "staff@example.com")
    blocked = staff.get("/api/v1/organization")
    assert blocked.status_code == 403 and blocked.get_json()["code"] == "mfa_enrollment_required"
    assert staff.get("/api/v1/auth/me").get_json()["problem"]["code"] == "mfa_enrollment_required"
    enrol(staff)
    assert staff.get("/api/v1/organization").status_code == 200
    # An admin may not change the policy (owners only); API keys are not affected by it.
    assert (
        staff.put(
            "/api/v1/organization/security", json={"require_mfa": False}, headers=csrf(staff)
        ).status_code
        == 403
    )
    from blueprints.accounts.models import Organization as Org

    org = db.session.get(Org, state["organization"]["id"])
    assert (
        client.get("/api/v1/organization", headers=auth(make_key(org, "analyst"))).status_code
        == 200
    )


def test_totp_secret_is_encrypted_at_rest(client, session):
    user_id = sign_up(client, "enc@example.com")["user"]["id"]
    secret, _ = enrol(client)
    import sqlalchemy as sa

    from blueprints.auth.models import TotpCredential
    from engagex.db import db

    stored = (
        db.session.scalars(sa.select(TotpCredential).where(TotpCredential.user_id == user_id))
        .one()
        .secret_encrypted
    )
    assert secret not in stored and pyotp.TOTP(secret).now()
