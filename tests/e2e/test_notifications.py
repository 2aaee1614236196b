"""The notification bell and the notification settings against the real server.

Notifications are created the way other domains create them, with
``blueprints.notifications.services.notify``, in the live server's database.
"""

from __future__ import annotations

import re

import pytest

from blueprints.notifications.services import notify
from engagex.db import db
from tests.e2e.conftest import LiveServer, Person, sign_in

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow


def send(server: LiveServer, person: Person, kind: str, title: str, link: str | None) -> None:
    with server.app.app_context():
        notify(person.org_id, kind, title=title, body="Sent by the end-to-end tests.", link=link)
        db.session.commit()


def test_the_bell_counts_unread_notifications_and_marks_them_read(
    new_page, live_server: LiveServer, make_person, screenshot
) -> None:
    person = make_person("notified")
    send(live_server, person, "domain.verified", "news.trailhead.test is verified", "/team")
    send(live_server, person, "billing.quota_80", "80 % of this month's email quota is used", None)
    page = new_page()
    sign_in(page, person.email, person.password, path="/sign-in?next=%2Fsettings%2Fsecurity")
    expect(page).to_have_url(re.compile(r"/settings/security$"))

    bell = page.get_by_role("button", name="Notifications, 2 unread")
    expect(bell).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    bell.click()
    panel = page.get_by_role("dialog", name="Notifications")
    items = panel.get_by_role("list", name="Latest notifications").get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("80 % of this month's email quota is used")
    screenshot(page, "notifications-01-panel")

    # Opening one follows its link into the app and marks it read.
    panel.get_by_role("link", name=re.compile("news.trailhead.test is verified")).click()
    expect(page).to_have_url(re.compile(r"/team$"))
    expect(page.get_by_role("button", name="Notifications, 1 unread")).to_be_visible()

    # A new one arrives; opening the bell shows it without waiting for the next poll.
    send(live_server, person, "campaign.sent", "Spring launch finished sending", "/team")
    page.get_by_role("button", name=re.compile(r"^Notifications")).click()
    expect(items).to_have_count(3)
    expect(page.get_by_role("button", name="Notifications, 2 unread")).to_be_visible()
    panel.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    screenshot(page, "notifications-02-all-read")
    inbox = page.request.get("/api/v1/notifications").json()
    assert inbox["unread_count"] == 0
    assert all(item["read_at"] for item in inbox["items"])

    # After a reload the count stays at zero: it was the server's, not the page's.
    page.reload()
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)


def test_notification_settings_are_saved_per_type_and_channel(
    new_page, live_server: LiveServer, make_person, screenshot
) -> None:
    person = make_person("prefs")
    page = new_page()
    sign_in(page, person.email, person.password, path="/sign-in?next=%2Fsettings%2Fnotifications")
    expect(page).to_have_url(re.compile(r"/settings/notifications$"))
    email = page.get_by_role("switch", name="A campaign finished sending: by email")
    expect(email).to_have_attribute("aria-checked", "true")
    screenshot(page, "notifications-03-settings", full_page=True)

    def saved(response) -> bool:
        return response.url.endswith("/api/v1/notifications/preferences") and (
            response.request.method == "PUT"
        )

    with page.expect_response(saved):
        email.click()
    expect(email).to_have_attribute("aria-checked", "false")
    in_app = page.get_by_role("switch", name="A contact import finished: in the app")
    with page.expect_response(saved):
        in_app.click()
    expect(in_app).to_have_attribute("aria-checked", "false")

    body = page.request.get("/api/v1/notifications/preferences").json()
    stored = {item["type"]: item for item in body["items"]}
    assert stored["campaign.sent"]["email"] is False
    assert stored["import.finished"]["in_app"] is False
    page.reload()
    expect(email).to_have_attribute("aria-checked", "false")

    # Turned off in the app: a finished import no longer reaches the bell.
    send(live_server, person, "import.finished", "Import of list.csv finished", None)
    page.get_by_role("button", name=re.compile(r"^Notifications")).click()
    panel = page.get_by_role("dialog", name="Notifications")
    expect(panel.get_by_text("You are all caught up")).to_be_visible()
    assert page.request.get("/api/v1/notifications").json()["unread_count"] == 0
