"""Plan enforcement and metering as the campaign pipeline, imports and invitations use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from blueprints.billing import services as billing
from blueprints.billing import signals, sources
from blueprints.billing.errors import (
    ContactLimitExceeded,
    FeatureNotInPlan,
    PlanLimitExceeded,
    QuotaExceeded,
    SeatLimitExceeded,
    SendingPaused,
)
from blueprints.billing.models import Subscription, UsageRecord
from blueprints.billing.periods import add_months, period_at
from blueprints.billing.state import get_subscription, now
from engagex.db import db
from engagex.tenancy import system_scope, tenant_context
from tests.factories import add_member, make_org


@pytest.fixture
def org(session):
    return make_org()


def test_a_new_organization_is_on_the_free_plan(org):
    sub = get_subscription(org.id)
    assert (sub.plan.code, sub.status) == ("free", "active")
    start, end = sub.current_period_start, sub.current_period_end
    assert start <= now() < end and add_months(start, 1) == end
    again = get_subscription(org.id)
    assert again.id == sub.id  # created once


def test_quota_refusal_carries_the_numbers(org, app):
    assert billing.record_usage(org.id, "campaign-1:batch-1", 900).counted
    check = billing.check_send_quota(org.id, 100)
    assert (check.limit, check.used, check.remaining) == (1000, 900, 0)
    with pytest.raises(QuotaExceeded) as refused:
        billing.check_send_quota(org.id, 250)
    error = refused.value
    assert error.status == 402 and error.code == "quota_exceeded"
    assert {k: error.details[k] for k in ("limit", "used", "requested", "remaining", "plan")} == {
        "limit": 1000,
        "used": 900,
        "requested": 250,
        "remaining": 100,
        "plan": "free",
    }
    assert "250 emails" in error.message and "only 100 of the 1,000" in error.message
    # Every boundary renders it as the one JSON error body, with status 402.
    with app.test_request_context():
        response = app.handle_user_exception(error)
    assert response.status_code == 402
    assert response.get_json()["code"] == "quota_exceeded"
    assert response.get_json()["details"]["remaining"] == 100


def test_usage_is_idempotent_per_operation_id(org):
    first = billing.record_usage(org.id, "c7:b1", 300)
    retry = billing.record_usage(org.id, "c7:b1", 300)
    assert first.counted and not retry.counted
    assert retry.used == 300
    billing.record_usage(org.id, "c7:b2", 200)
    assert billing.usage(None, org.id)["emails"] == {
        "used": 500,
        "limit": 1000,
        "remaining": 500,
        "percent": 50,
    }
    with tenant_context(org.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UsageRecord)) == 2


def test_a_batch_over_the_quota_is_refused_and_not_recorded(org):
    billing.record_usage(org.id, "b1", 990)
    with pytest.raises(QuotaExceeded) as refused:
        billing.record_usage(org.id, "b2", 20)
    assert refused.value.details["remaining"] == 10
    assert billing.usage(None, org.id)["emails"]["used"] == 990
    # Metering after delivery (enforce=False) records what really went out.
    assert billing.record_usage(org.id, "b2", 20, enforce=False).used == 1010


def test_bad_usage_input_is_a_validation_error(org):
    from engagex.errors import ValidationFailed

    for args in [("", 1), ("x" * 201, 1), ("ok", -1), ("ok", True)]:
        with pytest.raises(ValidationFailed):
            billing.record_usage(org.id, *args)
    assert not billing.record_usage(org.id, "zero", 0).counted


def test_thresholds_are_signalled_once_each(org):
    seen = []

    def receiver(sender, **kwargs):
        seen.append((sender, kwargs["threshold"], kwargs["used"], kwargs["limit"]))

    with signals.quota_threshold_reached.connected_to(receiver):
        billing.record_usage(org.id, "a", 700)
        billing.record_usage(org.id, "b", 100)  # 80 %
        billing.record_usage(org.id, "c", 50)
        billing.record_usage(org.id, "d", 150)  # 100 %
        billing.record_usage(org.id, "e", 10, enforce=False)
    assert seen == [(org.id, 80, 800, 1000), (org.id, 100, 1000, 1000)]


def test_one_batch_jumping_past_both_thresholds_signals_only_100(org):
    seen = []
    with signals.quota_threshold_reached.connected_to(lambda s, **kw: seen.append(kw["threshold"])):
        billing.record_usage(org.id, "all", 1000)
    assert seen == [100]


def test_a_new_period_starts_from_zero(org):
    billing.record_usage(org.id, "old", 1000)
    with pytest.raises(QuotaExceeded):
        billing.check_send_quota(org.id, 1)
    with tenant_context(org.id):
        sub = db.session.scalars(sa.select(Subscription)).one()
        # Move the anchor two months back: the stored period is over, the next one began.
        sub.billing_anchor = sub.billing_anchor - timedelta(days=62)
        sub.current_period_start = sub.billing_anchor
        sub.current_period_end = add_months(sub.billing_anchor, 1)
        db.session.flush()
    assert billing.check_send_quota(org.id, 1000).used == 0
    # The old batch id is still known: a late retry of it does not count in the new period.
    assert not billing.record_usage(org.id, "old", 1000).counted


def test_periods_follow_the_anchor_and_clamp_short_months():
    anchor = datetime(2026, 1, 31, 10, tzinfo=UTC)
    assert period_at(anchor, datetime(2026, 2, 15, tzinfo=UTC)) == (
        anchor,
        datetime(2026, 2, 28, 10, tzinfo=UTC),
    )
    assert period_at(anchor, datetime(2026, 3, 15, tzinfo=UTC)) == (
        datetime(2026, 2, 28, 10, tzinfo=UTC),
        datetime(2026, 3, 31, 10, tzinfo=UTC),
    )
    assert period_at(anchor, datetime(2026, 3, 31, 10, tzinfo=UTC))[0] == datetime(
        2026, 3, 31, 10, tzinfo=UTC
    )
    assert add_months(datetime(2028, 1, 30, tzinfo=UTC), 1).day == 29  # leap year


def test_seats_limit_invitations(org):
    assert billing.check_seats(org.id).remaining == 0  # owner + 1 of 2 seats
    add_member(org, "second@example.com")
    with pytest.raises(SeatLimitExceeded) as refused:
        billing.check_seats(org.id)
    assert refused.value.status == 402
    assert refused.value.details == {"limit": 2, "used": 2, "adding": 1, "plan": "free"}
    billing.operator_set_plan(None, org.id, "starter")
    assert billing.check_seats(org.id).remaining == 0


def test_contact_limit_with_a_known_count(org, monkeypatch):
    monkeypatch.setattr("blueprints.billing.enforcement.count_contacts", lambda org_id: 450)
    assert billing.check_contact_limit(org.id, 50).remaining == 0
    with pytest.raises(ContactLimitExceeded) as refused:
        billing.check_contact_limit(org.id, 51)
    assert refused.value.details == {
        "limit": 500,
        "held": 450,
        "adding": 51,
        "remaining": 50,
        "plan": "free",
    }
    assert "51 contacts" in refused.value.message and "450 held, 50 left" in refused.value.message


def test_contact_count_degrades_clearly_without_the_contacts_domain(org, monkeypatch):
    monkeypatch.setattr(sources, "_contact_model", lambda: None)
    assert sources.count_contacts(org.id) is None
    meters = billing.usage(None, org.id)
    assert meters["contacts"] == {"used": None, "limit": 500, "remaining": None, "percent": None}
    assert billing.check_contact_limit(org.id, 500).used is None
    with pytest.raises(ContactLimitExceeded):
        billing.check_contact_limit(org.id, 501)


def test_contact_count_uses_the_contacts_domain_when_installed(org):
    model = sources._contact_model()
    count = sources.count_contacts(org.id)
    assert (count is None) == (model is None)
    if count is not None:
        assert count == 0


def test_past_due_grace_then_paused(org, app, monkeypatch):
    failed_at = now() - timedelta(days=1)
    with tenant_context(org.id):
        sub = get_subscription(org.id)
        sub.status, sub.past_due_since = "past_due", failed_at
        db.session.flush()
    allowed, reason = billing.sending_allowed(org.id)
    assert (allowed, reason) == (True, "past_due_grace")
    assert billing.check_send_quota(org.id, 10).requested == 10
    assert billing.record_usage(org.id, "before", 10).counted
    late = failed_at + timedelta(days=7, seconds=1)
    decision = billing.sending_allowed(org.id, at=late)
    assert (decision.allowed, decision.reason) == (False, "payment_overdue")
    assert decision.grace_ends_at == failed_at + timedelta(days=7)
    monkeypatch.setitem(app.config, "ENGAGEX_BILLING_GRACE_DAYS", 1)
    assert tuple(billing.sending_allowed(org.id)) == (False, "payment_overdue")
    with pytest.raises(SendingPaused) as paused:
        billing.check_send_quota(org.id, 10)
    assert paused.value.status == 402 and paused.value.code == "sending_paused"
    with pytest.raises(SendingPaused):
        billing.record_usage(org.id, "after", 10)
    # A retry of a batch metered before the pause is acknowledged, not refused.
    assert not billing.record_usage(org.id, "before", 10).counted


def test_plan_features(org):
    assert billing.plan_feature(org.id, "sending_domains") == 1
    billing.check_feature_limit(org.id, "sending_domains", used=0)
    with pytest.raises(PlanLimitExceeded) as refused:
        billing.check_feature_limit(org.id, "sending_domains", used=1)
    assert refused.value.code == "plan_limit_exceeded" and refused.value.details["limit"] == 1
    with pytest.raises(FeatureNotInPlan):
        billing.require_feature(org.id, "sso")
    billing.operator_set_plan(None, org.id, "pro")
    billing.require_feature(org.id, "sso")


def test_enforcement_works_from_a_system_job_and_stays_in_its_tenant(session):
    first, second = make_org(), make_org()
    with system_scope():
        billing.record_usage(first.id, "op", 10)
        billing.record_usage(second.id, "op", 20)  # same id, other organization
    assert billing.usage(None, first.id)["emails"]["used"] == 10
    assert billing.usage(None, second.id)["emails"]["used"] == 20
