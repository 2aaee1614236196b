"""Settings > Webhooks against the real server and a receiver on loopback: add an
endpoint, keep its signing secret, ping it, read the delivery log, check the signature
as docs/analytics.md tells receivers to, pause it and delete it."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

import pytest

from tests.analytics.helpers import Receiver
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accounts import bearer, connect

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow


def verify_as_documented(secret: str, body: bytes, timestamp: str, signature: str) -> bool:
    """The receiver's check, as docs/analytics.md gives it (not the app's own code)."""
    if abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(
        hmac.compare_digest(part.strip().removeprefix("v1="), expected)
        for part in signature.split(",")
        if part.strip().startswith("v1=")
    )


def test_add_an_endpoint_ping_it_verify_the_signature_pause_and_delete(
    page: Page, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, screenshot
) -> None:
    api = page.request
    headers = bearer(live_server.owner_key)
    with Receiver() as receiver:
        url = receiver.url  # http://127.0.0.1:<port>/hooks/engagex
        try:
            connect(page, live_server)
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
            page.get_by_role("navigation", name="Settings").get_by_role(
                "link", name="Webhooks"
            ).click()
            expect(page).to_have_url(re.compile(r"/settings/webhooks$"))
            expect(page).to_have_title("Webhooks settings · EngageX")
            expect(page.get_by_role("heading", name="No endpoints yet")).to_be_visible()

            page.get_by_role("button", name="Add endpoint").click()
            dialog = page.get_by_role("dialog", name="Add a webhook endpoint")
            url_field = dialog.get_by_label("Endpoint URL")
            expect(url_field).to_be_focused()
            expect(dialog.get_by_role("radio", name=re.compile("^All events"))).to_be_checked()

            # By default the server refuses what a loopback receiver needs: plain http,
            # and private addresses; the reason lands on the URL field.
            url_field.fill(url)
            dialog.get_by_role("button", name="Add endpoint").click()
            expect(url_field).to_have_attribute("aria-invalid", "true")
            expect(url_field).to_have_accessible_description("Webhook URLs must use https.")
            expect(url_field).to_be_focused()
            url_field.fill(url.replace("http://", "https://"))
            dialog.get_by_role("button", name="Add endpoint").click()
            expect(url_field).to_have_accessible_description(
                "Webhooks cannot target private or reserved addresses."
            )

            # The development setting (read at each use) lets the receiver in.
            monkeypatch.setitem(live_server.app.config, "ENGAGEX_WEBHOOKS_ALLOW_PRIVATE", True)
            url_field.fill(url)
            expect(url_field).not_to_have_attribute("aria-invalid", "true")
            dialog.get_by_label("Description").fill("Orders CRM")
            dialog.get_by_role("button", name="Add endpoint").click()

            shown = page.get_by_role("dialog", name="Store your signing secret now")
            secret_field = shown.get_by_test_id("webhook-secret")
            expect(secret_field).to_have_value(re.compile(r"^whsec_[A-Za-z0-9_-]{40,}$"))
            secret = secret_field.input_value()
            expect(dialog).to_have_count(0)
            expect(shown.get_by_role("button", name="I have stored it")).to_be_focused()
            page.context.grant_permissions(["clipboard-read", "clipboard-write"])
            shown.get_by_role("button", name="Copy secret").click()
            expect(shown.get_by_role("button", name="Copied secret")).to_be_visible()
            assert page.evaluate("navigator.clipboard.readText()") == secret
            screenshot(page, "webhooks-02-secret")

            shown.get_by_role("button", name="I have stored it").click()
            expect(shown).to_have_count(0)
            listed = api.get("/api/v1/webhooks", headers=headers).json()["items"]
            (stored,) = [endpoint for endpoint in listed if endpoint["url"] == url]
            assert stored["event_types"] == ["*"]
            assert stored["description"] == "Orders CRM"
            assert "secret" not in stored
            row = page.get_by_test_id(f"webhook-{stored['id']}")
            expect(row).to_contain_text(url)
            expect(row).to_contain_text("Orders CRM")
            expect(row.get_by_text("All events", exact=True)).to_be_visible()
            expect(row).to_contain_text("Last success never")
            # Shown once: not on the page any more, nor after a reload.
            assert secret not in page.content()
            page.reload()
            expect(row).to_contain_text(url)
            assert secret not in page.content()
            screenshot(page, "webhooks-01-list")

            # Without Redis the delivery job runs in the request, right after its commit:
            # the log the page refetches after the 202 already has the answer.
            row.get_by_role("button", name="Send test ping").click()
            queued = page.get_by_role("status").filter(has_text="Test ping queued")
            expect(queued).to_be_visible()
            log = row.get_by_role("region", name="Delivery log")
            delivery = log.get_by_test_id("delivery")
            expect(delivery).to_have_count(1)
            expect(delivery.get_by_text("Delivered", exact=True)).to_be_visible()
            expect(delivery).to_contain_text("ping")
            expect(delivery).to_contain_text(re.compile(r"HTTP 200 · [\d,]+ ms · 1 attempt"))
            expect(row.get_by_role("button", name="Hide delivery log")).to_have_attribute(
                "aria-expanded", "true"
            )
            delivery.get_by_role("button", name=re.compile(r"^Details of ping")).click()
            expect(delivery.get_by_role("heading", name="Payload sent")).to_be_visible()
            queued.get_by_role("button", name="Dismiss").click()  # it would cover the payload
            expect(queued).to_have_count(0)
            screenshot(page, "webhooks-03-deliveries", full_page=True)

            # What the receiver got: one request, signed with the secret shown once.
            (hit,) = receiver.received
            assert hit.path == "/hooks/engagex"
            got = {name.lower(): value for name, value in hit.headers.items()}
            assert got["content-type"] == "application/json"
            assert got["x-engagex-event"] == "ping"
            assert verify_as_documented(
                secret, hit.body, got["x-engagex-timestamp"], got["x-engagex-signature"]
            )
            assert not verify_as_documented(
                "whsec_not-the-secret",
                hit.body,
                got["x-engagex-timestamp"],
                got["x-engagex-signature"],
            )
            assert not verify_as_documented(
                secret, hit.body + b" ", got["x-engagex-timestamp"], got["x-engagex-signature"]
            )
            sent = hit.json
            assert sent["id"] == got["x-engagex-delivery"]
            assert sent["type"] == "ping"
            assert sent["data"] == {"endpoint_id": stored["id"], "message": "ping"}
            # The log shows exactly the payload that was sent, and the receiver's answer.
            shown_payload = delivery.locator("pre").first.text_content() or ""
            assert json.loads(shown_payload) == sent
            expect(delivery).to_contain_text(sent["id"])
            expect(delivery.locator("pre").nth(1)).to_have_text('{"ok": true}')
            after = api.get(f"/api/v1/webhooks/{stored['id']}", headers=headers).json()
            assert after["last_success_at"] is not None and after["last_failure_at"] is None
            # The row follows the delivery without a reload.
            expect(row).not_to_contain_text("Last success never")
            page.reload()
            # The only time in the row (the log is closed): when the ping was delivered.
            expect(row.locator("time")).to_have_attribute("datetime", after["last_success_at"])
            expect(row).to_contain_text("Last failure never")

            # Pause: the switch turns off, the row says so, and the server stored it.
            switch = row.get_by_role("switch", name=f"Send events to {url}")
            expect(switch).to_be_checked()
            switch.click()
            expect(page.get_by_role("status").filter(has_text="Deliveries paused")).to_be_visible()
            expect(switch).not_to_be_checked()
            expect(row.get_by_text("Paused", exact=True)).to_be_visible()
            paused = api.get(f"/api/v1/webhooks/{stored['id']}", headers=headers).json()
            assert paused["enabled"] is False

            row.get_by_role("button", name=f"Actions for {url}").click()
            page.get_by_role("menuitem", name="Delete…").click()
            confirm = page.get_by_role("alertdialog", name="Delete this endpoint?")
            expect(confirm).to_contain_text(f"{url} stops receiving events at once")
            expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
            confirm.get_by_role("button", name="Delete endpoint").click()
            expect(page.get_by_role("status").filter(has_text="Endpoint deleted")).to_be_visible()
            expect(confirm).to_have_count(0)
            expect(page.get_by_role("heading", name="No endpoints yet")).to_be_visible()
            expect(row).to_have_count(0)
            assert api.get("/api/v1/webhooks", headers=headers).json()["items"] == []
            assert len(receiver.received) == 1  # nothing else was ever sent
        finally:
            for endpoint in api.get("/api/v1/webhooks", headers=headers).json()["items"]:
                if endpoint["url"] in (url, url.replace("http://", "https://")):
                    api.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=headers)
