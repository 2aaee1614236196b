"""The product's first-run journey in the browser, against the platform as it runs in
production (tests/e2e/journey_server.py: PostgreSQL, Redis, an ``engagex worker``
process, SMTP to aiosmtpd, DNS from the loopback server): a person signs up and, led by
the dashboard alone, imports contacts, picks a template, verifies a sending domain,
creates and sends a campaign, watches it go out, sees opens and clicks in its report;
then an analyst of the same organization signs in and is offered no way to send.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Organization
from engagex.db import db
from tests.e2e.conftest import PASSWORD, page_factory, sign_in
from tests.e2e.journey_server import JourneyServer, journey_server
from tests.e2e.test_accessibility import violations
from tests.e2e.test_domains import publish
from tests.factories import add_member
from tests.support.dns_server import DnsServer

playwright = pytest.importorskip("playwright.sync_api")
Browser = playwright.Browser
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow

DOMAIN = "journey-mail.example"
CONTACTS = 40
ARTICLE = "https://trail.example/spring-collection"


def contacts_csv() -> bytes:
    rows = ["email,first_name,last_name"]
    rows += [f"hiker{n:02d}@inbox.example,Hiker{n:02d},Trail" for n in range(CONTACTS)]
    rows.append("not-an-address,Broken,Row")
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="module")
def journey(
    frontend_dist: Path, dns_server: DnsServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JourneyServer]:
    with journey_server(
        tmp_path_factory.mktemp("journey"), frontend_dist, dns_server.address
    ) as server:
        yield server


@pytest.fixture
def open_page(browser: Browser, journey: JourneyServer) -> Iterator[Callable[..., Page]]:
    with page_factory(browser, journey.url) as make:
        yield make


def wait_until(check: Callable[[], object], what: str, seconds: float = 30) -> None:
    """Poll ``check`` until it returns something true; ``seconds`` is an upper bound for
    the worker, never reached when things work."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def go_home(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Get started")).to_be_visible()


def csrf(page: Page) -> dict[str, str]:
    """The header a cookie-authenticated state change needs (as the SPA sends it)."""
    return {"X-CSRF-Token": page.evaluate("document.cookie.match(/csrf_token=([^;]+)/)[1]")}


def step(page: Page, name: str):
    return page.get_by_test_id(f"step-{name}")


def test_first_campaign_from_the_dashboard(
    open_page, journey: JourneyServer, dns_server: DnsServer, screenshot
) -> None:
    page = open_page()
    api = page.request
    tag = uuid.uuid4().hex[:6]
    owner = f"founder-{tag}@journey.example"

    # Sign up: the dashboard greets a new organization with what to do first.
    page.goto("/sign-up")
    page.get_by_label("Your name").fill("Robin Vale")
    page.get_by_label("Work email").fill(owner)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Organization name").fill(f"Trailhead Outfitters {tag}")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Get started")).to_be_visible()
    expect(page.get_by_text("0 of 4 done")).to_be_visible()
    screenshot(page, "journey-01-dashboard-first-run", full_page=True)
    assert not violations(page)

    # 1. Contacts, from a CSV file (one bad row is refused with its reason).
    step(page, "contacts").get_by_role("link", name="Import contacts").click()
    expect(page).to_have_url(re.compile(r"/contacts/import$"))
    page.get_by_label("File to import").set_input_files(
        files=[{"name": "hikers.csv", "mimeType": "text/csv", "buffer": contacts_csv()}]
    )
    page.get_by_role("button", name="Next: match columns").click()
    expect(page.get_by_test_id("mapping-row")).to_have_count(3)
    page.get_by_role("button", name="Next: options").click()
    page.get_by_role("radio", name=re.compile("Add to a new group")).check()
    page.get_by_label(re.compile("New group.s name")).fill("Spring hikers")
    page.get_by_role("button", name="Import contacts").click()
    expect(page).to_have_url(re.compile(r"/contacts/imports/\d+$"))
    expect(page.get_by_test_id("count-created")).to_have_text(str(CONTACTS))
    expect(page.get_by_test_id("count-rejected")).to_have_text("1")
    screenshot(page, "journey-02-import-done", full_page=True)

    # 2. A template, from the starter gallery.
    go_home(page)
    expect(step(page, "contacts")).to_have_attribute("data-state", "done")
    step(page, "template").get_by_role("link", name="Choose a template").click()
    page.get_by_role("list", name="Start from").get_by_role(
        "button", name=re.compile("^Newsletter")
    ).click()
    dialog = page.get_by_role("dialog", name="New template: Newsletter")
    dialog.get_by_label("Name").fill("Spring newsletter")
    dialog.get_by_role("button", name="Create and edit").click()
    expect(page.get_by_role("heading", level=1, name="Spring newsletter")).to_be_visible()

    # 3. The sending domain: add it, publish its records, verify.
    go_home(page)
    expect(step(page, "template")).to_have_attribute("data-state", "done")
    step(page, "domain").get_by_role("link", name="Add your domain").click()
    page.get_by_role("button", name="Add domain").first.click()
    dialog = page.get_by_role("dialog", name="Add a sending domain")
    dialog.get_by_label("Domain").fill(DOMAIN)
    dialog.get_by_label("Signing").select_option(label="EngageX signs (own DKIM key)")
    dialog.get_by_role("button", name="Add domain").click()
    expect(page).to_have_url(re.compile(r"/domains/\d+$"))
    domain_id = int(page.url.rsplit("/", 1)[1])
    publish(dns_server, api.get(f"/api/v1/domains/{domain_id}").json()["records"])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text(f"{DOMAIN} is verified").first).to_be_visible()

    # 4. The campaign: audience, template, settings, review, send.
    go_home(page)
    expect(step(page, "domain")).to_have_attribute("data-state", "done")
    screenshot(page, "journey-03-dashboard-ready-to-send", full_page=True)
    step(page, "campaign").get_by_role("link", name="Create a campaign").click()
    page.get_by_label("Campaign name").fill("Spring collection")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", level=2, name="Audience")).to_be_visible()
    page.get_by_role("group", name="Send to").get_by_role("checkbox", name="Spring hikers").check()
    screenshot(page, "journey-04-wizard-audience", full_page=True)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=2, name="Template")).to_be_visible()
    page.get_by_role("radio", name=re.compile("Spring newsletter")).check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=2, name="Settings")).to_be_visible()
    page.get_by_label(re.compile("^From address")).fill(f"news@{DOMAIN}")
    page.get_by_label(re.compile("^From name")).fill("Trailhead")
    page.get_by_label(re.compile("^Subject")).fill("New trails for {{ first_name }}")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=2, name="Review")).to_be_visible()
    expect(page.get_by_text(f"{CONTACTS} contacts will receive it")).to_be_visible()
    expect(page.get_by_text(f"The sending domain {DOMAIN} is verified")).to_be_visible()
    expect(page.get_by_text("Verified domain")).to_be_visible()
    screenshot(page, "journey-05-review", full_page=True)
    assert not violations(page)
    page.get_by_role("button", name="Send now").click()
    confirm = page.get_by_role("alertdialog", name=re.compile("Send .Spring collection. now"))
    expect(confirm).to_contain_text(str(CONTACTS))
    confirm.get_by_role("button", name="Send", exact=True).click()

    # Live progress until every message is out, over SMTP.
    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
    campaign_id = int(page.url.rsplit("/", 1)[1])
    progress = page.get_by_role("progressbar", name="Delivery progress")
    expect(progress).to_be_visible()
    screenshot(page, "journey-06-progress")
    expect(progress).to_have_attribute(
        "aria-valuetext", f"100%: {CONTACTS} of {CONTACTS} sent", timeout=60_000
    )
    screenshot(page, "journey-07-sent", full_page=True)
    wait_until(lambda: len(journey.messages_to("hiker00@inbox.example")) == 1, "the SMTP delivery")
    message = journey.messages_to("hiker00@inbox.example")[0]
    assert message["Subject"] == "New trails for Hiker00"
    assert message["From"] == f"Trailhead <news@{DOMAIN}>"
    assert f"d={DOMAIN}" in message["DKIM-Signature"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hiker00" in html
    delivered = sum(
        len(journey.messages_to(f"hiker{n:02d}@inbox.example")) for n in range(CONTACTS)
    )
    assert delivered == CONTACTS

    # Two people open it, one clicks: what the tracking links of the received mail say.
    tracked = re.findall(r'(?:src|href)="(http://127\.0\.0\.1:\d+/t/[oc]/[^"]+)"', html)
    opens = [url for url in tracked if "/t/o/" in url]
    clicks = [url for url in tracked if "/t/c/" in url]
    assert opens and clicks, tracked
    chrome = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36"}
    api.get(opens[0], headers=chrome)
    second = journey.messages_to("hiker01@inbox.example")[0].get_body(preferencelist=("html",))
    api.get(
        re.search(r'src="(http://[^"]+/t/o/[^"]+)"', second.get_content()).group(1), headers=chrome
    )
    landing = api.get(clicks[0], headers=chrome, max_redirects=0)
    assert landing.status == 302

    def recorded() -> bool:
        engagement = api.get(f"/api/v1/analytics/campaigns/{campaign_id}").json()
        return engagement["unique_opens"] == 2 and engagement["clicks"] == 1

    wait_until(recorded, "the worker to record the opens and the click")

    # The report: figures, the chart, the link that was clicked.
    page.get_by_role("link", name="View report").first.click()
    expect(page.get_by_role("heading", level=1, name="Report: Spring collection")).to_be_visible()
    expect(page.get_by_role("img", name="Opens and clicks over time")).to_be_visible()
    links = page.get_by_role("table", name="Links")
    expect(links.get_by_role("row").filter(has_text=landing.headers["location"])).to_contain_text(
        "1"
    )
    screenshot(page, "journey-08-report", full_page=True)
    assert not violations(page)

    # The dashboard now shows the sent campaign instead of the checklist.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Get started")).to_have_count(0)
    expect(page.get_by_role("link", name="Spring collection")).to_be_visible()
    expect(page.get_by_test_id("figure-sent")).to_contain_text(str(CONTACTS))
    expect(page.get_by_role("img", name="Sends, opens and clicks, last 30 days")).to_be_visible()
    screenshot(page, "journey-09-dashboard-after-send", full_page=True)

    # The same screens on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        ("/dashboard", "dashboard"),
        ("/campaigns", "campaigns"),
        (f"/campaigns/{campaign_id}", "campaign"),
        (f"/campaigns/{campaign_id}/report", "report"),
    ):
        page.goto(path)
        expect(page.get_by_role("main")).to_contain_text("Spring collection")
        screenshot(page, f"journey-phone-{name}", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 390, f"{path} is {overflow}px wide on a 390px screen"

    # An analyst of the organization sees the campaign and its report, and no way to send.
    analyst = f"analyst-{tag}@journey.example"
    org_id = api.get("/api/v1/organization").json()["id"]
    with journey.app.app_context():
        from blueprints.auth.services import passwords

        organization = db.session.get(Organization, org_id)
        add_member(organization, analyst, "analyst")
        passwords.set_password(accounts.get_or_create_user(analyst), PASSWORD)
        db.session.commit()
    guest = open_page()
    sign_in(guest, analyst, PASSWORD)
    expect(guest).to_have_url(re.compile(r"/dashboard$"))
    guest.goto("/campaigns")
    expect(guest.get_by_role("link", name="New campaign")).to_have_count(0)
    duplicate = api.post(
        f"/api/v1/campaigns/{campaign_id}/duplicate", data={}, headers=csrf(page)
    ).json()
    guest.goto(f"/campaigns/{duplicate['id']}/edit/review")
    expect(guest.get_by_role("heading", level=2, name="Review")).to_be_visible()
    expect(guest.get_by_role("button", name="Send now")).to_have_count(0)
    expect(guest.get_by_role("button", name="Schedule")).to_have_count(0)
    screenshot(guest, "journey-10-analyst-review")
    # The server refuses it too, whatever the page offers.
    refused = guest.request.post(f"/api/v1/campaigns/{duplicate['id']}/send", headers=csrf(guest))
    assert refused.status == 403 and refused.json()["code"] == "forbidden"
