"""Password policy, argon2id hashing with rehash on sign-in, and the emailed reset."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from blueprints.accounts.models import User
from blueprints.accounts.services import sign_token
from blueprints.auth.services import passwords
from engagex.db import db
from engagex.errors import ValidationFailed
from tests.auth.helpers import (
    PASSWORD,
    cookie,
    html_of,
    last_token,
    outbox,
    sign_in,
    sign_up,
    text_of,
)


@pytest.mark.parametrize(
    "candidate",
    [
        "short-one",  # < 12 characters
        "password1234",  # in the list
        "Q1W2E3R4T5Y6",  # in the list, any case
        "sunshine2024!",  # a common word with a short suffix
        "aaaaaaaaaaaaaaa",  # one character
        "abababababababab",  # a repeated pattern
        "jane.doe@example.com",  # the email itself
        "jane.doe-secret-words",  # built on the email's local part
        "x" * 300,  # beyond the maximum
    ],
)
def test_policy_rejects(candidate):
    with pytest.raises(ValidationFailed) as info:
        passwords.check_policy(candidate, email="jane.doe@example.com")
    assert info.value.code == "weak_password"


@pytest.mark.parametrize(
    "candidate", [PASSWORD, "correct horse battery staple", "Zx9!unusual-pass"]
)
def test_policy_accepts(candidate):
    passwords.check_policy(candidate, email="jane.doe@example.com")


def test_hash_is_argon2id_with_owasp_parameters():
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.HASHER.verify(hashed, PASSWORD)


def test_sign_in_rehashes_when_parameters_change(client, session):
    sign_up(client, "old@example.com")
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    user = db.session.scalars(sa.select(User).where(User.email == "old@example.com")).one()
    user.password_hash = weaker.hash(PASSWORD)
    db.session.commit()
    sign_in(client, "old@example.com")
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.email == "old@example.com")).one()
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_password_reset_by_email(client, app, session):
    sign_up(client, "reset@example.com")
    other = app.test_client()
    sign_in(other, "reset@example.com")
    response = client.post(
        "/api/v1/auth/password/reset-request", json={"email": "Reset@Example.com"}
    )
    assert response.status_code == 202
    message = outbox(app, "reset@example.com")[-1]
    assert message["Subject"] == "Reset your EngageX password"
    assert "expires in one hour" in text_of(message)
    assert "Choose a new password" in html_of(message)
    token = last_token(app, "reset@example.com")
    weak = client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": "123456789012"}
    )
    assert weak.status_code == 422 and weak.get_json()["code"] == "weak_password"
    ok = client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": "brand-New-secret-99"}
    )
    assert ok.status_code == 204
    # Every session is signed out, the new password works, the link is used up.
    assert client.get("/api/v1/auth/me").status_code == 401 and cookie(client) is None
    assert other.get("/api/v1/auth/me").status_code == 401
    sign_in(client, "reset@example.com", "brand-New-secret-99")
    again = client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": "third-Pass-phrase-1"}
    )
    assert again.status_code == 410 and again.get_json()["code"] == "token_used"


def test_reset_request_for_an_unknown_address_looks_the_same(client, app, session):
    response = client.post(
        "/api/v1/auth/password/reset-request", json={"email": "ghost@example.com"}
    )
    assert response.status_code == 202
    assert outbox(app, "ghost@example.com") == []


def test_expired_and_forged_reset_links(client, app, session, monkeypatch):
    sign_up(client, "late@example.com")
    user = db.session.scalars(sa.select(User).where(User.email == "late@example.com")).one()
    with app.test_request_context():
        token = sign_token("password-reset", {"u": user.id, "f": passwords.fingerprint(user)})
    # Signed tokens carry their time: make the clock of the check two hours later.
    import itsdangerous.timed

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) + 7200
    )
    late = client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": "brand-New-secret-99"}
    )
    assert late.status_code == 410 and late.get_json()["code"] == "token_expired"
    monkeypatch.undo()
    forged = client.post(
        "/api/v1/auth/password/reset",
        json={"token": token[:-2] + "xx", "new_password": "brand-New-secret-99"},
    )
    assert forged.status_code == 422 and forged.get_json()["code"] == "invalid_token"
    # An invitation token is no reset token (purposes are signed apart).
    with app.test_request_context():
        other = sign_token("invitation", {"u": user.id, "f": passwords.fingerprint(user)})
    wrong = client.post(
        "/api/v1/auth/password/reset", json={"token": other, "new_password": "brand-New-secret-99"}
    )
    assert wrong.status_code == 422
