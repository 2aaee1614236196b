"""The SPA's billing screen against the real server and the Stripe fake: plan and meters,
checkout, the webhook-driven plan change, the portal, a failed payment, and non-owners."""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

from blueprints.accounts import services as accounts
from blueprints.billing import services as billing
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accounts import connect
from tests.factories import add_member
from tests.support.stripe_fake import StripeFake, sign

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow

EMAILS_SENT = 850  # of the Free plan's 1,000: the emails meter is amber


@dataclass(frozen=True)
class BillingOrg:
    """An organization of its own, so that paying for it changes nothing for other tests."""

    name: str
    owner_key: str
    admin_key: str
    analyst_key: str


@pytest.fixture(scope="module")
def billing_org(live_server: LiveServer) -> BillingOrg:
    with live_server.app.app_context():
        org = accounts.create_organization(
            None, slug="summit", name="Summit Supply", owner_email="ana@summit.example.com"
        )
        db.session.commit()
        org_id, name = org.id, org.name
        # Two members of the Free plan's two seats: the seats meter is red.
        add_member(org, "lee@summit.example.com", "admin")
        keys = {}
        with tenant_context(org_id):
            for role in ("owner", "admin", "analyst"):
                _key, keys[role] = accounts.create_api_key(None, name=f"{role} (e2e)", role=role)
            billing.record_usage(org_id, "e2e:seed", EMAILS_SENT)
            db.session.commit()
    return BillingOrg(name, keys["owner"], keys["admin"], keys["analyst"])


def deliver(server: LiveServer, events: list[dict[str, Any]]) -> None:
    """POST events to the webhook as Stripe does: raw JSON, signed."""
    for event in events:
        payload = json.dumps(event).encode()
        request = urllib.request.Request(
            f"{server.url}/webhooks/stripe",
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload)},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, response.read()


def meter(page: Page, name: str) -> Any:
    return page.get_by_role("meter", name=name)


def test_plan_meters_checkout_portal_and_a_failed_payment(
    page: Page,
    live_server: LiveServer,
    billing_org: BillingOrg,
    stripe_fake: StripeFake,
    screenshot,
) -> None:
    # Stripe's pages are not part of the test: the browser only has to arrive there.
    page.route(
        f"{stripe_fake.url}/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Stripe (fake)</title>Stripe"
        ),
    )
    connect(page, live_server, billing_org.owner_key)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    expect(page).to_have_url(re.compile(r"/billing$"))
    expect(page).to_have_title("Billing · EngageX")
    expect(page.get_by_test_id("current-plan")).to_have_text("Free")
    expect(page.get_by_role("region", name="Current plan")).to_contain_text("Active")
    emails = meter(page, "Emails this period")
    expect(emails).to_have_attribute("aria-valuetext", "850 of 1,000 emails, 85%")
    expect(emails).to_have_attribute("data-level", "warning")
    expect(meter(page, "Seats")).to_have_attribute("aria-valuetext", "2 of 2 seats, 100%")
    expect(meter(page, "Seats")).to_have_attribute("data-level", "critical")
    expect(meter(page, "Contacts")).to_have_attribute("data-level", "ok")
    expect(page.get_by_text("150 left until the period renews on")).to_be_visible()
    expect(page.get_by_role("article", name="Free")).to_contain_text("Current plan")
    expect(page.get_by_text("No invoices yet")).to_be_visible()
    expect(page.get_by_role("button", name="Manage billing")).to_have_count(0)
    screenshot(page, "30-billing-free", full_page=True)

    # Upgrade: the server opens a Checkout Session and the browser goes to its URL.
    starter = page.get_by_role("article", name="Starter")
    starter.get_by_role("button", name="Upgrade to Starter").click()
    expect(page).to_have_url(re.compile(re.escape(f"{stripe_fake.url}/c/pay/")))
    session = next(s for s in stripe_fake.sessions.values() if page.url == s["url"])
    assert session["metadata"]["plan_code"] == "starter"
    assert session["_prices"][0]["unit_amount"] == 1500
    assert session["success_url"].endswith(
        "/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}"
    )

    # The person pays; Stripe tells the server; the plan changes.
    deliver(live_server, stripe_fake.complete_checkout(session["id"]))
    page.goto(f"/billing?checkout=success&session_id={session['id']}")
    expect(page.get_by_text("Your plan is active")).to_be_visible()
    expect(page.get_by_test_id("current-plan")).to_have_text("Starter")
    expect(page.get_by_role("region", name="Current plan")).to_contain_text("Renews on")
    # The subscription starts a new billing period: its quota and a fresh count.
    expect(meter(page, "Emails this period")).to_have_attribute(
        "aria-valuetext", "0 of 15,000 emails, 0%"
    )
    expect(meter(page, "Seats")).to_have_attribute("data-level", "ok")
    invoice = next(iter(stripe_fake.invoices.values()))
    row = (
        page.get_by_role("table", name="Invoices")
        .get_by_role("row")
        .filter(has_text=invoice["number"])
    )
    expect(row).to_contain_text("$15.00")
    expect(row).to_contain_text("Paid")
    expect(row.get_by_role("link", name=re.compile("View invoice"))).to_have_attribute(
        "href", invoice["hosted_invoice_url"]
    )
    # Stripe now bills the organization: other plans are changed in the portal.
    expect(page.get_by_role("article", name="Growth").get_by_role("button")).to_have_text(
        "Upgrade to Growth"
    )
    screenshot(page, "31-billing-starter", full_page=True)

    page.get_by_role("button", name="Manage billing").click()
    expect(page).to_have_url(re.compile(re.escape(f"{stripe_fake.url}/p/session/")))

    # A renewal payment fails: past due, with the grace period, and a way to pay.
    subscription_id = stripe_fake.sessions[session["id"]]["subscription"]
    deliver(live_server, stripe_fake.fail_payment(subscription_id))
    page.goto("/billing")
    plan = page.get_by_role("region", name="Current plan")
    expect(plan).to_contain_text("Past due")
    expect(plan.get_by_role("note")).to_contain_text("A payment failed")
    expect(plan.get_by_role("note")).to_contain_text("Sending continues until")
    expect(plan.get_by_role("button", name="Update payment method")).to_be_visible()
    screenshot(page, "32-billing-past-due")


def test_only_owners_manage_billing(
    new_page, live_server: LiveServer, billing_org: BillingOrg, screenshot
) -> None:
    # An admin sees billing; changing it is the owners' (the server's 403, shown plainly).
    page = new_page()
    connect(page, live_server, billing_org.admin_key)
    page.goto("/billing")
    growth = page.get_by_role("article", name="Growth")
    growth.get_by_role("button", name="Upgrade to Growth").click()
    expect(page.get_by_text("Only owners can change the plan or payment details")).to_be_visible()
    expect(page.get_by_role("note").filter(has_text="billing:manage")).to_contain_text(
        f"Ask an owner of {billing_org.name}"
    )
    expect(growth.get_by_role("button", name="Upgrade to Growth")).to_be_disabled()
    expect(page).to_have_url(re.compile(r"/billing$"))
    screenshot(page, "33-billing-admin-forbidden")

    # An analyst may not even read it.
    page = new_page()
    connect(page, live_server, billing_org.analyst_key)
    page.goto("/billing")
    expect(page.get_by_role("heading", name="You don't have access to this")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("billing:read")
    expect(page.get_by_role("meter")).to_have_count(0)


def test_billing_on_a_phone(
    new_page, live_server: LiveServer, billing_org: BillingOrg, screenshot
) -> None:
    page = new_page(width=390, height=844)
    connect(page, live_server, billing_org.owner_key)
    page.goto("/billing")
    expect(page.get_by_role("meter", name="Seats")).to_be_visible()
    expect(page.get_by_role("article", name="Pro")).to_be_visible()
    # Cards stack and the invoices table drops columns: nothing widens the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "34-phone-billing")
    page.get_by_role("table", name="Invoices").scroll_into_view_if_needed()
    screenshot(page, "35-phone-billing-invoices")
