"""``engagex campaigns`` as an operator runs it (jobs in this process)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.billing import services as billing
from blueprints.campaigns.models import Campaign
from cli import cli
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.campaigns.helpers import make_audience, make_template, read_outbox
from tests.factories import make_org


def run(app, *args: str):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_create_send_status_and_the_rest(app, session, outbox):
    org = make_org("cliorg")
    billing.operator_set_plan(None, org.id, "pro")
    with tenant_context(org.id):
        template = make_template(name="Newsletter")
        make_audience(4, name="readers")
        db.session.commit()
    created = run(
        app, "campaigns", "create", "--org", "cliorg", "--name", "April",
        "--template", "Newsletter", "--group", "readers", "--from-email", "news@acme.example",
        "--seed", "qa@acme.example", "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    campaign = json.loads(created.stdout)
    assert campaign["template_id"] == template.id and campaign["seed_emails"] == ["qa@acme.example"]
    cid = str(campaign["id"])

    tested = run(app, "campaigns", "test-send", cid, "--org", "cliorg")
    assert tested.exit_code == 0 and "queued for qa@acme.example" in tested.stdout
    sent = run(app, "campaigns", "send", cid, "--org", "cliorg")
    assert sent.exit_code == 0, sent.output
    assert "5 recipients" in sent.stdout
    status = json.loads(run(app, "campaigns", "status", cid, "--org", "cliorg", "--json").stdout)
    assert status["status"] == "sent" and status["sent"] == 5 and status["queued"] == 0
    watched = run(app, "campaigns", "status", cid, "--org", "cliorg", "--watch")
    assert watched.exit_code == 0 and "sent" in watched.stdout
    mail = [m for m in read_outbox(outbox) if m["Feedback-ID"] or m["X-EngageX-Test"]]
    assert len(mail) == 6  # the test and the five recipients

    again = run(app, "campaigns", "send", cid, "--org", "cliorg")
    assert again.exit_code == 1
    assert again.output.strip() == "error: cannot send a campaign that is sent"
    listed = json.loads(run(app, "campaigns", "list", "--org", "cliorg", "--json").stdout)
    assert [c["status"] for c in listed] == ["sent"]
    copy = json.loads(run(app, "campaigns", "duplicate", cid, "--org", "cliorg", "--json").stdout)
    assert copy["name"] == "Copy of April" and copy["status"] == "draft"
    assert run(app, "campaigns", "delete", cid, "--org", "cliorg").exit_code == 0


def test_schedule_in_a_time_zone_and_send_due(app, session, outbox):
    org = make_org("clisched")
    billing.operator_set_plan(None, org.id, "pro")
    with tenant_context(org.id):
        make_template(name="T")
        make_audience(2, name="all")
        db.session.commit()
    created = json.loads(
        run(
            app, "campaigns", "create", "--org", "clisched", "--name", "Later", "--template", "T",
            "--group", "all", "--from-email", "news@acme.example", "--json",
        ).stdout
    )  # fmt: skip
    cid = str(created["id"])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    scheduled = run(
        app, "campaigns", "schedule", cid, "--org", "clisched", "--at", tomorrow,
        "--timezone", "Asia/Tokyo", "--json",
    )  # fmt: skip
    assert scheduled.exit_code == 0, scheduled.output
    data = json.loads(scheduled.stdout)
    assert data["timezone"] == "Asia/Tokyo"
    assert datetime.fromisoformat(data["scheduled_at"]).utcoffset() is not None
    assert datetime.fromisoformat(data["scheduled_at"]).astimezone(UTC).hour == 0  # 09:00 JST

    not_yet = json.loads(run(app, "campaigns", "send-due", "--json").stdout)
    assert cid not in map(str, not_yet["started"])
    with tenant_context(org.id):
        db.session.execute(
            sa.update(Campaign)
            .values(scheduled_at=sa.func.now() - timedelta(minutes=1))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    due = json.loads(run(app, "campaigns", "send-due", "--json").stdout)
    assert int(cid) in due["started"]
    shown = json.loads(run(app, "campaigns", "show", cid, "--org", "clisched", "--json").stdout)
    assert shown["status"] == "sent" and shown["counts"]["sent"] == 2
    bad = run(app, "campaigns", "schedule", cid, "--org", "clisched", "--at", "soon")
    assert bad.exit_code == 2 and "ISO 8601" in bad.output
