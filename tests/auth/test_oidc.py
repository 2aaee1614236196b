"""Single sign-on end to end against a real OpenID provider (oidc-provider-mock) on loopback.

The browser is simulated: our test client follows the redirect to the provider, the
provider's sign-in form is posted with ``requests``, and its redirect comes back to our
callback. A small WSGI harness in front of the provider checks PKCE (S256) on the token
request and can tamper with the nonce or the audience, as an attacker would.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import warnings
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from blueprints.accounts.models import User
from blueprints.auth.models import OidcIdentity
from engagex import create_app
from engagex.db import db
from tests.auth.helpers import (
    PASSWORD,
    cookie,
    csrf,
    freeze_totp_step,
    sign_in,
    sign_up,
    totp_now,
)
from tests.conftest import IsolatedClient, app_config

with warnings.catch_warnings():  # the provider imports APIs authlib itself deprecates
    warnings.simplefilter("ignore")
    import oidc_provider_mock

CLIENT_ID = "engagex-test"
# The provider (a test peer) uses authlib APIs that authlib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Harness:
    """WSGI middleware in front of the provider: verifies PKCE, tampers on demand."""

    def __init__(self, app) -> None:
        self.app = app
        self.challenges: dict[str, tuple[str | None, str | None]] = {}
        self.pkce_verified = 0
        self.nonce_override: str | None = None
        self.audience_override: str | None = None

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/oauth2/authorize":
            query = parse_qs(environ["QUERY_STRING"])
            if self.nonce_override:
                query["nonce"] = [self.nonce_override]
            if self.audience_override:
                query["client_id"] = [self.audience_override]
            environ["QUERY_STRING"] = urlencode(query, doseq=True)
            challenge = (
                query.get("code_challenge", [None])[0],
                query.get("code_challenge_method", [None])[0],
            )

            def remember_code(status, headers, exc_info=None):
                for name, value in headers:
                    if name.lower() == "location":
                        code = parse_qs(urlsplit(value).query).get("code", [None])[0]
                        if code:
                            self.challenges[code] = challenge
                return start_response(status, headers, exc_info)

            return self.app(environ, remember_code)
        if path == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            form = parse_qs(body.decode())
            code = form.get("code", [None])[0]
            verifier = form.get("code_verifier", [None])[0]
            challenge, method = self.challenges.pop(code, (None, None))
            computed = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
                if verifier
                else None
            )
            if method != "S256" or computed is None or computed != challenge:
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [
                    json.dumps({"error": "invalid_grant", "error_description": "PKCE"}).encode()
                ]
            self.pkce_verified += 1
            if self.audience_override:
                basic = base64.b64encode(f"{self.audience_override}:secret".encode()).decode()
                environ["HTTP_AUTHORIZATION"] = f"Basic {basic}"
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            return self.app(environ, start_response)
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def provider_factory() -> Iterator:
    servers = []

    def start(**options) -> tuple[str, Harness]:
        harness = Harness(oidc_provider_mock.app(**options))
        server = make_server("127.0.0.1", 0, harness, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}", harness

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join(5)


def sso_app(issuer: str, tmp_path_factory, pg_url: str):
    application = create_app(
        app_config(
            tmp_path_factory.mktemp("sso"),
            DATABASE_URL=pg_url,
            OIDC_ISSUER=issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET="s3cret",
        )
    )
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture(scope="module")
def provider(provider_factory):
    return provider_factory()


@pytest.fixture(scope="module")
def oidc_app(provider, tmp_path_factory, pg_url, app):  # app: the database is migrated
    return sso_app(provider[0], tmp_path_factory, pg_url)


@pytest.fixture
def sso(oidc_app, provider, session):
    issuer, harness = provider
    harness.nonce_override = harness.audience_override = None
    return oidc_app.test_client(), issuer, harness


def set_claims(issuer: str, sub: str, **claims) -> None:
    assert requests.put(f"{issuer}/users/{sub}", json=claims, timeout=10).status_code == 204


def browser_sign_in(client, sub: str, *, next_path: str = "/campaigns"):
    """Start at our app, sign in at the provider as ``sub``, return our callback's answer."""
    start = client.get(f"/api/v1/auth/oidc/start?{urlencode({'next': next_path})}")
    assert start.status_code == 302, start.get_json()
    authorize = start.headers["Location"]
    at_provider = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text[:500]
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/api/v1/auth/oidc/callback"
    return client.get(f"{back.path}?{back.query}"), authorize


def test_sso_sign_in_creates_the_account_and_a_session(sso):
    client, issuer, harness = sso
    set_claims(issuer, "alice-1", email="Alice@Example.com", email_verified=True, name="Alice")
    info = client.get("/api/v1/auth/oidc").get_json()
    assert info == {"enabled": True, "issuer": issuer, "start_url": "/api/v1/auth/oidc/start"}
    verified_before = harness.pkce_verified
    response, authorize = browser_sign_in(client, "alice-1")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]
    assert query["state"][0] and query["nonce"][0] and "openid" in query["scope"][0]
    assert harness.pkce_verified == verified_before + 1
    assert response.status_code == 302 and response.headers["Location"] == "/campaigns"
    assert cookie(client) is not None
    me = client.get("/api/v1/auth/me").get_json()
    assert me["user"]["email"] == "alice@example.com" and me["user"]["name"] == "Alice"
    assert me["user"]["has_password"] is False and me["organization"] is None
    identity = db.session.scalars(
        sa.select(OidcIdentity).where(OidcIdentity.subject == "alice-1")
    ).one()
    assert (identity.issuer, identity.subject) == (issuer, "alice-1")
    # Without an organization the person can create one.
    created = client.post("/api/v1/organizations", json={"name": "Alice Co"}, headers=csrf(client))
    assert created.status_code == 201


def test_identity_is_the_subject_not_the_email(sso):
    client, issuer, _ = sso
    set_claims(issuer, "bob-1", email="bob@example.com", email_verified=True)
    browser_sign_in(client, "bob-1")
    set_claims(issuer, "bob-1", email="robert@example.com", email_verified=False)
    other = sso[0].application.test_client()
    response, _ = browser_sign_in(other, "bob-1")
    assert response.status_code == 302 and response.headers["Location"] == "/campaigns"
    assert other.get("/api/v1/auth/me").get_json()["user"]["email"] == "bob@example.com"
    emails = db.session.scalars(
        sa.select(User.email).where(User.email.in_(["bob@example.com", "robert@example.com"]))
    ).all()
    assert emails == ["bob@example.com"]


def test_existing_account_is_linked_only_with_a_verified_email(sso, app):
    client, issuer, _ = sso
    password_client = app.test_client()
    sign_up(password_client, "carol@example.com", "Carol Org")
    set_claims(issuer, "carol-unverified", email="carol@example.com", email_verified=False)
    refused, _ = browser_sign_in(client, "carol-unverified")
    assert refused.headers["Location"] == "/sign-in?error=sso_email_not_verified&next=%2Fcampaigns"
    assert cookie(client) is None
    assert (
        db.session.scalars(
            sa.select(OidcIdentity).where(OidcIdentity.subject == "carol-unverified")
        ).first()
        is None
    )
    set_claims(issuer, "carol-verified", email="carol@example.com", email_verified=True)
    linked, _ = browser_sign_in(client, "carol-verified")
    assert linked.headers["Location"] == "/campaigns"
    me = client.get("/api/v1/auth/me").get_json()
    assert me["user"]["email"] == "carol@example.com" and me["organization"]["name"] == "Carol Org"


def test_wrong_state_gives_no_session(sso):
    client, issuer, _ = sso
    set_claims(issuer, "dan-1", email="dan@example.com", email_verified=True)
    start = client.get("/api/v1/auth/oidc/start")
    at_provider = requests.post(
        start.headers["Location"], data={"sub": "dan-1"}, allow_redirects=False, timeout=10
    )
    back = urlsplit(at_provider.headers["Location"])
    query = parse_qs(back.query)
    query["state"] = ["forged-state"]
    response = client.get(f"{back.path}?{urlencode(query, doseq=True)}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?error=sso_state_mismatch"
    assert cookie(client) is None
    # A callback without the browser's pending-login cookie is refused too.
    fresh = client.application.test_client()
    response = fresh.get(f"{back.path}?{back.query}")
    assert response.headers["Location"] == "/sign-in?error=sso_expired" and cookie(fresh) is None


def refusal(caplog) -> str:
    messages = [
        r.getMessage() for r in caplog.records if "single sign-on refused" in r.getMessage()
    ]
    assert messages, "the refusal is logged for the operator"
    return messages[-1]


def test_wrong_nonce_gives_no_session(sso, caplog):
    client, issuer, harness = sso
    set_claims(issuer, "eve-1", email="eve@example.com", email_verified=True)
    harness.nonce_override = "replayed-nonce"
    response, _ = browser_sign_in(client, "eve-1")
    assert response.headers["Location"] == "/sign-in?error=sso_invalid&next=%2Fcampaigns"
    assert "nonce" in refusal(caplog)
    assert cookie(client) is None
    assert (
        db.session.scalars(sa.select(User).where(User.email == "eve@example.com")).first() is None
    )


def test_wrong_audience_gives_no_session(sso, caplog):
    client, issuer, harness = sso
    set_claims(issuer, "fay-1", email="fay@example.com", email_verified=True)
    harness.audience_override = "some-other-client"
    response, _ = browser_sign_in(client, "fay-1")
    assert response.headers["Location"] == "/sign-in?error=sso_invalid&next=%2Fcampaigns"
    assert "aud" in refusal(caplog)
    assert cookie(client) is None


def test_provider_refusal_and_open_redirects(sso):
    client, issuer, _ = sso
    start = client.get("/api/v1/auth/oidc/start?next=https://evil.example/steal")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    denied = client.get(f"/api/v1/auth/oidc/callback?error=access_denied&state={state}")
    assert denied.headers["Location"] == "/sign-in?error=sso_denied" and cookie(client) is None
    set_claims(issuer, "gus-1", email="gus@example.com", email_verified=True)
    for target in ("https://evil.example/x", "//evil.example/x", "/\\evil.example"):
        response, _ = browser_sign_in(client, "gus-1", next_path=target)
        assert response.headers["Location"] == "/"


def test_sso_respects_mfa(sso, app, monkeypatch):
    freeze_totp_step(monkeypatch)
    client, issuer, _ = sso
    password_client = app.test_client()
    sign_up(password_client, "hal@example.com", "Hal Org")
    setup = password_client.post("/api/v1/auth/mfa/totp", headers=csrf(password_client)).get_json()
    password_client.post(
        "/api/v1/auth/mfa/totp/confirm",
        json={"code": totp_now(setup["secret"])},
        headers=csrf(password_client),
    )
    set_claims(issuer, "hal-1", email="hal@example.com", email_verified=True)
    response, _ = browser_sign_in(client, "hal-1", next_path="/reports")
    assert response.headers["Location"] == "/sign-in/mfa?next=%2Freports"
    assert client.get("/api/v1/auth/me").get_json()["code"] == "mfa_required"
    ok = client.post("/api/v1/auth/sign-in/mfa", json={"code": totp_now(setup["secret"], +1)})
    assert ok.status_code == 200 and ok.get_json()["organization"]["name"] == "Hal Org"


def test_expired_id_token_gives_no_session(
    provider_factory, tmp_path_factory, pg_url, app, session, caplog
):
    issuer, _ = provider_factory(access_token_max_age=timedelta(hours=-1))
    client = sso_app(issuer, tmp_path_factory, pg_url).test_client()
    set_claims(issuer, "ivy-1", email="ivy@example.com", email_verified=True)
    response, _ = browser_sign_in(client, "ivy-1")
    assert response.headers["Location"] == "/sign-in?error=sso_invalid&next=%2Fcampaigns"
    assert "expired" in refusal(caplog).lower()
    assert cookie(client) is None


def test_sso_not_configured(client, session):
    assert client.get("/api/v1/auth/oidc").get_json() == {
        "enabled": False,
        "issuer": None,
        "start_url": None,
    }
    response = client.get("/api/v1/auth/oidc/start")
    assert response.headers["Location"] == "/sign-in?error=sso_not_configured"


def test_password_users_still_sign_in_on_an_sso_app(sso):
    client, _, _ = sso
    sign_up(client, "pat@example.com", "Pat")
    client.post("/api/v1/auth/sign-out", headers=csrf(client))
    assert sign_in(client, "pat@example.com", PASSWORD)["user"]["email"] == "pat@example.com"
