"""The SPA's contacts against the real server: import a messy file through the wizard,
search and filter a list longer than a page, and build a segment with a live count."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import TIMEOUT_MS, LiveServer
from tests.e2e.test_accounts import bearer, connect

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
APIRequestContext = playwright.APIRequestContext
expect = playwright.expect

pytestmark = pytest.mark.slow

# Semicolons, a BOM, German headers, a quoted cell spanning two lines, an address in
# capitals with a trailing space, a bad address, a blank line and a repeated address.
MESSY_CSV = (
    "\ufeffE-Mail;Vorname;Nachname;Tarif;Notizen\r\n"
    'anna@wizard.example;Anna;Berg;pro;"sagt ""hallo""; mag\nWandern"\r\n'
    "BORIS@Wizard.Example ;Boris;;team;\r\n"
    "not-an-address;Zed;Quill;pro;\r\n"
    "\r\n"
    "anna@wizard.example;Anna2;Dup;free;\r\n"
    "clara@wizard.example;Clara;Weiss;free;x\r\n"
)


def wait_for_import(api: APIRequestContext, headers: dict[str, str], import_id: int) -> dict:
    """The finished import (imports run as a job; an upper bound, never reached)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        record = api.get(f"/api/v1/contacts/imports/{import_id}", headers=headers).json()
        if record["status"] in ("completed", "failed") or time.monotonic() > deadline:
            return record
        time.sleep(0.1)


def erase(api: APIRequestContext, headers: dict[str, str], *emails: str) -> None:
    for email in emails:
        api.post("/api/v1/contacts/erase", headers=headers, data={"email": email})


def group_named(api: APIRequestContext, headers: dict[str, str], name: str) -> dict | None:
    groups = api.get("/api/v1/groups?limit=200", headers=headers).json()["items"]
    return next((group for group in groups if group["name"] == name), None)


def test_import_a_messy_csv_through_the_wizard(
    page: Page, live_server: LiveServer, screenshot
) -> None:
    api = page.request
    headers = bearer(live_server.owner_key)
    field = api.post(
        "/api/v1/contacts/fields", headers=headers, data={"name": "tier", "label": "Tier"}
    ).json()
    try:
        connect(page, live_server)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
        expect(page).to_have_title("Contacts · EngageX")
        page.get_by_role("link", name="Import", exact=True).click()
        expect(page).to_have_url(re.compile(r"/contacts/import$"))

        page.get_by_label("File to import").set_input_files(
            files=[
                {"name": "messy-contacts.csv", "mimeType": "text/csv", "buffer": MESSY_CSV.encode()}
            ]
        )
        expect(page.get_by_test_id("chosen-file")).to_have_text("messy-contacts.csv")
        page.get_by_role("button", name="Next: match columns").click()

        # The columns as the server will read them: recognised headers, the rest chosen.
        expect(page.get_by_text("Read as CSV (UTF-8, semicolon-separated).")).to_be_visible()
        rows = page.get_by_test_id("mapping-row")
        expect(rows).to_have_count(5)
        selects = [rows.nth(index).get_by_role("combobox") for index in range(5)]
        expect(selects[0]).to_have_value("builtin:email")
        expect(selects[1]).to_have_value("builtin:first_name")
        expect(selects[2]).to_have_value("builtin:last_name")
        expect(selects[3]).to_have_value("ignore")
        expect(rows.nth(0)).to_contain_text("BORIS@Wizard.Example")
        selects[3].select_option(label="Tier (text)")
        expect(page.get_by_text("4 of 5 columns")).to_be_visible()
        screenshot(page, "30-contacts-import-mapping", full_page=True)
        page.get_by_role("button", name="Next: options").click()

        page.get_by_role("radio", name=re.compile("Add to a new group")).check()
        page.get_by_label(re.compile("New group.s name")).fill("Wizard e2e")
        page.get_by_role("button", name="Import contacts").click()

        expect(page).to_have_url(re.compile(r"/contacts/imports/\d+$"))
        import_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_test_id("count-created")).to_have_text("3")
        expect(page.get_by_test_id("count-rejected")).to_have_text("2")
        rejected = page.get_by_role("table", name="Rejected rows")
        expect(rejected).to_contain_text("not-an-address")
        expect(rejected).to_contain_text("duplicate of row 2")
        screenshot(page, "31-contacts-import-result", full_page=True)

        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download rejected rows (CSV)").click()
        download = download_info.value
        assert download.suggested_filename == f"import-{import_id}-rejected.csv"
        lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
        assert lines[0] == "row,field,reason,E-Mail,Vorname,Nachname,Tarif,Notizen"
        assert len(lines) == 3 and "not-an-address" in lines[1] and "Anna2" in lines[2]

        # What was stored: the address normalised, the plan in the chosen field, the group.
        found = api.get("/api/v1/contacts?q=boris@wizard.example", headers=headers).json()["items"]
        assert [(c["email"], c["attributes"]) for c in found] == [
            ("boris@wizard.example", {"tier": "team"})
        ]
        group = group_named(api, headers, "Wizard e2e")
        assert group is not None and found[0]["group_ids"] == [group["id"]]

        page.get_by_role("link", name="See the contacts").click()
        expect(page).to_have_url(re.compile(rf"/contacts\?group={group['id']}$"))
        expect(page.get_by_test_id("contacts-count")).to_have_text("3 contacts match")
    finally:
        erase(api, headers, "anna@wizard.example", "boris@wizard.example", "clara@wizard.example")
        group = group_named(api, headers, "Wizard e2e")
        if group:
            api.delete(f"/api/v1/groups/{group['id']}", headers=headers)
        api.delete(f"/api/v1/contacts/fields/{field['id']}", headers=headers)


def bulk_csv(count: int) -> bytes:
    lines = ["email,first_name,last_name,status"]
    for number in range(count):
        status = "unsubscribed" if number % 25 == 0 else "subscribed"
        lines.append(f"bulk{number:03d}@list.example,Walker,No{number:03d},{status}")
    lines.append("zora@list.example,Zora,Quill,subscribed")
    return ("\n".join(lines) + "\n").encode()


def test_search_and_filter_a_list_longer_than_a_page(
    new_page, live_server: LiveServer, screenshot
) -> None:
    page = new_page()
    api = page.request
    headers = bearer(live_server.owner_key)
    created = api.post(
        "/api/v1/contacts/imports",
        headers=headers,
        multipart={
            "file": {"name": "bulk.csv", "mimeType": "text/csv", "buffer": bulk_csv(260)},
            "group": "List e2e",
        },
    ).json()
    record = wait_for_import(api, headers, created["id"])
    assert record["status"] == "completed" and record["created"] == 261, record
    group_id = record["group_id"]
    try:
        connect(page, live_server)
        page.goto(f"/contacts?group={group_id}")
        expect(page.get_by_test_id("contacts-count")).to_have_text("261 contacts match")
        table = page.get_by_role("table", name="Contacts")
        expect(table).to_have_attribute("aria-rowcount", "262")
        expect(page.get_by_test_id("contacts-loaded")).to_have_text("100 of 261 loaded")
        # Virtualised: only the rows in view (and a margin) are in the page.
        assert table.locator("tbody tr[aria-rowindex]").count() < 40
        screenshot(page, "32-contacts-list")

        # Scrolling to the end of what is loaded fetches the next pages.
        region = page.get_by_role("region", name="Contacts, scrollable")
        region.evaluate("element => { element.scrollTop = element.scrollHeight; }")
        expect(page.get_by_test_id("contacts-loaded")).to_have_text("200 of 261 loaded")
        region.evaluate("element => { element.scrollTop = element.scrollHeight; }")
        expect(page.get_by_test_id("contacts-loaded")).to_have_text("261 contacts")
        region.evaluate("element => { element.scrollTop = element.scrollHeight; }")
        # The oldest contact is the last row; still only a screenful of rows in the page.
        expect(table.get_by_role("link", name="bulk000@list.example")).to_be_visible()
        assert table.locator("tbody tr[aria-rowindex]").count() < 40

        page.get_by_label("Search").fill("quill")
        expect(page).to_have_url(re.compile(rf"/contacts\?q=quill&group={group_id}$"))
        expect(page.get_by_test_id("contacts-count")).to_have_text("1 contact match")
        expect(table.get_by_role("link", name="zora@list.example")).to_be_visible()

        page.get_by_role("button", name="Clear filters").first.click()
        expect(page.get_by_label("Search")).to_have_value("")
        page.get_by_label("Group").select_option(str(group_id))
        page.get_by_label("Status").select_option("unsubscribed")
        expect(page.get_by_test_id("contacts-count")).to_have_text("11 contacts match")
        expect(table.locator("tbody tr[aria-rowindex]")).to_have_count(11)
        expect(table.get_by_role("cell", name="Unsubscribed", exact=True).first).to_be_visible()

        table.get_by_role("link", name="bulk025@list.example").click()
        expect(page.get_by_role("heading", level=1, name="bulk025@list.example")).to_be_visible()
        expect(page.get_by_label("Last name")).to_have_value("No025")
        expect(page.get_by_role("checkbox", name="List e2e")).to_be_checked()
        screenshot(page, "33-contact-page", full_page=True)
        page.go_back()
        expect(page.get_by_test_id("contacts-count")).to_have_text("11 contacts match")

        phone = new_page(width=390, height=844)
        connect(phone, live_server)
        phone.goto(f"/contacts?group={group_id}")
        expect(phone.get_by_test_id("contacts-count")).to_have_text("261 contacts match")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(phone, "34-phone-contacts")
    finally:
        # The contacts stay (their addresses are this test's own); the list goes.
        api.delete(f"/api/v1/groups/{group_id}", headers=headers)


def test_build_a_two_condition_segment_and_see_the_count(
    page: Page, live_server: LiveServer, screenshot
) -> None:
    api = page.request
    headers = bearer(live_server.owner_key)
    field = api.post(
        "/api/v1/contacts/fields",
        headers=headers,
        data={"name": "seg_score", "type": "number", "label": "Score"},
    ).json()
    group = api.post("/api/v1/groups", headers=headers, data={"name": "Segment e2e VIP"}).json()
    people: list[dict[str, Any]] = [
        {
            "email": "high@segment.example",
            "first_name": "High",
            "attributes": {"seg_score": 9},
            "group_ids": [group["id"]],
        },
        {
            "email": "low@segment.example",
            "first_name": "Low",
            "attributes": {"seg_score": 3},
            "group_ids": [group["id"]],
        },
        {
            "email": "outside@segment.example",
            "first_name": "Outside",
            "attributes": {"seg_score": 12},
        },
    ]
    for person in people:
        assert api.post("/api/v1/contacts", headers=headers, data=person).status == 201
    segment_id = None
    try:
        connect(page, live_server)
        page.goto("/contacts/segments")
        page.get_by_role("link", name="New segment").first.click()
        expect(page).to_have_url(re.compile(r"/contacts/segments/new$"))
        page.get_by_label("Name", exact=True).fill("High scorers e2e")

        page.get_by_role("button", name="Add condition").click()
        page.get_by_label("Field of condition 1").select_option("group")
        page.get_by_label("Value of condition 1").select_option(label="Segment e2e VIP")
        expect(page.get_by_test_id("segment-count")).to_have_text("2")

        page.get_by_role("button", name="Add condition").click()
        page.get_by_label("Field of condition 2").select_option(label="Score")
        page.get_by_label("Operator of condition 2").select_option("gt")
        page.get_by_label("Value of condition 2").fill("5")
        expect(page.get_by_test_id("segment-count")).to_have_text("1")
        preview = page.get_by_test_id("segment-preview")
        expect(preview).to_contain_text("high@segment.example")
        expect(preview).not_to_contain_text("low@segment.example")
        screenshot(page, "35-segment-builder", full_page=True)

        page.get_by_role("button", name="Create segment").click()
        expect(page).to_have_url(re.compile(r"/contacts/segments/\d+$"))
        segment_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_role("heading", level=1, name="High scorers e2e")).to_be_visible()
        saved = api.get(f"/api/v1/segments/{segment_id}", headers=headers).json()
        assert saved["definition"] == {
            "and": [
                {"field": "group", "op": "eq", "value": group["id"]},
                {"field": "attributes.seg_score", "op": "gt", "value": 5},
            ]
        }

        page.get_by_role("link", name="All segments").click()
        row = (
            page.get_by_role("table", name="Segments")
            .get_by_role("row")
            .filter(has_text="High scorers e2e")
        )
        expect(row).to_contain_text("1")
        row.get_by_role("link", name="Contacts in High scorers e2e").click()
        expect(page.get_by_test_id("contacts-count")).to_have_text("1 contact match")
    finally:
        if segment_id is not None:
            api.delete(f"/api/v1/segments/{segment_id}", headers=headers)
        erase(api, headers, *(person["email"] for person in people))
        api.delete(f"/api/v1/groups/{group['id']}", headers=headers)
        api.delete(f"/api/v1/contacts/fields/{field['id']}", headers=headers)
