"""Plan enforcement and usage metering: what other domains call before they act.

All functions take the organization id explicitly and work from any context (a request,
a job, ``system_scope()``). They flush, never commit. Refusals are ``AppError``s with
HTTP status 402 and a stable code, the numbers in ``details``:

- ``check_send_quota(org_id, recipients)`` before a campaign starts sending;
- ``record_usage(org_id, operation_id, emails)`` for every batch (idempotent per id);
- ``check_contact_limit(org_id, adding)`` / ``remaining_contacts(org_id)`` for imports;
- ``check_seats(org_id, adding)`` for invitations;
- ``sending_allowed(org_id)`` -> ``(allowed, reason)`` honouring the past-due grace;
- ``plan_feature`` / ``require_feature`` / ``check_feature_limit`` for plan flags.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from blueprints.billing import signals
from blueprints.billing.errors import (
    ContactLimitExceeded,
    FeatureNotInPlan,
    PlanLimitExceeded,
    QuotaExceeded,
    SeatLimitExceeded,
    SendingPaused,
)
from blueprints.billing.models import Subscription, UsageCounter, UsageRecord
from blueprints.billing.sources import count_contacts, count_seats, in_org
from blueprints.billing.state import current_period, get_subscription, grace_ends_at, now
from engagex.db import as_utc, db
from engagex.errors import ValidationFailed

log = logging.getLogger(__name__)


def _count(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed(f"{what} must be a non-negative integer, not {value!r}")
    return value


def _n(value: int) -> str:
    return f"{value:,}"


def _day(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%d")


# --- sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendingDecision:
    """``allowed, reason = sending_allowed(org_id)``; ``reason`` is a stable code or None.

    Codes: ``past_due_grace`` (allowed: a payment failed, the grace period runs until
    ``grace_ends_at``), ``payment_overdue`` (refused until an invoice is paid).
    """

    allowed: bool
    reason: str | None
    message: str = ""
    grace_ends_at: datetime | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.allowed, self.reason))


def decide_sending(sub: Subscription, at: datetime | None = None) -> SendingDecision:
    if sub.status != "past_due":
        return SendingDecision(True, None, "")
    ends = grace_ends_at(sub)
    if ends is not None and as_utc(at or now()) >= ends:
        return SendingDecision(
            False,
            "payment_overdue",
            f"Sending is paused: a payment has been overdue since {_day(sub.past_due_since)} "
            f"and the grace period ended on {_day(ends)}. Pay the open invoice (billing "
            "portal) to resume.",
            ends,
        )
    return SendingDecision(
        True,
        "past_due_grace",
        "A payment failed; sending continues until "
        f"{_day(ends) if ends else 'the payment is retried'} while it is retried.",
        ends,
    )


def sending_allowed(org_id: int, *, at: datetime | None = None) -> SendingDecision:
    """Whether the organization may send now (``at`` overrides the clock)."""
    return decide_sending(get_subscription(org_id), at)


def _refuse_if_paused(sub: Subscription, at: datetime | None = None) -> None:
    decision = decide_sending(sub, at)
    if not decision.allowed:
        raise SendingPaused(
            decision.message,
            details={
                "reason": decision.reason,
                "past_due_since": as_utc(sub.past_due_since).isoformat()
                if sub.past_due_since
                else None,
                "grace_ends_at": decision.grace_ends_at.isoformat()
                if decision.grace_ends_at
                else None,
            },
        )


# --- email quota --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaCheck:
    limit: int
    used: int
    requested: int
    remaining: int
    period_start: datetime
    period_end: datetime


def _counter(org_id: int, start: datetime, end: datetime, *, lock: bool) -> UsageCounter | None:
    stmt = (
        sa.select(UsageCounter)
        .where(UsageCounter.period_start == start)
        .execution_options(populate_existing=True)
    )
    if not lock:
        return db.session.scalars(stmt).one_or_none()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(UsageCounter)
        .values(organization_id=org_id, period_start=start, period_end=end, emails_sent=0)
        .on_conflict_do_nothing()
    )
    return db.session.scalars(stmt.with_for_update()).one()


def _quota_error(
    sub: Subscription, used: int, requested: int, start: datetime, end: datetime
) -> QuotaExceeded:
    limit = sub.plan.email_quota
    remaining = max(0, limit - used)
    return QuotaExceeded(
        f"This send needs {_n(requested)} emails but only "
        f"{_n(remaining)} of the {_n(limit)} monthly emails of the {sub.plan.name} plan are "
        f"left ({_n(used)} used; the quota renews on {_day(end)}). Upgrade the plan or "
        "send to fewer recipients.",
        details={
            "limit": limit,
            "used": used,
            "requested": requested,
            "remaining": remaining,
            "plan": sub.plan.code,
            "period_start": as_utc(start).isoformat(),
            "period_end": as_utc(end).isoformat(),
        },
    )


def check_send_quota(org_id: int, recipients: int) -> QuotaCheck:
    """Refuse (402 ``quota_exceeded``) unless ``recipients`` emails fit in what is left.

    Also refuses (402 ``sending_paused``) when a payment is overdue past the grace
    period. Call it before a campaign moves to sending; ``record_usage`` remains the
    hard guard per batch.
    """
    _count(recipients, "recipients")
    with in_org(org_id):
        sub = get_subscription(org_id)
        _refuse_if_paused(sub)
        start, end = current_period(sub)
        counter = _counter(org_id, start, end, lock=False)
        used = counter.emails_sent if counter else 0
        limit = sub.plan.email_quota
        if recipients > limit - used:
            raise _quota_error(sub, used, recipients, start, end)
        return QuotaCheck(limit, used, recipients, limit - used - recipients, start, end)


@dataclass(frozen=True)
class UsageRecorded:
    counted: bool  # False: this operation id was already metered (a retry)
    used: int
    limit: int


def record_usage(
    org_id: int, operation_id: str, emails: int, *, enforce: bool = True
) -> UsageRecorded:
    """Meter ``emails`` sent by one batch; a repeated ``operation_id`` counts once.

    With ``enforce`` (the default) the batch is refused, and nothing recorded, when it
    does not fit in the quota left or sending is paused: call it in the transaction that
    claims the batch, before delivering. Concurrent calls of one organization serialize
    on its usage row, so two campaigns can never overrun the quota together.
    """
    operation_id = (operation_id or "").strip()
    if not operation_id or len(operation_id) > 200:
        raise ValidationFailed("operation_id must have 1 to 200 characters")
    _count(emails, "emails")
    with in_org(org_id):
        sub = get_subscription(org_id)
        start, end = current_period(sub)
        counter = _counter(org_id, start, end, lock=True)
        assert counter is not None
        limit = sub.plan.email_quota
        seen = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UsageRecord)
            .where(UsageRecord.operation_id == operation_id)
        )
        if seen or emails == 0:
            return UsageRecorded(False, counter.emails_sent, limit)
        if enforce:
            _refuse_if_paused(sub)
            if counter.emails_sent + emails > limit:
                raise _quota_error(sub, counter.emails_sent, emails, start, end)
        db.session.add(UsageRecord(operation_id=operation_id, emails=emails, period_start=start))
        counter.emails_sent = counter.emails_sent + emails
        db.session.flush()
        _signal_thresholds(org_id, counter, limit)
        return UsageRecorded(True, counter.emails_sent, limit)


def _signal_thresholds(org_id: int, counter: UsageCounter, limit: int) -> None:
    used = counter.emails_sent
    percent = 100 if limit == 0 else used * 100 // limit
    crossed = [t for t in signals.QUOTA_THRESHOLDS if percent >= t > counter.threshold_notified]
    if not crossed:
        return
    # Only the highest: one batch jumping from 50 % to 100 % is one notice, not two.
    threshold = crossed[-1]
    counter.threshold_notified = threshold
    db.session.flush()
    signals.quota_threshold_reached.send(
        org_id, threshold=threshold, used=used, limit=limit, period_end=as_utc(counter.period_end)
    )


def emails_used(org_id: int) -> tuple[int, int, datetime, datetime]:
    """``(used, limit, period_start, period_end)`` of the current period."""
    with in_org(org_id):
        sub = get_subscription(org_id)
        start, end = current_period(sub)
        counter = _counter(org_id, start, end, lock=False)
        return (counter.emails_sent if counter else 0), sub.plan.email_quota, start, end


# --- contacts and seats -------------------------------------------------------------------


@dataclass(frozen=True)
class LimitCheck:
    limit: int
    used: int | None  # None: the contacts domain is not installed (unknown)
    adding: int
    remaining: int


def _serialize(kind: str, org_id: int) -> None:
    """Hold a per-organization lock until commit so concurrent checks cannot both pass."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite has a single writer.
    digest = hashlib.blake2b(f"engagex.billing.{kind}.{org_id}".encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def check_contact_limit(org_id: int, adding: int) -> LimitCheck:
    """Refuse (402 ``contact_limit_exceeded``) unless ``adding`` more contacts fit.

    Holds a per-organization lock until the transaction ends, so two imports cannot
    both take the last places. An import that may partly fit can ask
    ``remaining_contacts`` first and stop there.
    """
    _count(adding, "adding")
    with in_org(org_id):
        sub = get_subscription(org_id)
        _serialize("contacts", org_id)
        held = count_contacts(org_id)
        limit = sub.plan.contact_limit
        used = held or 0
        remaining = max(0, limit - used)
        if adding > remaining:
            raise ContactLimitExceeded(
                f"Adding {_n(adding)} contacts would exceed the {_n(limit)}-contact limit of "
                f"the {sub.plan.name} plan ({_n(used)} held, {_n(remaining)} left). Upgrade "
                "the plan or add fewer contacts.",
                details={
                    "limit": limit,
                    "held": held,
                    "adding": adding,
                    "remaining": remaining,
                    "plan": sub.plan.code,
                },
            )
        return LimitCheck(limit, held, adding, remaining - adding)


def remaining_contacts(org_id: int) -> int:
    """How many more contacts the plan allows now (the unknown count counts as 0)."""
    with in_org(org_id):
        sub = get_subscription(org_id)
        return max(0, sub.plan.contact_limit - (count_contacts(org_id) or 0))


def check_seats(org_id: int, adding: int = 1) -> LimitCheck:
    """Refuse (402 ``seat_limit_exceeded``) unless ``adding`` more members fit.

    Call it when inviting (``adding`` = 1 + pending invitations, so invitations cannot
    outnumber the free seats) and again when an invitation is accepted (``adding=1``).
    """
    _count(adding, "adding")
    with in_org(org_id):
        sub = get_subscription(org_id)
        _serialize("seats", org_id)
        used = count_seats(org_id)
        limit = sub.plan.seats
        remaining = max(0, limit - used)
        if adding > remaining:
            raise SeatLimitExceeded(
                f"The {sub.plan.name} plan has {_n(limit)} seats and {_n(used)} are taken; "
                f"adding {_n(adding)} would exceed it. Upgrade the plan or remove a member.",
                details={"limit": limit, "used": used, "adding": adding, "plan": sub.plan.code},
            )
        return LimitCheck(limit, used, adding, remaining - adding)


# --- plan features ------------------------------------------------------------------------


def plan_feature(org_id: int, name: str, default: Any = None) -> Any:
    """A feature flag or number of the organization's plan (``sending_domains``, ...)."""
    with in_org(org_id):
        return (get_subscription(org_id).plan.features or {}).get(name, default)


def require_feature(org_id: int, name: str) -> None:
    """Refuse (402 ``feature_not_in_plan``) unless the plan turns the feature on."""
    with in_org(org_id):
        plan = get_subscription(org_id).plan
        if not (plan.features or {}).get(name):
            raise FeatureNotInPlan(
                f"The {plan.name} plan does not include {name.replace('_', ' ')}.",
                details={"feature": name, "plan": plan.code},
            )


def check_feature_limit(org_id: int, name: str, used: int, adding: int = 1) -> None:
    """Refuse (402 ``plan_limit_exceeded``) when ``used + adding`` passes a numeric feature.

    E.g. ``check_feature_limit(org_id, "sending_domains", used=domains_count)``.
    """
    _count(used, "used")
    _count(adding, "adding")
    with in_org(org_id):
        plan = get_subscription(org_id).plan
        limit = int((plan.features or {}).get(name, 0))
        if used + adding > limit:
            raise PlanLimitExceeded(
                f"The {plan.name} plan allows {_n(limit)} {name.replace('_', ' ')} "
                f"({_n(used)} in use).",
                details={
                    "feature": name,
                    "limit": limit,
                    "used": used,
                    "adding": adding,
                    "plan": plan.code,
                },
            )
