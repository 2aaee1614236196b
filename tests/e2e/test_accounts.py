"""The SPA against the real server: connect, organization settings, team, API keys."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import LiveServer

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def connect(page: Page, server: LiveServer, key: str | None = None) -> None:
    page.goto("/connect")
    page.get_by_label("API key").fill(key or server.owner_key)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("org-name")).to_be_visible()


def test_connect_with_an_api_key(page: Page, live_server: LiveServer, screenshot) -> None:
    page.goto("/settings/organization")
    # Not signed in: the app asks to sign in and remembers where the person was going;
    # an API key is the secondary way in.
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fsettings%2Forganization$"))
    page.get_by_role("link", name="Use an API key").click()
    expect(page).to_have_url(re.compile(r"/connect\?next=%2Fsettings%2Forganization$"))
    expect(page.get_by_role("heading", name="Connect to your organization")).to_be_visible()
    expect(page.get_by_text("Use an API key")).to_be_visible()
    screenshot(page, "01-connect")

    key_field = page.get_by_label("API key")
    key_field.fill("egx_000000000000_not-a-real-key")
    page.get_by_role("button", name="Connect").click()
    expect(key_field).to_have_attribute("aria-invalid", "true")
    expect(key_field).to_have_accessible_description(re.compile("This key was not accepted"))
    screenshot(page, "02-connect-rejected")

    key_field.fill(live_server.owner_key)
    page.get_by_role("button", name="Connect").click()
    expect(page).to_have_url(re.compile(r"/settings/organization$"))
    org = page.request.get("/api/v1/organization", headers=bearer(live_server.owner_key)).json()
    expect(page.get_by_test_id("org-name")).to_have_text(org["name"])
    # Only areas whose API exists are offered: no placeholder screens.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(
        [
            "Dashboard",
            "Contacts",
            "Campaigns",
            "Templates",
            "Domains",
            "Team",
            "Settings",
            "Billing",
        ]
    )
    # The key lives in this tab only.
    stored = page.evaluate("sessionStorage.getItem('engagex.apiKey')")
    assert stored == live_server.owner_key
    assert page.evaluate("localStorage.length") == 0


def test_team_lists_members_page_by_page(page: Page, live_server: LiveServer, screenshot) -> None:
    connect(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page).to_have_url(re.compile(r"/team$"))
    expect(page).to_have_title("Team · EngageX")
    table = page.get_by_role("table", name="Members of the organization")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(25)
    owner = table.get_by_role("row").filter(has_text="maya@acme.example.com")
    expect(owner.get_by_role("cell").nth(1)).to_have_text("Owner")
    expect(table.get_by_role("row").filter(has_text="Teammate 03")).to_contain_text(
        "teammate03@acme.example.com"
    )
    screenshot(page, "03-team")

    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(live_server.member_count)
    expect(page.get_by_text(f"{live_server.member_count} members", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)


def test_rename_the_organization(page: Page, live_server: LiveServer, screenshot) -> None:
    original = page.request.get(
        "/api/v1/organization", headers=bearer(live_server.owner_key)
    ).json()["name"]
    connect(page, live_server)
    page.goto("/settings/organization")
    expect(page).to_have_title("Organization settings · EngageX")
    name = page.get_by_label("Organization name")
    expect(name).to_have_value(original)
    save = page.get_by_role("button", name="Save changes")
    expect(save).to_be_disabled()  # nothing changed yet
    screenshot(page, "04-settings-organization")
    try:
        name.fill("Acme Trail Supply")
        page.get_by_label("Sender email").fill("News@Acme.Example.com")
        save.click()
        expect(page.get_by_role("status").filter(has_text="Organization updated")).to_be_visible()
        expect(page.get_by_test_id("org-name")).to_have_text("Acme Trail Supply")
        # The server normalised the address; the form shows what was stored.
        expect(page.get_by_label("Sender email")).to_have_value("news@acme.example.com")

        page.reload()
        expect(page.get_by_label("Organization name")).to_have_value("Acme Trail Supply")
        stored = page.request.get(
            "/api/v1/organization", headers=bearer(live_server.owner_key)
        ).json()
        assert stored["name"] == "Acme Trail Supply"
        assert stored["default_from_email"] == "news@acme.example.com"
    finally:
        page.request.patch(
            "/api/v1/organization",
            headers=bearer(live_server.owner_key),
            data={"name": original, "default_from_email": None},
        )


def test_validation_errors_are_shown_next_to_their_field(
    page: Page, live_server: LiveServer, screenshot
) -> None:
    connect(page, live_server)
    page.goto("/settings/organization")
    name = page.get_by_label("Organization name")
    expect(name).not_to_have_value("")
    # details.fields.json of the API (marshmallow) ...
    name.fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description("Length must be between 1 and 200.")
    expect(name).to_be_focused()
    screenshot(page, "05-organization-validation")

    # ... and a service's validation code, both land next to the field they are about.
    name.fill("Acme")
    email = page.get_by_label("Sender email")
    email.fill("not-an-address")
    page.get_by_role("button", name="Save changes").click()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("is not a valid email address"))
    expect(name).not_to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Discard").click()
    expect(email).to_have_value("")
    expect(email).not_to_have_attribute("aria-invalid", "true")


def test_create_an_api_key_see_it_once_and_revoke_it(
    page: Page, live_server: LiveServer, screenshot
) -> None:
    connect(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="API keys").click()
    expect(page).to_have_url(re.compile(r"/settings/api-keys$"))
    table = page.get_by_role("table", name="API keys")
    expect(table.get_by_text("Owner (end-to-end tests)")).to_be_visible()
    expect(table.get_by_text("This browser")).to_be_visible()
    screenshot(page, "06-api-keys")

    # Keyboard: the dialog takes focus, Escape closes it and gives focus back.
    opener = page.get_by_role("button", name="Create API key")
    opener.click()
    dialog = page.get_by_role("dialog", name="Create API key")
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()

    opener.click()
    dialog.get_by_role("button", name="Create key").click()
    expect(dialog.get_by_label("Name")).to_have_accessible_description(
        "Length must be between 1 and 200."
    )
    page.keyboard.type("CRM sync")
    dialog.get_by_label("Role").select_option("campaign_manager")
    expect(dialog.get_by_text("Manages contacts and sends campaigns.")).to_be_visible()
    screenshot(page, "07-create-api-key")
    dialog.get_by_role("button", name="Create key").click()

    created = page.get_by_role("dialog", name="Copy your new API key")
    field = created.get_by_test_id("created-api-key")
    expect(field).to_have_value(re.compile(r"^egx_[0-9a-f]{12}_\S+$"))
    token = field.input_value()
    screenshot(page, "08-api-key-created")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    created.get_by_role("button", name="Copy").click()
    expect(created.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    # The key really works, with the chosen role.
    assert page.request.get("/api/v1/members", headers=bearer(token)).status == 200
    assert page.request.get("/api/v1/api-keys", headers=bearer(token)).status == 403

    created.get_by_role("button", name="Done").click()
    expect(created).to_have_count(0)
    row = table.get_by_role("row").filter(has_text="CRM sync")
    expect(row).to_contain_text("Campaign manager")
    expect(row).to_contain_text(f"egx_{token[4:16]}_")
    # Shown once: nowhere on the page any more.
    assert token not in page.content()

    row.get_by_role("button", name="Revoke CRM sync").click()
    confirm = page.get_by_role("alertdialog", name="Revoke this API key?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(page, "09-revoke-api-key")
    confirm.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("status").filter(has_text="API key revoked")).to_be_visible()
    expect(table.get_by_text("CRM sync")).to_have_count(0)
    assert page.request.get("/api/v1/members", headers=bearer(token)).status == 401


def test_a_revoked_key_leads_back_to_connect(
    page: Page, live_server: LiveServer, screenshot
) -> None:
    created = page.request.post(
        "/api/v1/api-keys",
        headers=bearer(live_server.owner_key),
        data={"name": "Short-lived", "role": "analyst"},
    ).json()
    connect(page, live_server, created["key"])
    page.request.delete(f"/api/v1/api-keys/{created['id']}", headers=bearer(live_server.owner_key))

    page.reload()
    expect(page).to_have_url(re.compile(r"/connect\?"))
    expect(page.get_by_text("Your API key is no longer accepted")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('engagex.apiKey')") is None
    screenshot(page, "10-connect-key-revoked")


def test_an_analyst_cannot_manage_api_keys(page: Page, live_server: LiveServer) -> None:
    created = page.request.post(
        "/api/v1/api-keys",
        headers=bearer(live_server.owner_key),
        data={"name": "Read only", "role": "analyst"},
    ).json()
    try:
        connect(page, live_server, created["key"])
        page.goto("/settings/api-keys")
        expect(page.get_by_role("heading", name="You don't have access to this")).to_be_visible()
        expect(page.get_by_role("button", name="Create API key")).to_have_count(0)

        page.goto("/settings/organization")
        page.get_by_label("Organization name").fill("Renamed by an analyst")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("alert").filter(has_text="org:manage")).to_be_visible()
    finally:
        page.request.delete(
            f"/api/v1/api-keys/{created['id']}", headers=bearer(live_server.owner_key)
        )


def test_unknown_routes_show_the_not_found_view(
    page: Page, live_server: LiveServer, screenshot
) -> None:
    connect(page, live_server)
    for path in ("/no/such/page", "/settings/no-such-section"):
        page.goto(path)
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(path)
        # Inside the app: the navigation is still there.
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    screenshot(page, "11-not-found")
    page.get_by_role("link", name="Go to Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    # The server's own prefixes never fall back to the app.
    response = page.request.get("/api/v1/no-such-thing")
    assert response.status == 404
    assert response.json()["code"] == "not_found"


def test_phone_layout(new_page, live_server: LiveServer, screenshot) -> None:
    page = new_page(width=390, height=844)
    connect(page, live_server)
    page.goto("/team")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(25)
    screenshot(page, "12-phone-team")
    page.get_by_role("button", name="Open navigation").click()
    drawer = page.get_by_role("dialog", name="Navigation")
    expect(drawer.get_by_role("link", name="Dashboard")).to_be_focused()
    screenshot(page, "13-phone-navigation")
    drawer.get_by_role("link", name="Settings").click()
    expect(drawer).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/settings/organization$"))
    expect(page.get_by_label("Organization name")).to_be_visible()
    screenshot(page, "14-phone-settings", full_page=True)
