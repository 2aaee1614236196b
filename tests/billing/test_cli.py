"""``engagex billing ...`` against the test database and the Stripe fake."""

from __future__ import annotations

import json
import logging

from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.billing import services as billing
from blueprints.billing.state import get_subscription
from cli import cli
from engagex.db import db
from tests.billing.conftest import deliver
from tests.factories import auth, make_key, make_org


def run(app, *args: str):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_plans_and_seed_plans(app, session):
    listed = json.loads(run(app, "billing", "plans", "--json").stdout)
    assert [(p["code"], p["email_quota"], p["price_cents"]) for p in listed] == [
        ("free", 1000, 0),
        ("starter", 15000, 1500),
        ("growth", 75000, 4900),
        ("pro", 300000, 14900),
    ]
    table = run(app, "billing", "plans").stdout
    assert "15.00 USD" in table and "300,000" in table
    seeded = json.loads(run(app, "billing", "seed-plans", "--json").stdout)
    assert {p["action"] for p in seeded} == {"unchanged"}
    priced = run(app, "billing", "seed-plans", "--price", "growth=price_123", "--json")
    assert priced.exit_code == 0, priced.output
    growth = next(p for p in json.loads(priced.stdout) if p["code"] == "growth")
    assert (growth["action"], growth["stripe_price_id"]) == ("price set", "price_123")


def test_bad_input_is_one_line(app, session):
    org = make_org()
    for args, fragment in [
        (["billing", "seed-plans", "--price", "growth"], "is not CODE=PRICE_ID"),
        (["billing", "seed-plans", "--price", "growth=prod_1"], "is not a Stripe Price id"),
        (["billing", "seed-plans", "--price", "free=price_1"], "is free"),
        (["billing", "set-plan", "--org", org.slug, "gold"], "unknown plan 'gold'"),
        (["billing", "status", "--org", "ghost"], "no organization"),
        (["billing", "sync", "--org", org.slug], "no Stripe billing account"),
    ]:
        result = run(app, *args)
        assert result.exit_code != 0, args
        assert result.stderr.count("\n") == 1 and fragment in result.stderr, result.stderr


def test_status_shows_plan_and_meters(app, session):
    org = make_org()
    billing.record_usage(org.id, "b1", 800)
    db.session.commit()
    data = json.loads(run(app, "billing", "status", "--org", org.slug, "--json").stdout)
    assert data["plan"]["code"] == "free" and data["status"] == "active"
    assert data["usage"]["emails"] == {"used": 800, "limit": 1000, "remaining": 200, "percent": 80}
    assert data["usage"]["seats"]["used"] == 1
    text = run(app, "billing", "status", "--org", org.slug).stdout
    assert "emails        800 of 1,000 (80 %), 200 left" in text
    assert "sending       allowed" in text


def test_set_plan_is_an_audited_operator_override(app, session, caplog):
    org = make_org()
    with caplog.at_level(logging.WARNING, logger="blueprints.billing.services"):
        result = run(app, "billing", "set-plan", "--org", org.slug, "pro", "--reason", "partner")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{org.slug} is now on the pro plan (active)\n"
    record = next(r for r in caplog.records if "operator override" in r.getMessage())
    assert record.audit_action == "billing.plan_overridden"
    assert (record.old_plan, record.new_plan, record.reason) == ("free", "pro", "partner")
    assert get_subscription(org.id).plan.code == "pro"


def test_set_plan_refuses_a_stripe_billed_org_unless_forced(
    app, client, session, stripe_fake, stripe_app
):
    org = make_org()
    owner = auth(make_key(org, "owner"))
    session_id = client.post(
        "/api/v1/billing/checkout", json={"plan": "starter"}, headers=owner
    ).get_json()["id"]
    deliver(client, stripe_fake.complete_checkout(session_id))
    refused = run(app, "billing", "set-plan", "--org", org.slug, "pro")
    assert refused.exit_code == 1 and "billed through Stripe" in refused.stderr
    forced = run(app, "billing", "set-plan", "--org", org.slug, "pro", "--force", "--json")
    assert json.loads(forced.stdout) == {
        "organization": org.slug,
        "plan": "pro",
        "status": "active",
    }


def test_sync_repairs_missed_webhooks(app, client, session, stripe_fake, stripe_app):
    org = make_org()
    owner = auth(make_key(org, "owner"))
    session_id = client.post(
        "/api/v1/billing/checkout", json={"plan": "growth"}, headers=owner
    ).get_json()["id"]
    events = stripe_fake.complete_checkout(session_id)  # ... and no webhook arrives
    assert get_subscription(org.id).plan.code == "free"
    result = run(app, "billing", "sync", "--org", org.slug, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["plan"], data["status"], data["invoices"]) == ("growth", "active", 1)
    assert data["subscription"] == events[0]["data"]["object"]["id"]
    # The late webhooks change nothing more.
    bodies = deliver(client, events)
    assert get_subscription(org.id).plan.code == "growth"
    assert all(not b["duplicate"] for b in bodies)
    invoices = client.get("/api/v1/billing/invoices", headers=owner).get_json()["items"]
    assert len(invoices) == 1 and invoices[0]["status"] == "paid"
