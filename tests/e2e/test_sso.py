"""Single sign-on in the browser: the SPA's "Continue with single sign-on", a real OpenID
provider's page (oidc-provider-mock on loopback), and back in the app.

The app gets a server and a database of its own here, configured for the provider: the
session's ``live_server`` has no SSO, and the callback URL registered at the provider must
be the server's own (``ENGAGEX_BASE_URL``), which a free port chosen up front allows.
The server side (PKCE, nonce, audience, linking rules) is tested without a browser in
tests/auth/test_oidc.py; this file checks what a person sees.
"""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import flask_migrate
import pytest
import requests
import sqlalchemy as sa

from blueprints.accounts.models import User
from blueprints.auth.models import OidcIdentity
from engagex import create_app
from engagex.db import db
from tests.conftest import app_config, create_database, drop_database
from tests.e2e.conftest import page_factory, serving
from tests.mail.smtp_server import free_port

with warnings.catch_warnings():  # the provider imports APIs authlib itself deprecates
    # Imported first: it installs an "always" filter for its warnings, over any "ignore".
    import authlib.deprecate  # noqa: F401

    warnings.simplefilter("ignore")
    import oidc_provider_mock

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Route

playwright = pytest.importorskip("playwright.sync_api")
Browser = playwright.Browser
Page = playwright.Page
expect = playwright.expect

# The provider (a test peer) uses authlib APIs that authlib itself deprecates.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

CALLBACK = "/api/v1/auth/oidc/callback"
SSO_LINK = "Continue with single sign-on"
# The SPA's SSO_ERRORS (frontend/src/screens/auth/SignInScreen.tsx).
DENIED = "Your identity provider refused the sign-in."
STATE_MISMATCH = "The single sign-on answer did not match this browser."
NOT_VERIFIED = "Your identity provider has not verified your email address"


@dataclass(frozen=True)
class SsoServer:
    url: str
    issuer: str
    app: Flask

    def set_claims(self, sub: str, **claims: object) -> None:
        """What the provider says about ``sub`` (its administrator's side, not the form)."""
        answer = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert answer.status_code == 204, answer.text


def register_client(issuer: str, callback: str) -> tuple[str, str]:
    """Register the app at the provider with its one redirect URI: a callback URL built
    from a wrong base URL is then refused by the provider, as a real one would."""
    answer = requests.post(
        f"{issuer}/oauth2/clients", json={"redirect_uris": [callback]}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    client = answer.json()
    return client["client_id"], client["client_secret"]


@pytest.fixture(scope="module")
def sso_server(
    frontend_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SsoServer]:
    name = f"engagex_sso_{uuid.uuid4().hex[:8]}"
    database_url = create_database(name)
    try:
        provider = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
        with serving(provider) as issuer:
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            client_id, client_secret = register_client(issuer, f"{base_url}{CALLBACK}")
            settings = app_config(
                tmp_path_factory.mktemp("sso"),
                DATABASE_URL=database_url,
                ENGAGEX_BASE_URL=base_url,
                ENGAGEX_FRONTEND_DIST=str(frontend_dist),
                OIDC_ISSUER=issuer,
                OIDC_CLIENT_ID=client_id,
                OIDC_CLIENT_SECRET=client_secret,
            )
            app = create_app(settings)
            try:
                with app.app_context():
                    flask_migrate.upgrade(revision="heads")
                with serving(app, port) as url:
                    yield SsoServer(url=url, issuer=issuer, app=app)
            finally:
                with app.app_context():
                    db.engine.dispose()
    finally:
        drop_database(name)


@pytest.fixture
def open_page(browser: Browser, sso_server: SsoServer) -> Iterator[Callable[..., Page]]:
    def keep_on_loopback(route: Route) -> None:
        # The provider's page links a stylesheet on a CDN: the test stays off the network.
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    with page_factory(browser, sso_server.url) as make:

        def make_offline(width: int = 1280, height: int = 860) -> Page:
            page = make(width, height)
            page.context.route("**/*", keep_on_loopback)
            return page

        yield make_offline


def new_subject(server: SsoServer, *, verified: bool = True) -> tuple[str, str]:
    """A person known to the provider only: (subject, email)."""
    tag = uuid.uuid4().hex[:8]
    email = f"River.Stone-{tag}@Example.com"
    server.set_claims(f"sub-{tag}", email=email, email_verified=verified, name="River Stone")
    return f"sub-{tag}", email


def to_provider(page: Page, server: SsoServer, path: str = "/sign-in") -> None:
    """From a page of the app to the provider's sign-in form, through the SSO link."""
    page.goto(path)
    page.get_by_role("link", name=SSO_LINK).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(server.issuer)}/oauth2/authorize\?"))
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()


def authorize(page: Page, sub: str) -> None:
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def rewrite_answer(
    page: Page, server: SsoServer, change: Callable[[dict[str, list[str]]], None]
) -> None:
    """Let ``change`` edit the query of the provider's redirect back to the app, after the
    form on the provider's page is submitted."""

    def handle(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        location = urlsplit(answer.headers["location"])
        assert location.path == CALLBACK, answer.headers["location"]
        query = parse_qs(location.query)
        change(query)
        rewritten = urlunsplit(location._replace(query=urlencode(query, doseq=True)))
        route.fulfill(status=302, headers={"Location": rewritten})

    page.route(f"{server.issuer}/oauth2/authorize?*", handle)


def cookies(page: Page) -> dict[str, dict]:
    return {cookie["name"]: cookie for cookie in page.context.cookies()}


def me(page: Page) -> dict:
    answer = page.request.get("/api/v1/auth/me")
    assert answer.ok, answer.text()
    return answer.json()


def expect_sso_error(page: Page, message: str) -> None:
    """Back on the sign-in page, the failure explained, no session, password still offered."""
    alert = page.get_by_role("alert").filter(has_text="Single sign-on did not work")
    expect(alert).to_contain_text(message)
    expect(page.get_by_role("heading", name="Sign in to EngageX")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=SSO_LINK)).to_be_visible()
    assert "engagex_session" not in cookies(page)
    assert page.request.get("/api/v1/auth/me").status == 401


def test_a_new_person_signs_in_with_sso_and_creates_an_organization(
    open_page, sso_server: SsoServer, screenshot
) -> None:
    page = open_page()
    sub, email = new_subject(sso_server)

    page.goto("/sign-in")
    expect(page.get_by_role("link", name=SSO_LINK)).to_be_visible()
    expect(page.get_by_text("Through 127.0.0.1")).to_be_visible()
    screenshot(page, "sso-01-sign-in")

    to_provider(page, sso_server)
    # The provider was told where to send the person back: this server's callback.
    query = parse_qs(urlsplit(page.url).query)
    assert query["redirect_uri"] == [f"{sso_server.url}{CALLBACK}"]
    assert query["code_challenge_method"] == ["S256"]
    page.get_by_placeholder("sub").fill(sub)
    screenshot(page, "sso-02-provider")
    page.get_by_role("button", name="Authorize").click()

    # Signed in, but in no organization yet: the app says what to do.
    expect(page.get_by_role("heading", name="Create your organization")).to_be_visible()
    expect(page.get_by_text("Your account is not part of any organization yet.")).to_be_visible()
    assert page.url.startswith(sso_server.url)
    session = cookies(page)["engagex_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Lax"
    assert "engagex_oidc" not in cookies(page), "the pending sign-in is cleared"
    screenshot(page, "sso-04-organization-required")

    org_name = f"Riverside Supply {sub[-8:]}"
    page.get_by_role("button", name="Create an organization").click()
    dialog = page.get_by_role("dialog", name="Create an organization")
    dialog.get_by_label("Organization name").fill(org_name)
    dialog.get_by_role("button", name="Create organization").click()

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Get started")).to_be_visible()
    expect(page.get_by_test_id("org-name")).to_have_text(org_name)
    expect(page.get_by_test_id("current-role")).to_have_text("Owner")
    screenshot(page, "sso-03-signed-in", full_page=True)

    state = me(page)
    assert state["user"]["email"] == email.lower() and state["user"]["name"] == "River Stone"
    assert state["user"]["has_password"] is False
    assert state["organization"]["name"] == org_name
    assert [org["name"] for org in state["organizations"]] == [org_name]


def test_signing_in_again_with_sso_lands_in_the_same_organization(
    open_page, sso_server: SsoServer
) -> None:
    page = open_page()
    sub, email = new_subject(sso_server)
    to_provider(page, sso_server)
    authorize(page, sub)
    expect(page.get_by_role("heading", name="Create your organization")).to_be_visible()
    org_name = f"Second Visit {sub[-8:]}"
    token = page.evaluate("document.cookie.match(/csrf_token=([^;]+)/)[1]")
    created = page.request.post(
        "/api/v1/organizations", data={"name": org_name}, headers={"X-CSRF-Token": token}
    )
    assert created.status == 201, created.text()
    page.goto("/dashboard")
    expect(page.get_by_test_id("org-name")).to_have_text(org_name)
    first = me(page)

    page.get_by_role("button", name=re.compile(r"^Account: ")).click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in\?reason=signed-out$"))
    assert "engagex_session" not in cookies(page)

    # A deep link while signed out: SSO carries it through the provider and back.
    page.goto("/team")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fteam$"))
    page.get_by_role("link", name=SSO_LINK).click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    authorize(page, sub)
    expect(page).to_have_url(f"{sso_server.url}/team")
    expect(page.get_by_test_id("org-name")).to_have_text(org_name)
    expect(page.get_by_role("table", name="Members of the organization")).to_contain_text(
        email.lower()
    )

    again = me(page)
    assert again["user"]["id"] == first["user"]["id"]
    assert again["organization"]["id"] == first["organization"]["id"]
    assert [org["id"] for org in again["organizations"]] == [first["organization"]["id"]]
    with sso_server.app.app_context():
        users = db.session.scalars(sa.select(User.id).where(User.email == email.lower())).all()
        identities = db.session.scalars(
            sa.select(OidcIdentity.user_id).where(OidcIdentity.subject == sub)
        ).all()
        db.session.remove()
    assert users == identities == [first["user"]["id"]]


def test_a_refusal_at_the_provider_is_explained(
    open_page, sso_server: SsoServer, screenshot
) -> None:
    page = open_page()
    to_provider(page, sso_server, "/sign-in?next=%2Fcampaigns")
    sent_state = parse_qs(urlsplit(page.url).query)["state"][0]

    def with_state(query: dict[str, list[str]]) -> None:
        # oidc-provider-mock 0.3.4 leaves the state out of its "access_denied" redirect;
        # RFC 6749 (4.1.2.1) requires it, and real providers send it.
        assert query.get("error") == ["access_denied"] and "state" not in query
        query["state"] = [sent_state]

    rewrite_answer(page, sso_server, with_state)
    page.get_by_role("button", name="Deny").click()
    # Where the person was going is kept for a password sign-in from here.
    expect(page).to_have_url(f"{sso_server.url}/sign-in?error=sso_denied&next=%2Fcampaigns")
    expect_sso_error(page, DENIED)
    screenshot(page, "sso-05-denied")


def test_a_tampered_answer_is_refused(open_page, sso_server: SsoServer, screenshot) -> None:
    page = open_page()
    sub, email = new_subject(sso_server)
    to_provider(page, sso_server)

    def forge_state(query: dict[str, list[str]]) -> None:
        # Someone between the provider and the browser swaps the state of a real answer.
        assert query.get("code") and query.get("state")
        query["state"] = ["forged-state"]

    rewrite_answer(page, sso_server, forge_state)
    authorize(page, sub)
    expect(page).to_have_url(f"{sso_server.url}/sign-in?error=sso_state_mismatch")
    expect_sso_error(page, STATE_MISMATCH)
    screenshot(page, "sso-06-state-mismatch")
    with sso_server.app.app_context():
        created = db.session.scalars(sa.select(User).where(User.email == email.lower())).first()
        db.session.remove()
    assert created is None


def test_an_unverified_email_is_explained(open_page, sso_server: SsoServer) -> None:
    page = open_page()
    sub, _email = new_subject(sso_server, verified=False)
    to_provider(page, sso_server)
    authorize(page, sub)
    expect(page).to_have_url(f"{sso_server.url}/sign-in?error=sso_email_not_verified")
    expect_sso_error(page, NOT_VERIFIED)
