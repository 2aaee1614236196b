"""Every main screen passes axe-core's WCAG 2.1 A/AA rules in Chromium (no serious or
critical violation): labels, names, roles, contrast, landmarks, keyboard reachability.

axe-core is a dev dependency of the frontend (frontend/node_modules/axe-core); it is
injected into the page, so what it inspects is the real rendered app."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import FRONTEND, LiveServer
from tests.e2e.test_accounts import connect

playwright = pytest.importorskip("playwright.sync_api")
Page = playwright.Page
expect = playwright.expect

pytestmark = pytest.mark.slow

AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = {
    "/dashboard": "Dashboard",
    "/contacts": "Contacts",
    "/contacts/import": "Import contacts",
    "/contacts/segments": "Contacts",
    "/campaigns": "Campaigns",
    "/campaigns/new": "New campaign",
    "/templates": "Templates",
    "/domains": "Domains",
    "/team": "Team",
    "/settings/organization": "Settings",
    "/settings/api-keys": "Settings",
    "/settings/webhooks": "Settings",
    "/billing": "Billing",
}


def violations(page: Page) -> list[dict]:
    """axe's serious and critical WCAG A/AA violations of the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_screens_have_no_serious_accessibility_violations(
    page: Page, live_server: LiveServer
) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in frontend/")
    connect(page, live_server)
    found = {}
    for path, heading in SCREENS.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        page.wait_for_load_state("networkidle")
        if problems := violations(page):
            found[path] = problems
    assert not found, json.dumps(found, indent=1)


def test_sign_in_page_has_no_serious_accessibility_violations(page: Page) -> None:
    page.goto("/sign-in")
    expect(page.get_by_role("heading", name="Sign in to EngageX")).to_be_visible()
    assert not violations(page)
    # The check itself works: an unlabelled field is reported.
    page.evaluate("document.querySelector('form').append(document.createElement('input'))")
    assert [v["rule"] for v in violations(page)] == ["label"]
