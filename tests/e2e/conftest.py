"""End-to-end fixtures: the real app on PostgreSQL, its built SPA, and headless Chromium.

- ``frontend_dist``: ``frontend/dist``, rebuilt with ``npm run build`` when any source is
  newer than the build (``npm ci`` first when node_modules is missing).
- ``live_server``: a dedicated PostgreSQL database migrated to ``heads`` and seeded with an
  organization, an owner API key and a few members (committed: the browser talks to the
  server over HTTP, so nothing can be rolled back), served by werkzeug on a free loopback
  port in a thread. Tests share it and must not depend on each other's changes.
- ``dns_server`` and ``stripe_fake``: the loopback DNS server (tests/support/dns_server.py)
  the app's domain checks query, and the Stripe fake (tests/support/stripe_fake.py) its
  billing calls reach; tests publish records and drive payments through them.
- ``browser``: Debian's Chromium (``/usr/bin/chromium``) through Playwright; never a
  downloaded browser. ``page`` is a fresh context per test (empty sessionStorage), and
  fails the test on any uncaught JavaScript error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

import flask_migrate
import pytest
from werkzeug.serving import make_server

from blueprints.accounts import services as accounts
from engagex import create_app
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.conftest import app_config, create_database, drop_database
from tests.factories import add_member
from tests.support import stripe_fake as stripe
from tests.support.dns_server import DnsServer
from tests.support.stripe_fake import StripeFake

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Browser, Page

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - reported by the browser fixture
    expect = sync_playwright = None

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("ENGAGEX_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Upper bounds for the browser to reach a state, never a measured duration.
TIMEOUT_MS = 15_000

ORG_SLUG = "acme"
ORG_NAME = "Acme Outdoor Co."
OWNER_EMAIL = "maya@acme.example.com"
EXTRA_MEMBERS = 30  # more than one page (25) so the Team list has to load more

_BUILD_INPUTS = (
    "src",
    "public",
    "index.html",
    "vite.config.ts",
    "tsconfig.json",
    "package.json",
    "package-lock.json",
)


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _BUILD_INPUTS:
        path = FRONTEND / name
        files = path.rglob("*") if path.is_dir() else [path]
        for file in files:
            # Unit tests are not part of the bundle: editing them needs no rebuild.
            if (
                file.is_file()
                and ".test." not in file.name
                and "test" not in file.parent.parts[-1:]
            ):
                newest = max(newest, file.stat().st_mtime)
    return newest


def _run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=FRONTEND, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed in frontend/:\n{result.stdout[-4000:]}{result.stderr[-4000:]}"
        )


@pytest.fixture(scope="session")
def frontend_dist() -> Path:
    """The built SPA, rebuilt first when it is missing or older than its sources."""
    index = FRONTEND / "dist" / "index.html"
    if index.is_file() and index.stat().st_mtime >= _newest_source_mtime():
        return index.parent
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to build frontend/ for the end-to-end tests")
    if not (FRONTEND / "node_modules" / ".bin" / "vite").exists():
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"])
    _run([npm, "run", "build", "--silent"])
    return index.parent


@dataclass(frozen=True)
class LiveServer:
    url: str
    owner_key: str
    org_slug: str
    org_name: str
    member_count: int
    #: The served application, to seed data with the services (inside ``app.app_context()``).
    app: Flask


def _seed() -> tuple[str, int]:
    org = accounts.create_organization(None, slug=ORG_SLUG, name=ORG_NAME, owner_email=OWNER_EMAIL)
    db.session.commit()
    with tenant_context(org.id):
        _key, token = accounts.create_api_key(None, name="Owner (end-to-end tests)", role="owner")
        db.session.commit()
    roles = ("admin", "campaign_manager", "editor", "analyst")
    for number in range(EXTRA_MEMBERS):
        email = f"teammate{number:02d}@acme.example.com"
        if number % 3 == 0:  # some people have a name, others are known by email only
            accounts.get_or_create_user(email, name=f"Teammate {number:02d}")
        add_member(org, email, roles[number % len(roles)])
    return token, EXTRA_MEMBERS + 1


@pytest.fixture(scope="session")
def dns_server() -> Iterator[DnsServer]:
    """The name server the app's domain checks ask; edit ``dns_server.zone`` to publish."""
    server = DnsServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stripe_fake() -> Iterator[StripeFake]:
    """Stripe for the app's checkout and portal calls; its scenario helpers pay and fail."""
    fake = StripeFake().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def live_server(
    frontend_dist: Path,
    tmp_path_factory: pytest.TempPathFactory,
    dns_server: DnsServer,
    stripe_fake: StripeFake,
) -> Iterator[LiveServer]:
    name = f"engagex_e2e_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    app = create_app(
        app_config(
            tmp_path_factory.mktemp("e2e"),
            DATABASE_URL=url,
            ENGAGEX_FRONTEND_DIST=str(frontend_dist),
            ENGAGEX_DNS_NAMESERVERS=dns_server.address,
            # An upper bound for an unanswered query, never reached by a passing test.
            ENGAGEX_DNS_TIMEOUT="3",
            STRIPE_API_KEY=stripe.API_KEY,
            STRIPE_API_BASE=stripe_fake.url,
            STRIPE_WEBHOOK_SECRET=stripe.WEBHOOK_SECRET,
        )
    )
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        token, members = _seed()
    try:
        with serving(app) as url:
            yield LiveServer(
                url=url,
                owner_key=token,
                org_slug=ORG_SLUG,
                org_name=ORG_NAME,
                member_count=members,
                app=app,
            )
    finally:
        with app.app_context():
            db.engine.dispose()
        drop_database(name)


@contextmanager
def serving(app: Flask, port: int = 0) -> Iterator[str]:
    """Serve ``app`` with werkzeug on loopback (``port`` 0: a free one) in a thread;
    yields its URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        pytest.skip("playwright is not installed: pip install 'playwright>=1.49,<2'")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        expect.set_options(timeout=TIMEOUT_MS)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def page_factory(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """``make(width=1280, height=800)``: a page in a fresh browser context on
    ``base_url``; on leaving, the contexts close and any uncaught JavaScript error of
    any page fails the test."""
    contexts = []
    errors: list[str] = []

    def make(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": width, "height": height},
            locale="en-US",
            timezone_id="UTC",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"uncaught JavaScript errors: {errors}"


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Factory of pages in fresh contexts: ``new_page(width=390, height=844)``."""
    with page_factory(browser, live_server.url) as make:
        yield make


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture(scope="session")
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, "team")`` saves tests/e2e/screenshots/team.png to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page: Page, name: str, *, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # Wait for web fonts and in-flight paints so the picture shows the settled screen.
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    return take


# --- people who sign in with a password, and the mail they receive -------------------

PASSWORD = "violet tractor orbit 42"


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    name: str
    org_id: int
    org_name: str


@pytest.fixture
def make_person(live_server: LiveServer) -> Callable[..., Person]:
    """``make_person("owner")``: a new person with a password, owner of a new organization
    of their own (so that what a test changes there concerns no other test)."""

    def make(label: str = "owner") -> Person:
        from blueprints.auth.services import passwords

        tag = uuid.uuid4().hex[:8]
        with live_server.app.app_context():
            user = accounts.create_user(f"{label}-{tag}@example.com", f"{label.title()} {tag}")
            passwords.set_password(user, PASSWORD)
            org = accounts.create_organization_for_user(user, name=f"Trailhead {tag}")
            db.session.commit()
            return Person(user.email, PASSWORD, user.name or "", org.id, org.name)

    return make


class Outbox:
    """The ``.eml`` files the live server wrote (``ENGAGEX_MAIL_BACKEND=outbox``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def messages_to(self, address: str) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.eml")) if self.directory.is_dir() else []:
            with path.open("rb") as fh:
                message = BytesParser(policy=email_policy.default).parse(fh)
            if address.lower() in str(message["To"]).lower():
                found.append(message)
        return found

    def link(self, address: str, path: str) -> str:
        """The path and query of the last link to ``path`` mailed to ``address`` (the
        server's own host is left out: the test server listens on another port)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000  # an upper bound, never reached
        pattern = re.compile(rf"https?://[^/\s]+({re.escape(path)}\?token=[A-Za-z0-9._~%=-]+)")
        while True:
            for message in reversed(self.messages_to(address)):
                text = message.get_body(preferencelist=("plain",))
                match = pattern.search(text.get_content() if text else "")
                if match:
                    return match.group(1)
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {address} with a link to {path}")
            time.sleep(0.1)


@pytest.fixture
def outbox(live_server: LiveServer) -> Outbox:
    return Outbox(Path(live_server.app.config["ENGAGEX_OUTBOX_DIR"]))


def sign_in(page: Page, email: str, password: str, *, path: str = "/sign-in") -> None:
    """Sign in through the page (lands in the app, or on the MFA step)."""
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
