"""The SPA's template editor against the real server: start from a starter, edit the
subject and the HTML in CodeMirror with the live preview in a sandboxed iframe, see a
validation error at its line, save, and send a test that lands in the server's outbox."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import TIMEOUT_MS, LiveServer, Outbox
from tests.e2e.test_accounts import bearer, connect
from tests.e2e.test_domains import publish
from tests.support.dns_server import DnsServer

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow

DOMAIN = "e2e-templates.example"
MARKER = "Fresh from the end-to-end test"
BODY = (
    "<!DOCTYPE html>\n"
    '<html lang="en">\n'
    "<body>\n"
    "<p>Hello {{ first_name }},</p>\n"
    f"<p>{MARKER}.</p>\n"
    '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>\n'
    "</body>\n"
    "</html>\n"
)
BROKEN = BODY.replace("<body>\n", "<body>\n{% if %}\n")  # line 4 of the source


def replace_source(page: Page, text: str) -> None:
    """Select everything in the HTML editor and put ``text`` in its place."""
    editor = page.get_by_test_id("code-editor-html").locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_create_edit_preview_and_send_a_test(
    page: Page, live_server: LiveServer, dns_server: DnsServer, outbox: Outbox, screenshot
) -> None:
    api = page.request
    headers = bearer(live_server.owner_key)
    # A test reaches real inboxes, so it must come from a verified sending domain.
    domain = api.post(
        "/api/v1/domains", headers=headers, data={"name": DOMAIN, "provider": "smtp"}
    ).json()
    publish(dns_server, domain["records"])
    verified = api.post(f"/api/v1/domains/{domain['id']}/verify", headers=headers).json()
    assert verified["status"] == "verified", verified
    template_id = None
    try:
        connect(page, live_server)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Templates").click()
        expect(page).to_have_title("Templates · EngageX")
        gallery = page.get_by_role("list", name="Start from")
        expect(gallery.get_by_role("button")).to_have_count(5)
        screenshot(page, "40-templates-gallery")
        gallery.get_by_role("button", name=re.compile("^Newsletter")).click()
        dialog = page.get_by_role("dialog", name="New template: Newsletter")
        dialog.get_by_label("Name").fill("E2E newsletter")
        dialog.get_by_role("button", name="Create and edit").click()

        expect(page).to_have_url(re.compile(r"/templates/\d+$"))
        template_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_role("heading", level=1, name="E2E newsletter")).to_be_visible()
        frame_element = page.get_by_title("Preview of the email")
        # The author's HTML runs in a sandbox: no scripts, no access to the app.
        expect(frame_element).to_have_attribute("sandbox", "")
        expect(page.get_by_test_id("preview-subject")).to_have_text(
            f"{live_server.org_name}: this month's highlights"
        )
        frame = page.frame_locator('iframe[title="Preview of the email"]')
        expect(frame.locator("body")).to_contain_text("Unsubscribe")
        expect(page.get_by_test_id("code-editor-html").locator(".cm-content")).to_contain_text(
            "<!DOCTYPE html>"
        )
        screenshot(page, "41-template-editor")

        page.get_by_label("Subject").fill("Hello {{ first_name }}, spring is here")
        expect(page.get_by_test_id("preview-subject")).to_have_text("Hello Jane, spring is here")
        replace_source(page, BODY)
        expect(frame.locator("body")).to_contain_text(MARKER)
        expect(frame.locator("body")).to_contain_text("Hello Jane,")

        # A mistake is shown at its line, in the editor and in the list under it; the
        # preview keeps the last version that rendered.
        replace_source(page, BROKEN)
        errors = page.get_by_role("list", name="Errors in the source")
        expect(errors.get_by_role("button", name="Line 4")).to_be_visible()
        expect(errors).to_contain_text("Expected an expression")
        expect(
            page.get_by_test_id("code-editor-html").locator(".cm-lint-marker-error")
        ).to_have_count(1)
        expect(page.get_by_text("Last valid version: fix the errors to update")).to_be_visible()
        expect(frame.locator("body")).to_contain_text(MARKER)
        screenshot(page, "42-template-error")
        replace_source(page, BODY)
        expect(errors).to_have_count(0)

        width = page.get_by_role("group", name="Width")
        part = page.get_by_role("group", name="Part")
        width.get_by_text("Phone").click()
        expect(frame_element).to_have_attribute("data-width", "mobile")
        screenshot(page, "43-template-phone-preview")
        part.get_by_text("Plain text").click()
        text_frame = page.frame_locator('iframe[title="Preview of the plain-text part"]')
        expect(text_frame.locator("pre")).to_contain_text(MARKER)
        width.get_by_text("Desktop").click()
        part.get_by_text("HTML").click()
        expect(frame_element).to_have_attribute("data-width", "desktop")

        page.get_by_text("Sender and settings").click()
        page.get_by_label("From address").fill(f"news@{DOMAIN}")
        page.get_by_label("From name").fill("Acme news")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("status").filter(has_text="Template saved")).to_be_visible()
        expect(page.locator("#main").get_by_text("Version 2", exact=True)).to_be_visible()
        stored = api.get(f"/api/v1/templates/{template_id}", headers=headers).json()
        assert stored["subject"] == "Hello {{ first_name }}, spring is here"
        assert MARKER in stored["html"] and stored["from_email"] == f"news@{DOMAIN}"

        page.get_by_role("button", name="Send test").click()
        send = page.get_by_role("dialog", name="Send a test")
        send.get_by_label("Send to").fill("qa1@inbox.example, qa2@inbox.example")
        send.get_by_role("button", name="Send test").click()
        expect(page.get_by_role("status").filter(has_text="Test sent")).to_be_visible()

        deadline = time.monotonic() + TIMEOUT_MS / 1000  # an upper bound, never reached
        while not outbox.messages_to("qa2@inbox.example") and time.monotonic() < deadline:
            time.sleep(0.1)
        for address in ("qa1@inbox.example", "qa2@inbox.example"):
            [message] = outbox.messages_to(address)
            assert message["Subject"] == "[Test] Hello Jane, spring is here"
            assert message["From"] == f"Acme news <news@{DOMAIN}>"
            assert message["X-EngageX-Test"] == "1"
            assert MARKER in message.get_body(preferencelist=("html",)).get_content()

        page.get_by_role("button", name="Versions").click()
        versions = page.get_by_role("dialog", name="Versions")
        expect(versions.get_by_role("listitem")).to_have_count(2)
        expect(versions.get_by_role("listitem").first).to_contain_text("Current")
        screenshot(page, "44-template-versions")
        versions.get_by_role("button", name="Preview version 1").click()
        expect(page.get_by_text("Showing version 1")).to_be_visible()
        expect(page.get_by_test_id("preview-subject")).to_have_text(
            f"{live_server.org_name}: this month's highlights"
        )
    finally:
        if template_id is not None:
            api.delete(f"/api/v1/templates/{template_id}", headers=headers)
        api.delete(f"/api/v1/domains/{domain['id']}", headers=headers)
        dns_server.zone.clear()
