"""The subscription of an organization: creation, periods, plan and status changes, and
how a Stripe subscription snapshot is applied without ever regressing to older state.

Stripe delivers events at least once and in any order. A subscription snapshot (from an
event or from the API) is applied only if it is not older than what is stored, compared
by ``(current period start, event time, status rank)``; a canceled subscription stays
canceled; a snapshot of another subscription replaces the stored one only if that
subscription is newer.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from blueprints.billing import signals
from blueprints.billing.catalog import find_plan, free_plan, plan_for_price
from blueprints.billing.models import Plan, Subscription
from blueprints.billing.periods import from_timestamp, period_at
from blueprints.billing.sources import in_org, organization_info
from engagex.db import as_utc, db, utcnow
from engagex.errors import AppError, ValidationFailed
from engagex.tenancy import system_scope

log = logging.getLogger(__name__)

#: Stripe subscription status -> ours. ``unpaid`` and ``paused`` (no payment collected)
#: count as past due; ``incomplete*`` (first payment never made) is not applied at all.
STRIPE_STATUS = {
    "trialing": "trialing",
    "active": "active",
    "past_due": "past_due",
    "unpaid": "past_due",
    "paused": "past_due",
    "canceled": "canceled",
}
#: Breaks ties between snapshots of the same second: later in the lifecycle wins.
STATUS_RANK = {"trialing": 1, "active": 2, "past_due": 3, "canceled": 4}
LIVE = ("trialing", "active", "past_due")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UnknownStripePrice(AppError):
    """A Stripe subscription whose price matches no plan: fix the catalog, Stripe retries."""

    status = 422
    code = "unknown_stripe_price"


def now() -> datetime:
    return as_utc(utcnow())


def grace_days() -> int:
    """Days of sending a ``past_due`` organization keeps (``ENGAGEX_BILLING_GRACE_DAYS``)."""
    raw = current_app.config.get("ENGAGEX_BILLING_GRACE_DAYS", 7)
    try:
        days = int(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            f"ENGAGEX_BILLING_GRACE_DAYS must be an integer, not {raw!r}"
        ) from exc
    return max(0, days)


def grace_ends_at(sub: Subscription) -> datetime | None:
    if sub.status != "past_due" or sub.past_due_since is None:
        return None
    return as_utc(sub.past_due_since) + timedelta(days=grace_days())


# --- the subscription row ---------------------------------------------------------------


def _insert_ignoring_conflict(values: dict[str, Any]) -> None:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(Subscription).values(**values).on_conflict_do_nothing())


def get_subscription(org_id: int, *, lock: bool = False) -> Subscription:
    """The organization's subscription, created on the Free plan on first use.

    ``lock`` takes a row lock until the transaction ends (serializes metering).
    """
    with in_org(org_id):
        # populate_existing: a long transaction (a sending job) must see the state other
        # transactions committed meanwhile (a paid invoice), not its identity map's copy.
        stmt = (
            sa.select(Subscription)
            .where(Subscription.organization_id == org_id)
            .execution_options(populate_existing=True)
        )
        if lock:
            stmt = stmt.with_for_update(of=Subscription)
        sub = db.session.scalars(stmt).one_or_none()
        if sub is None:
            anchor = as_utc(organization_info(org_id).created_at)
            start, end = period_at(anchor, now())
            # Two first requests may race: the unique organization_id keeps one row.
            _insert_ignoring_conflict(
                {
                    "organization_id": org_id,
                    "plan_id": free_plan().id,
                    "status": "active",
                    "billing_anchor": anchor,
                    "current_period_start": start,
                    "current_period_end": end,
                }
            )
            sub = db.session.scalars(stmt).one()
        return sub


def current_period(sub: Subscription, at: datetime | None = None) -> tuple[datetime, datetime]:
    """The billing period in force at ``at`` (default now).

    The stored period is Stripe's (or ours); outside it (a late renewal webhook, the
    Free plan's next months) the periods follow the anchor.
    """
    at = as_utc(at or now())
    start, end = as_utc(sub.current_period_start), as_utc(sub.current_period_end)
    if start <= at < end:
        return start, end
    # Over (no renewal recorded yet), or not begun (a renewal stamped by a clock ahead of
    # ours): the period the anchor gives for ``at``.
    return period_at(sub.billing_anchor, at)


def set_plan(sub: Subscription, plan: Plan, source: str) -> bool:
    """Put ``sub`` on ``plan``; emits ``plan_changed`` when it really changes."""
    old = sub.plan.code if sub.plan is not None else None
    if sub.plan_id == plan.id:
        return False
    sub.plan = plan
    sub.plan_id = plan.id
    db.session.flush()
    log.info(
        "billing: organization %s plan %s -> %s (%s)", sub.organization_id, old, plan.code, source
    )
    signals.plan_changed.send(sub.organization_id, old_plan=old, new_plan=plan.code, source=source)
    return True


def set_status(sub: Subscription, status: str, at: datetime) -> bool:
    """Change the status; ``past_due_since`` starts the grace period at ``at``."""
    old = sub.status
    if old == status:
        return False
    sub.status = status
    sub.past_due_since = as_utc(at) if status == "past_due" else None
    db.session.flush()
    log.info("billing: organization %s status %s -> %s", sub.organization_id, old, status)
    signals.status_changed.send(sub.organization_id, old_status=old, new_status=status)
    return True


# --- Stripe snapshots -------------------------------------------------------------------


def find_by_stripe_ids(customer_id: str | None, subscription_id: str | None) -> Subscription | None:
    """The subscription a Stripe object belongs to, across organizations (webhooks)."""
    conditions = []
    if customer_id:
        conditions.append(Subscription.stripe_customer_id == customer_id)
    if subscription_id:
        conditions.append(Subscription.stripe_subscription_id == subscription_id)
    if not conditions:
        return None
    with system_scope():
        # Locked until commit: two events of one organization apply one after the other.
        return db.session.scalars(
            sa.select(Subscription)
            .where(sa.or_(*conditions))
            .with_for_update(of=Subscription)
            .execution_options(populate_existing=True)
        ).first()


def stripe_period(obj: dict[str, Any]) -> tuple[datetime, datetime] | None:
    """The current period of a Stripe subscription (on its items since API 2025-03-31)."""
    for item in (obj.get("items") or {}).get("data") or []:
        start, end = item.get("current_period_start"), item.get("current_period_end")
        if start and end:
            return from_timestamp(start), from_timestamp(end)  # type: ignore[return-value]
    start, end = obj.get("current_period_start"), obj.get("current_period_end")
    if start and end:
        return from_timestamp(start), from_timestamp(end)  # type: ignore[return-value]
    return None


def plan_of(obj: dict[str, Any]) -> Plan | None:
    """The plan a Stripe subscription pays for: by Price id, Price lookup key, metadata."""
    for item in (obj.get("items") or {}).get("data") or []:
        price = item.get("price") or {}
        plan = plan_for_price(price.get("id"))
        if plan is None and price.get("lookup_key"):
            plan = find_plan(str(price["lookup_key"]))
        if plan is not None and plan.price_cents > 0:
            return plan
    code = (obj.get("metadata") or {}).get("plan_code")
    plan = find_plan(str(code)) if code else None
    return plan if plan is not None and plan.price_cents > 0 else None


def _is_stale(
    sub: Subscription, period: tuple[datetime, datetime] | None, clock: datetime, status: str
) -> bool:
    if sub.stripe_state_at is None:
        return False
    incoming = ((period or (_EPOCH,))[0], clock, STATUS_RANK[status])
    stored = (
        as_utc(sub.current_period_start),
        as_utc(sub.stripe_state_at),
        STATUS_RANK[sub.status],
    )
    return incoming < stored


def apply_stripe_subscription(
    sub: Subscription, obj: dict[str, Any], clock: datetime, *, force: bool = False
) -> str:
    """Apply a Stripe subscription snapshot taken at ``clock``; returns what happened.

    ``force`` (a sync that just read the live state from the API) skips the ordering
    checks; a subscription that never got paid (``incomplete``) is still not applied.
    """
    sid = str(obj.get("id") or "")
    raw_status = str(obj.get("status") or "")
    status = STRIPE_STATUS.get(raw_status)
    created = from_timestamp(obj.get("created")) or clock
    period = stripe_period(obj)
    current = sub.stripe_subscription_id
    if current != sid:
        if status is None or status == "canceled":
            return f"ignored: {sid} ({raw_status}) is not the current subscription"
        live = current is not None and sub.status != "canceled"
        if (
            live
            and not force
            and sub.stripe_subscription_created is not None
            and created < as_utc(sub.stripe_subscription_created)
        ):
            return f"ignored: {sid} is older than the current subscription {current}"
        if live:
            log.warning(
                "billing: organization %s has two live subscriptions (%s, %s); following the newer",
                sub.organization_id,
                current,
                sid,
            )
    else:
        if sub.status == "canceled" and not force:
            return f"ignored: {sid} is already canceled"
        if status is None:
            return f"ignored: {sid} is {raw_status}"
        if not force and _is_stale(sub, period, clock, status):
            return f"ignored: stale snapshot of {sid}"

    if status == "canceled":
        plan = free_plan()
        ended = from_timestamp(obj.get("ended_at")) or clock
        anchor = ended
        start, end = period_at(anchor, ended)
    else:
        found = plan_of(obj)
        if found is None:
            raise UnknownStripePrice(
                f"Stripe subscription {sid} pays a price no plan knows; attach it with "
                "'engagex billing seed-plans --price CODE=PRICE_ID'",
                details={"subscription": sid},
            )
        plan = found
        anchor = from_timestamp(obj.get("billing_cycle_anchor")) or (period or (created,))[0]
        start, end = period or period_at(anchor, clock)

    sub.stripe_subscription_id = sid
    sub.stripe_subscription_created = created
    sub.billing_anchor = anchor
    sub.current_period_start = start
    sub.current_period_end = end
    sub.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    stored_clock = as_utc(sub.stripe_state_at) if sub.stripe_state_at else clock
    sub.stripe_state_at = max(stored_clock, clock)
    set_plan(sub, plan, "stripe")
    set_status(sub, status, clock)
    db.session.flush()  # inside the caller's tenant context (row-level security)
    return f"applied: {sid} {raw_status} on {plan.code}"


def advance_clock(sub: Subscription, clock: datetime) -> None:
    stored = as_utc(sub.stripe_state_at) if sub.stripe_state_at else clock
    sub.stripe_state_at = max(stored, clock)
    db.session.flush()


def is_stale_event(sub: Subscription, clock: datetime) -> bool:
    return sub.stripe_state_at is not None and clock < as_utc(sub.stripe_state_at)
