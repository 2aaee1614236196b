"""Events of other domains become notifications for the members who care."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from blueprints.billing import services as billing
from blueprints.billing import signals as billing_signals
from blueprints.contacts import importing
from blueprints.notifications.models import Notification
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.factories import add_member, make_org


def inbox(org_id: int) -> list[tuple[int, str, str]]:
    with tenant_context(org_id):
        rows = db.session.execute(
            sa.select(Notification.user_id, Notification.type, Notification.title).order_by(
                Notification.id
            )
        )
        return [(uid, kind, title) for uid, kind, title in rows]


def test_finished_import_notifies_with_counts(session, tmp_path):
    org = make_org("importco")
    manager = add_member(org, "manager@importco.example", "campaign_manager").user_id
    csv = tmp_path / "people.csv"
    csv.write_text("email,first_name\nann@example.com,Ann\nnot-an-email,Bob\nbea@example.com,Bea\n")
    with tenant_context(org.id):
        record = importing.create_import(None, filename="people.csv", path=csv)
        importing.run_import(None, record.id)
        db.session.commit()
    notes = inbox(org.id)
    assert {kind for _, kind, _ in notes} == {"import.finished"}
    assert manager in {uid for uid, _, _ in notes}
    assert notes[0][2] == "Import of people.csv finished: 2 created, 0 updated, 1 not imported"


def test_plan_change_and_quota_thresholds_notify_owners_only(session):
    org = make_org("quotaco")
    admin = add_member(org, "admin@quotaco.example", "admin").user_id
    billing.operator_set_plan(None, org.id, "starter")
    db.session.commit()
    limit = billing.emails_used(org.id)[1]
    billing.record_usage(org.id, "batch-1", int(limit * 0.8))
    billing.record_usage(org.id, "batch-2", limit - int(limit * 0.8))
    db.session.commit()
    notes = inbox(org.id)
    kinds = [kind for _, kind, _ in notes]
    assert kinds == ["billing.plan_changed", "billing.quota_80", "billing.quota_100"]
    assert admin not in {uid for uid, _, _ in notes}
    assert notes[0][2].startswith("Your plan is now starter")
    assert "used up" in notes[2][2]


def test_payment_failure_says_when_sending_pauses(session):
    org = make_org("payco")
    billing_signals.payment_failed.send(
        org.id,
        invoice_id="in_1",
        amount_due=4900,
        currency="usd",
        hosted_invoice_url="https://pay.example/in_1",
        grace_ends_at=datetime(2026, 12, 3, tzinfo=UTC),
    )
    db.session.commit()
    [(_, kind, title)] = inbox(org.id)
    assert kind == "billing.payment_failed"
    assert title == "A payment of 49.00 USD failed"


def test_campaign_outcomes_notify_senders_and_automatic_pauses_only(session):
    from blueprints.analytics import signals as analytics_signals
    from blueprints.campaigns import signals as campaign_signals

    org = make_org("sendco")
    editor = add_member(org, "editor@sendco.example", "editor").user_id
    counts = {"recipients": 1200, "sent": 1190, "failed": 10, "skipped": 0}
    common = {"organization_id": org.id, "campaign_id": 7, "name": "Spring sale", "counts": counts}
    with tenant_context(org.id):
        campaign_signals.campaign_finished.send(7, **common)
        campaign_signals.campaign_paused.send(
            7, **common, reason="paused by a person", code="manual", automatic=False
        )
        campaign_signals.campaign_paused.send(
            7, **common, reason="too many errors", code="error_rate", automatic=True
        )
        analytics_signals.complaint_rate_exceeded.send(
            org.id,
            organization_id=org.id,
            rate=0.004,
            complaints=4,
            volume=1000,
            window_hours=24,
            threshold=0.003,
            paused_campaign_ids=[7],
        )
        db.session.commit()
    notes = inbox(org.id)
    assert [title for _, _, title in notes] == [
        "“Spring sale” was sent: 1,190 of 1,200 sent, 10 failed",
        "“Spring sale” was paused: too many errors",
        "Spam complaints at 0.40% over 24 hours (4 of 1,000)",
    ]
    assert editor not in {uid for uid, _, _ in notes}
