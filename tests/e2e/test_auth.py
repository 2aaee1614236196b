"""The SPA's ways in against the real server: sign-up, sign-out, sign-in with a password,
an invitation accepted in a second browser, two-step verification, password reset, and
what each role is offered."""

from __future__ import annotations

import re
import time
import uuid

import pyotp
import pytest

from tests.e2e.conftest import PASSWORD, LiveServer, Outbox, sign_in

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow

APP_URL = re.compile(r"/(dashboard|contacts|campaigns|templates|domains|team|settings|billing)")


def open_user_menu(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Account: ")).click()


def test_sign_up_sign_out_and_sign_in_again(
    new_page, live_server: LiveServer, outbox: Outbox, screenshot
) -> None:
    page = new_page()
    tag = uuid.uuid4().hex[:8]
    email = f"founder-{tag}@example.com"
    org_name = f"Summit Gear {tag}"

    page.goto("/team")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fteam$"))
    expect(page.get_by_role("heading", name="Sign in to EngageX")).to_be_visible()
    expect(page.get_by_role("link", name="Use an API key")).to_be_visible()
    screenshot(page, "auth-01-sign-in")

    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create your EngageX account")).to_be_visible()
    page.get_by_label("Your name").fill("Robin Vale")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password", exact=True).fill("password123456")
    page.get_by_label("Organization name").fill(org_name)
    page.get_by_role("button", name="Create account").click()
    # The server's policy refuses a common password, next to the field.
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    screenshot(page, "auth-02-sign-up-refused")
    password.fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(APP_URL)
    expect(page.get_by_test_id("org-name")).to_have_text(org_name)
    expect(page.get_by_test_id("current-role")).to_have_text("Owner")
    screenshot(page, "auth-03-signed-up")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["engagex_session"]["httpOnly"] is True
    assert cookies["engagex_session"]["sameSite"] == "Lax"
    assert page.evaluate("sessionStorage.getItem('engagex.apiKey')") is None

    # A second organization, through the switcher, then back.
    page.get_by_role("button", name=re.compile(r"^Organization: ")).click()
    page.get_by_role("menuitem", name="Create organization").click()
    dialog = page.get_by_role("dialog", name="Create an organization")
    dialog.get_by_label("Organization name").fill(f"Side Project {tag}")
    dialog.get_by_role("button", name="Create organization").click()
    expect(page.get_by_test_id("org-name")).to_have_text(f"Side Project {tag}")
    page.get_by_role("button", name=re.compile(r"^Organization: ")).click()
    menu = page.get_by_role("menu")
    expect(menu.get_by_role("menuitemradio")).to_have_count(2)
    screenshot(page, "auth-04-organization-switcher")
    menu.get_by_role("menuitemradio", name=re.compile(org_name)).click()
    expect(page.get_by_test_id("org-name")).to_have_text(org_name)

    open_user_menu(page)
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in\?reason=signed-out$"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert "engagex_session" not in {cookie["name"] for cookie in page.context.cookies()}
    page.goto("/settings/organization")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))

    # A wrong password says so and stays; the right one lands where the person was going.
    sign_in(page, email, "not the password at all", path="/sign-in?next=%2Fteam")
    expect(page.get_by_text("Those details did not work")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/team$"))
    expect(page.get_by_role("table", name="Members of the organization")).to_contain_text(email)

    # Forgot the password: the emailed link sets a new one, and only the new one works.
    open_user_menu(page)
    page.get_by_role("menuitem", name="Sign out").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    page.goto(outbox.link(email, "/reset-password"))
    new_password = "amber kayak meadow 7"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Confirm new password").fill(new_password)
    screenshot(page, "auth-05-reset-password")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Your password was changed")).to_be_visible()
    sign_in(page, email, new_password)
    expect(page).to_have_url(APP_URL)


def test_an_invited_analyst_joins_and_is_offered_no_management(
    new_page, live_server: LiveServer, make_person, outbox: Outbox, screenshot
) -> None:
    owner = make_person("owner")
    invitee = f"analyst-{uuid.uuid4().hex[:8]}@example.com"
    page = new_page()
    sign_in(page, owner.email, owner.password, path="/sign-in?next=%2Fteam")
    expect(page).to_have_url(re.compile(r"/team$"))

    page.get_by_role("button", name="Invite member").click()
    dialog = page.get_by_role("dialog", name="Invite a member")
    dialog.get_by_label("Email").fill(invitee)
    dialog.get_by_label("Role").select_option("analyst")
    expect(dialog.get_by_text("Reads contacts, campaigns and reports")).to_be_visible()
    screenshot(page, "auth-06-invite")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").filter(has_text="Invitation sent")).to_be_visible()
    pending = page.get_by_role("table", name="Pending invitations")
    expect(pending).to_contain_text(invitee)
    screenshot(page, "auth-07-team-owner", full_page=True)

    # The invitee opens the emailed link in another browser.
    guest = new_page()
    guest.goto(outbox.link(invitee, "/invitations/accept"))
    expect(guest.get_by_role("heading", name=f"Join {owner.org_name} on EngageX")).to_be_visible()
    expect(guest.get_by_text(invitee)).to_be_visible()
    guest.get_by_label("Your name").fill("Ana Lyst")
    guest.get_by_label("Choose a password").fill(PASSWORD)
    screenshot(guest, "auth-08-accept-invitation")
    guest.get_by_role("button", name="Create account and join").click()
    expect(guest).to_have_url(APP_URL)
    expect(guest.get_by_test_id("org-name")).to_have_text(owner.org_name)
    expect(guest.get_by_test_id("current-role")).to_have_text("Analyst")

    # What an analyst may not do is not offered.
    nav = guest.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Team")).to_be_visible()
    expect(nav.get_by_role("link", name="Billing")).to_have_count(0)
    guest.goto("/team")
    members = guest.get_by_role("table", name="Members of the organization")
    expect(members).to_contain_text(owner.email)
    expect(guest.get_by_role("button", name="Invite member")).to_have_count(0)
    expect(
        members.get_by_role("button", name=re.compile(r"^Actions for (?!Ana Lyst)"))
    ).to_have_count(0)
    screenshot(guest, "auth-09-team-analyst")
    guest.goto("/domains")
    expect(guest.get_by_role("heading", name="Domains", exact=True)).to_be_visible()
    expect(guest.get_by_role("button", name="Add domain")).to_have_count(0)
    guest.goto("/settings")
    sections = guest.get_by_role("navigation", name="Settings")
    expect(sections.get_by_role("link")).to_have_text(["Organization", "Security", "Notifications"])
    expect(guest.get_by_label("Organization name")).to_have_attribute("readonly", "")
    expect(guest.get_by_role("button", name="Save changes")).to_have_count(0)
    # The server still refuses what the app does not offer.
    csrf = next(c["value"] for c in guest.context.cookies() if c["name"] == "csrf_token")
    refused = guest.request.post(
        "/api/v1/invitations",
        data={"email": "someone@example.com", "role": "analyst"},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status == 403

    # The owner sees the new member; the invitation is no longer pending.
    page.reload()
    expect(page.get_by_role("table", name="Members of the organization")).to_contain_text(
        "Ana Lyst"
    )
    expect(page.get_by_role("table", name="Pending invitations")).to_have_count(0)


def test_two_step_verification_then_sign_in_with_a_code(
    new_page, live_server: LiveServer, make_person, screenshot
) -> None:
    person = make_person("secure")
    page = new_page()
    sign_in(page, person.email, person.password, path="/sign-in?next=%2Fsettings%2Fsecurity")
    expect(page).to_have_url(re.compile(r"/settings/security$"))
    expect(page.get_by_role("list", name="Sessions")).to_contain_text("This device")

    page.get_by_role("button", name="Turn on two-step verification").click()
    dialog = page.get_by_role("dialog", name="Turn on two-step verification")
    expect(dialog.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = dialog.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    enrolled_step = int(time.time()) // 30
    dialog.get_by_label("6-digit code").fill(totp.at(enrolled_step * 30))
    screenshot(page, "auth-10-mfa-enrol")
    dialog.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("dialog", name="Save your recovery codes")
    expect(codes.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    screenshot(page, "auth-11-recovery-codes")
    codes.get_by_label("I have saved my recovery codes somewhere safe").check()
    codes.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("recovery-codes-left")).to_have_text("10 recovery codes left.")

    open_user_menu(page)
    page.get_by_role("menuitem", name="Sign out").click()
    sign_in(page, person.email, person.password, path="/sign-in?next=%2Fteam")
    expect(page).to_have_url(re.compile(r"/sign-in/mfa\?next=%2Fteam$"))
    # The pending sign-in opens nothing else.
    assert page.request.get("/api/v1/organization").status == 401
    code = page.get_by_label("Authentication code")
    code.fill("000000")  # six digits submit by themselves
    expect(code).to_have_attribute("aria-invalid", "true")
    screenshot(page, "auth-12-mfa-sign-in")
    # A code is accepted once per 30-second step: use one after the enrolment's.
    step = max(enrolled_step + 1, int(time.time()) // 30)
    code.fill(totp.at(step * 30))
    expect(page).to_have_url(re.compile(r"/team$"))
    expect(page.get_by_test_id("org-name")).to_have_text(person.org_name)


def test_phone_sign_in_and_account_menu(new_page, make_person, screenshot) -> None:
    person = make_person("mobile")
    page = new_page(width=390, height=844)
    page.goto("/sign-in")
    expect(page.get_by_role("heading", name="Sign in to EngageX")).to_be_visible()
    screenshot(page, "auth-13-phone-sign-in")
    sign_in(page, person.email, person.password, path="/sign-in?next=%2Fsettings%2Fsecurity")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    screenshot(page, "auth-14-phone-security", full_page=True)
    open_user_menu(page)
    expect(page.get_by_role("menu")).to_be_visible()
    expect(page.get_by_test_id("signed-in-email")).to_have_text(person.email)
    screenshot(page, "auth-15-phone-account-menu")
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"^Notifications")).click()
    panel = page.get_by_role("dialog", name="Notifications")
    expect(panel.get_by_text("You are all caught up")).to_be_visible()
    screenshot(page, "auth-16-phone-notifications")
