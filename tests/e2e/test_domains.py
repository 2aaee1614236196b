"""The SPA's sending domains against the real server and a real DNS server on loopback:
add a domain, read the records to paste, verify with diagnostics, fix, verify, remove."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.test_accounts import bearer, connect
from tests.support.dns_server import DnsServer

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow

DOMAIN = "trail-mail.example"


def publish(dns: DnsServer, records: list[dict[str, Any]], **override: str) -> None:
    """Publish ``records`` as the API lists them; ``override`` replaces values by purpose."""
    for record in records:
        value = override.get(record["purpose"], record["value"])
        if record["type"] == "CNAME":
            dns.zone.cname(record["name"], value)
        else:
            dns.zone.txt(record["name"], value)


def record_article(page: Page, group: str) -> Any:
    return page.get_by_role("region", name=group).get_by_role("article")


def test_add_a_domain_publish_its_records_and_verify(
    page: Page, live_server: LiveServer, dns_server: DnsServer, screenshot
) -> None:
    api = page.request
    headers = bearer(live_server.owner_key)
    try:
        connect(page, live_server)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Domains").click()
        expect(page).to_have_url(re.compile(r"/domains$"))
        expect(page).to_have_title("Domains · EngageX")

        page.get_by_role("button", name="Add domain").first.click()
        dialog = page.get_by_role("dialog", name="Add a sending domain")
        expect(dialog.get_by_label("Domain")).to_be_focused()
        page.keyboard.type(f"  {DOMAIN.upper()}  ")
        dialog.get_by_label("Signing").select_option(label="EngageX signs (own DKIM key)")
        dialog.get_by_role("button", name="Add domain").click()

        expect(page.get_by_role("heading", level=1, name=DOMAIN)).to_be_visible()
        expect(page).to_have_url(re.compile(r"/domains/\d+$"))
        domain_id = int(page.url.rsplit("/", 1)[1])
        stored = api.get(f"/api/v1/domains/{domain_id}", headers=headers).json()
        assert stored["provider"] == "smtp"
        records = stored["records"]
        assert [r["purpose"] for r in records] == ["ownership", "spf", "dkim", "dmarc"]
        for title in ("Ownership", "SPF", "DKIM", "DMARC"):
            expect(page.get_by_role("region", name=title)).to_be_visible()
        expect(page.get_by_text("Publish these 4 records, then verify")).to_be_visible()
        ownership = record_article(page, "Ownership")
        expect(ownership).to_contain_text(records[0]["value"])
        expect(ownership).to_contain_text("Not checked")

        # Copy buttons put exactly the name and value a DNS host wants on the clipboard.
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        ownership.get_by_role("button", name="Copy value").click()
        expect(ownership.get_by_role("button", name="Copied value")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == records[0]["value"]
        ownership.get_by_role("button", name="Copy name").click()
        assert page.evaluate("navigator.clipboard.readText()") == "_engagex"
        screenshot(page, "20-domain-records", full_page=True)

        # Nothing published yet: every record fails with what DNS answered.
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_text("4 of 4 records need fixing").first).to_be_visible()
        expect(ownership.get_by_test_id("record-diagnostic")).to_contain_text(
            f'expected TXT "{records[0]["value"]}" at _engagex.{DOMAIN}, found nothing '
            "(NXDOMAIN: the name does not exist)"
        )
        expect(ownership).to_contain_text("Needs fixing")

        # Published, but the SPF record was not merged: only SPF fails, and says what to add.
        publish(dns_server, records, spf="v=spf1 ~all")
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_text("1 of 4 records need fixing").first).to_be_visible()
        spf = record_article(page, "SPF")
        expect(spf.get_by_test_id("record-diagnostic")).to_contain_text(
            re.compile(r"found \"v=spf1 ~all\"; add ip4:127\.0\.0\.1 before the final 'all' term")
        )
        expect(record_article(page, "DKIM")).to_contain_text("found the published public key")
        screenshot(page, "21-domain-verify-failed", full_page=True)

        publish(dns_server, records)
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_text(f"{DOMAIN} is verified").first).to_be_visible()
        for title in ("Ownership", "SPF", "DKIM", "DMARC"):
            expect(record_article(page, title)).to_contain_text("Found")
        expect(record_article(page, "DMARC")).to_contain_text("p=none only monitors")
        assert (
            api.get(f"/api/v1/domains/{domain_id}", headers=headers).json()["status"] == "verified"
        )
        screenshot(page, "22-domain-verified")

        page.get_by_role("link", name="All domains").click()
        expect(page).to_have_url(re.compile(r"/domains$"))
        row = (
            page.get_by_role("table", name="Sending domains")
            .get_by_role("row")
            .filter(has_text=DOMAIN)
        )
        expect(row).to_contain_text("Verified")
        expect(row).to_contain_text("4 of 4")
        screenshot(page, "23-domains-list")

        row.get_by_role("link", name=DOMAIN, exact=True).click()
        page.get_by_role("button", name="Remove").click()
        confirm = page.get_by_role("alertdialog", name=f"Remove {DOMAIN}?")
        expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
        confirm.get_by_role("button", name="Remove domain").click()
        expect(page.get_by_role("status").filter(has_text="Domain removed")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/domains$"))
        expect(page.get_by_role("link", name=DOMAIN, exact=True)).to_have_count(0)
        assert api.get(f"/api/v1/domains/{domain_id}", headers=headers).status == 404
    finally:
        listed = api.get("/api/v1/domains", headers=headers).json()["items"]
        for domain in listed:
            if domain["name"] == DOMAIN:
                api.delete(f"/api/v1/domains/{domain['id']}", headers=headers)
        dns_server.zone.clear()


def test_domains_on_a_phone(new_page, live_server: LiveServer, screenshot) -> None:
    page = new_page(width=390, height=844)
    headers = bearer(live_server.owner_key)
    created = page.request.post(
        "/api/v1/domains", headers=headers, data={"name": "news.trail-mail.example"}
    ).json()
    try:
        connect(page, live_server)
        page.goto(f"/domains/{created['id']}")
        expect(page.get_by_role("heading", level=1, name="news.trail-mail.example")).to_be_visible()
        dkim = record_article(page, "DKIM").first
        expect(dkim.get_by_role("button", name="Copy value")).to_be_visible()
        # The long DKIM value wraps inside the screen instead of widening the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "24-phone-domain")
        dkim.scroll_into_view_if_needed()
        screenshot(page, "25-phone-domain-dkim")
        page.get_by_role("link", name="All domains").click()
        expect(page.get_by_role("link", name="news.trail-mail.example", exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "26-phone-domains")
    finally:
        page.request.delete(f"/api/v1/domains/{created['id']}", headers=headers)
