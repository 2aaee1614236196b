"""Rate limits on the ways in, counted in Redis: sign-in per address and per account,
password resets, invitation sends; 429 with Retry-After."""

from __future__ import annotations

import uuid

import pytest
import redis

from engagex import create_app
from tests.auth.helpers import PASSWORD, csrf, sign_up
from tests.conftest import REDIS_URL, IsolatedClient, app_config

LIMITS = {
    "sign_in_ip": "4 per hour",
    "sign_in_account": "2 per hour",
    "password_reset_account": "2 per hour",
    "invitations_org": "2 per hour",
}


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory, pg_url, app):  # app: the database is migrated
    prefix = f"engagex-test-{uuid.uuid4().hex[:8]}"
    application = create_app(
        app_config(tmp_path_factory.mktemp("limits"), DATABASE_URL=pg_url),
        RATELIMIT_STORAGE_URI=REDIS_URL,
        # An exact window: the outcome never depends on where a window boundary falls.
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_KEY_PREFIX=prefix,
        ENGAGEX_RATE_LIMITS=LIMITS,
    )
    application.test_client_class = IsolatedClient
    yield application
    conn = redis.Redis.from_url(REDIS_URL)
    for key in conn.scan_iter(f"*{prefix}*"):
        conn.delete(key)


@pytest.fixture
def limited(limited_app, session):
    from engagex.extensions import limiter

    with limited_app.app_context():
        limiter.reset()
    return limited_app


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email: str, password: str):
    return client.post("/api/v1/auth/sign-in", json={"email": email, "password": password})


def assert_limited(response) -> None:
    assert response.status_code == 429, response.get_json()
    assert response.get_json()["code"] == "rate_limited"
    retry = int(response.headers["Retry-After"])
    assert 0 < retry <= 3600


def test_sign_in_is_limited_per_address(limited):
    sign_up(limited.test_client(), "ip@example.com")
    client = client_at(limited, "10.0.0.1")
    for n in range(4):
        assert attempt(client, f"nobody{n}@example.com", "whatever-password").status_code == 401
    assert_limited(attempt(client, "ip@example.com", PASSWORD))
    # Another address is not affected.
    assert attempt(client_at(limited, "10.0.0.2"), "ip@example.com", PASSWORD).status_code == 200


def test_failed_sign_ins_are_limited_per_account(limited):
    sign_up(limited.test_client(), "target@example.com")
    sign_up(limited.test_client(), "bystander@example.com", "Other")
    # Guesses from many addresses still count against the one account...
    for n in range(2):
        assert (
            attempt(
                client_at(limited, f"10.1.0.{n}"), "target@example.com", "guess-" * 3
            ).status_code
            == 401
        )
    # ...so even the right password is refused for now,
    assert_limited(attempt(client_at(limited, "10.1.0.9"), "Target@Example.com", PASSWORD))
    # while other accounts sign in normally.
    assert (
        attempt(client_at(limited, "10.1.0.9"), "bystander@example.com", PASSWORD).status_code
        == 200
    )


def test_successful_sign_ins_do_not_use_up_the_account_limit(limited):
    sign_up(limited.test_client(), "regular@example.com")
    for n in range(3):
        assert (
            attempt(client_at(limited, f"10.2.0.{n}"), "regular@example.com", PASSWORD).status_code
            == 200
        )


def test_password_reset_requests_are_limited(limited):
    client = client_at(limited, "10.3.0.1")
    for _ in range(2):
        response = client.post(
            "/api/v1/auth/password/reset-request", json={"email": "r@example.com"}
        )
        assert response.status_code == 202
    response = client.post("/api/v1/auth/password/reset-request", json={"email": "R@example.com"})
    assert_limited(response)


def test_invitation_sends_are_limited_per_organization(limited):
    client = limited.test_client()
    sign_up(client, "inviter@example.com", "Inviters")
    for n in range(2):
        response = client.post(
            "/api/v1/invitations",
            json={"email": f"guest{n}@example.com", "role": "analyst"},
            headers=csrf(client),
        )
        assert response.status_code == 201
    response = client.post(
        "/api/v1/invitations",
        json={"email": "guest9@example.com", "role": "analyst"},
        headers=csrf(client),
    )
    assert_limited(response)
    pending = client.get("/api/v1/invitations").get_json()["items"]
    assert {i["email"] for i in pending} == {"guest0@example.com", "guest1@example.com"}


def test_counters_live_in_redis(limited):
    attempt(client_at(limited, "10.4.0.1"), "someone@example.com", "not-the-password")
    prefix = limited.config["RATELIMIT_KEY_PREFIX"]
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*"))
    assert any(b"sign_in_ip" in key and b"10.4.0.1" in key for key in keys)


def test_an_unreachable_store_does_not_lock_everyone_out(tmp_path, pg_url, app, session):
    broken = create_app(
        app_config(tmp_path, DATABASE_URL=pg_url),
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
    )
    broken.test_client_class = IsolatedClient
    sign_up(broken.test_client(), "resilient@example.com")
    assert attempt(broken.test_client(), "resilient@example.com", PASSWORD).status_code == 200
