"""Stripe webhooks end to end: signed events from the fake drive the subscription."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.billing import services as billing
from blueprints.billing import signals
from blueprints.billing.errors import QuotaExceeded, SendingPaused
from blueprints.billing.models import StripeEvent
from engagex.db import db
from tests.billing.conftest import deliver, post_event
from tests.core.test_api import assert_error
from tests.factories import auth, make_key, make_org
from tests.support.stripe_fake import add_months, sign


@pytest.fixture
def org(session):
    return make_org()


@pytest.fixture
def owner(org):
    return auth(make_key(org, "owner"))


@pytest.fixture
def received():
    """Every billing signal sent during the test, as (name, sender, kwargs)."""
    log: list[tuple[str, int, dict]] = []
    names = ("plan_changed", "status_changed", "payment_failed", "quota_threshold_reached")

    def receiver_for(name):
        return lambda sender, **kw: log.append((name, sender, kw))

    receivers = {name: receiver_for(name) for name in names}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver)
    yield log
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def checkout(client, owner, plan="starter", operation_id=None):
    body = {"plan": plan} | ({"operation_id": operation_id} if operation_id else {})
    response = client.post("/api/v1/billing/checkout", json=body, headers=owner)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def view(client, owner):
    return client.get("/api/v1/billing/subscription", headers=owner).get_json()


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent))


def test_done_when(client, org, owner, stripe_fake, stripe_app, received, monkeypatch):
    """A Free organization hits its quota, upgrades through checkout, sends; a failed
    payment pauses sending after the grace period and a paid invoice resumes it."""
    billing.record_usage(org.id, "campaign-1:batch-1", 990)
    with pytest.raises(QuotaExceeded) as refused:
        billing.check_send_quota(org.id, 400)
    assert refused.value.details | {"period_start": 0, "period_end": 0} == {
        "limit": 1000,
        "used": 990,
        "requested": 400,
        "remaining": 10,
        "plan": "free",
        "period_start": 0,
        "period_end": 0,
    }

    events = stripe_fake.complete_checkout(checkout(client, owner, "starter"))
    outcomes = [body["outcome"] for body in deliver(client, events)]
    assert outcomes[0].startswith("applied:") and outcomes[0].endswith("active on starter")
    state = view(client, owner)
    assert (state["plan"]["code"], state["status"], state["managed_by"]) == (
        "starter",
        "active",
        "stripe",
    )
    assert (
        "plan_changed",
        org.id,
        {"old_plan": "free", "new_plan": "starter", "source": "stripe"},
    ) in received
    assert billing.check_send_quota(org.id, 400).limit == 15_000
    assert billing.record_usage(org.id, "campaign-2:batch-1", 400).counted

    # A forged event (signed with another secret) changes nothing.
    subscription = events[0]["data"]["object"]
    forged = stripe_fake.event(
        "customer.subscription.deleted", subscription | {"status": "canceled"}
    )
    before = event_count()
    assert_error(post_event(client, forged, secret="whsec_attacker"), 400, "invalid_signature")
    assert event_count() == before and view(client, owner)["plan"]["code"] == "starter"

    # The renewal payment fails: past due, still sending during the grace period.
    failed = stripe_fake.fail_payment(subscription["id"])
    deliver(client, failed)
    state = view(client, owner)
    assert state["status"] == "past_due" and state["sending_allowed"] is True
    assert state["sending_reason"] == "past_due_grace"
    failure = next(kw for name, _, kw in received if name == "payment_failed")
    assert (
        failure["amount_due"] == 1500
        and failure["grace_ends_at"] == billing.sending_allowed(org.id).grace_ends_at
    )
    grace_end = billing.sending_allowed(org.id).grace_ends_at
    assert not billing.sending_allowed(org.id, at=grace_end).allowed
    monkeypatch.setitem(stripe_app.config, "ENGAGEX_BILLING_GRACE_DAYS", 0)
    state = view(client, owner)
    assert state["sending_allowed"] is False and state["sending_reason"] == "payment_overdue"
    with pytest.raises(SendingPaused):
        billing.check_send_quota(org.id, 1)

    # The customer pays the open invoice: sending resumes.
    deliver(client, stripe_fake.pay_invoice(failed[0]["data"]["object"]["id"]))
    state = view(client, owner)
    assert (state["status"], state["sending_allowed"], state["past_due_since"]) == (
        "active",
        True,
        None,
    )
    assert billing.check_send_quota(org.id, 100).requested == 100
    statuses = [
        (kw["old_status"], kw["new_status"]) for n, _, kw in received if n == "status_changed"
    ]
    assert statuses == [("active", "past_due"), ("past_due", "active")]
    invoices = client.get("/api/v1/billing/invoices", headers=owner).get_json()["items"]
    assert [i["status"] for i in invoices] == ["paid", "paid"]


@pytest.mark.parametrize(
    "variant", ["wrong secret", "tampered body", "too old", "no header", "bad header", "not utf-8"]
)
def test_forged_or_stale_webhooks_write_nothing(
    client, org, owner, stripe_fake, stripe_app, variant
):
    events = stripe_fake.complete_checkout(checkout(client, owner))
    body = json.dumps(events[0]).encode()
    headers = {"Stripe-Signature": sign(body)}
    if variant == "wrong secret":
        headers["Stripe-Signature"] = sign(body, "whsec_other")
    elif variant == "tampered body":
        body = body.replace(b'"active"', b'"trialing"')
    elif variant == "too old":
        headers["Stripe-Signature"] = sign(body, timestamp=int(time.time()) - 301)
    elif variant == "no header":
        headers = {}
    elif variant == "bad header":
        headers["Stripe-Signature"] = "t=yesterday,v1=00"
    else:
        body = b"\xff\xfe" + body
    before = event_count()
    response = client.post(
        "/webhooks/stripe", data=body, content_type="application/json", headers=headers
    )
    error = assert_error(response, 400, "invalid_signature")
    assert error["message"].startswith("The ")
    assert event_count() == before
    assert view(client, owner)["plan"]["code"] == "free"


def test_a_signed_payload_that_is_not_an_event_is_refused(client, stripe_app):
    for body in [b"not json", b"[]", b'{"id": "evt_1", "type": "x"}']:
        response = post_event(client, {}, body=body)
        assert_error(response, 400, "invalid_event")


def test_webhooks_without_a_secret_are_refused(client, app):
    response = post_event(client, {"id": "evt_x"})
    assert_error(response, 503, "billing_not_configured")


def test_duplicate_events_are_applied_once(client, org, owner, stripe_fake, stripe_app, received):
    events = stripe_fake.complete_checkout(checkout(client, owner))
    deliver(client, events)
    failed = stripe_fake.fail_payment(events[0]["data"]["object"]["id"])
    deliver(client, failed)
    again = deliver(client, failed)
    assert [b["duplicate"] for b in again] == [True, True]
    assert [b["outcome"] for b in again] == ["duplicate", "duplicate"]
    assert len([1 for name, *_ in received if name == "payment_failed"]) == 1
    assert event_count() == 5


def test_out_of_order_events_never_regress(client, org, owner, stripe_fake, stripe_app, received):
    events = stripe_fake.complete_checkout(checkout(client, owner))
    sub_id = events[0]["data"]["object"]["id"]
    failed = stripe_fake.fail_payment(sub_id)
    paid = stripe_fake.pay_invoice(failed[0]["data"]["object"]["id"])
    # Newest first: the checkout reads the live subscription, then older news arrives.
    late = [paid[1], paid[0], events[2], failed[1], failed[0], events[1], events[0]]
    outcomes = [b["outcome"] for b in deliver(client, late)]
    assert "ignored: stale snapshot" in outcomes[3]
    assert outcomes[4] == f"ignored: invoice {failed[0]['data']['object']['id']} is already paid"
    state = view(client, owner)
    assert (state["plan"]["code"], state["status"]) == ("starter", "active")
    assert not [1 for name, *_ in received if name == "payment_failed"]


def test_a_canceled_subscription_stays_canceled(client, org, owner, stripe_fake, stripe_app):
    events = stripe_fake.complete_checkout(checkout(client, owner, "growth"))
    deliver(client, events)
    deliver(client, stripe_fake.cancel(events[0]["data"]["object"]["id"]))
    state = view(client, owner)
    assert (state["plan"]["code"], state["status"], state["managed_by"]) == (
        "free",
        "canceled",
        "manual",
    )
    assert state["sending_allowed"] is True
    # A late "updated: active" of the same subscription does not bring it back.
    stale = stripe_fake.event("customer.subscription.updated", events[0]["data"]["object"])
    assert deliver(client, [stale])[0]["outcome"].endswith("is already canceled")
    assert view(client, owner)["plan"]["code"] == "free"
    # A new checkout after the cancellation subscribes again.
    again = stripe_fake.complete_checkout(checkout(client, owner, "starter"))
    deliver(client, again)
    assert view(client, owner)["plan"]["code"] == "starter"


def test_an_older_subscription_never_replaces_a_newer_one(
    client, org, owner, stripe_fake, stripe_app
):
    first = checkout(client, owner, "starter", "a")
    second = checkout(client, owner, "growth", "b")
    older = stripe_fake.complete_checkout(first)
    newer = stripe_fake.complete_checkout(second)
    deliver(client, [newer[0], newer[1]])
    outcomes = [b["outcome"] for b in deliver(client, [older[0], older[1]])]
    assert "older than the current subscription" in outcomes[0]
    assert view(client, owner)["plan"]["code"] == "growth"


def test_portal_plan_switch_follows_the_price(client, org, owner, stripe_fake, stripe_app):
    starter, growth = stripe_fake.add_price(1500), stripe_fake.add_price(4900)
    billing.seed_plans(None, prices={"starter": starter, "growth": growth})
    db.session.commit()
    events = stripe_fake.complete_checkout(checkout(client, owner, "starter"))
    deliver(client, events)
    deliver(client, stripe_fake.change_price(events[0]["data"]["object"]["id"], growth))
    assert view(client, owner)["plan"]["code"] == "growth"


def test_an_unknown_price_fails_until_the_plan_knows_it(
    client, org, owner, stripe_fake, stripe_app
):
    events = stripe_fake.complete_checkout(checkout(client, owner, "starter"))
    deliver(client, events)
    sub_id = events[0]["data"]["object"]["id"]
    stripe_fake.subscriptions[sub_id]["metadata"] = {}  # made outside EngageX
    price = stripe_fake.add_price(14900)
    (switched,) = stripe_fake.change_price(sub_id, price)
    before = event_count()
    assert_error(post_event(client, switched), 422, "unknown_stripe_price")
    assert event_count() == before  # not recorded: Stripe will deliver it again
    billing.seed_plans(None, prices={"pro": price})
    db.session.commit()
    assert deliver(client, [switched])[0]["outcome"].endswith("on pro")


def test_events_of_unknown_customers_and_other_types_are_acknowledged(
    client, stripe_fake, stripe_app
):
    stranger = {
        "id": "sub_elsewhere",
        "object": "subscription",
        "customer": "cus_elsewhere",
        "status": "active",
        "created": 1,
        "items": {"data": []},
    }
    other = stripe_fake.event("customer.subscription.updated", stranger)
    unhandled = stripe_fake.event("charge.refunded", {"id": "ch_1", "object": "charge"})
    bodies = deliver(client, [other, unhandled])
    assert [b["outcome"] for b in bodies] == [
        "ignored: unknown customer",
        "acknowledged: not handled",
    ]


def test_checkout_of_another_organization_is_ignored(client, org, owner, stripe_fake, stripe_app):
    events = stripe_fake.complete_checkout(checkout(client, owner))
    completed = events[2]["data"]["object"] | {"client_reference_id": "999999"}
    forged = stripe_fake.event("checkout.session.completed", completed)
    assert deliver(client, [forged])[0]["outcome"] == (
        "ignored: client_reference_id does not match the customer"
    )
    assert view(client, owner)["plan"]["code"] == "free"


def test_a_late_renewal_webhook_still_starts_a_new_period(
    client, org, owner, stripe_fake, stripe_app
):
    from blueprints.billing.state import current_period, get_subscription

    events = stripe_fake.complete_checkout(checkout(client, owner))
    deliver(client, events)
    item = events[0]["data"]["object"]["items"]["data"][0]
    sub = get_subscription(org.id)
    start, end = current_period(sub)
    assert (int(start.timestamp()), int(end.timestamp())) == (
        item["current_period_start"],
        item["current_period_end"],
    )
    # The period ended and Stripe's renewal event has not arrived: the next period follows
    # the anchor, so the quota renews on time.
    later = current_period(sub, end + timedelta(hours=1))
    assert later[0] == end
    assert int(later[1].timestamp()) == add_months(item["current_period_start"], 2)
