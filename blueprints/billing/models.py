"""Plans, the subscription of each organization, usage meters, invoices, Stripe events.

``billing_plans`` and ``billing_stripe_events`` are global (not tenant rows): plans are
the catalog every organization chooses from, and a Stripe event is deduplicated before
the organization it concerns is known.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagex.db import BigIntId, IdMixin, Json, TenantScoped, Timestamped, db

#: Our subscription states. Stripe's finer states are mapped onto these (see state.py).
STATUSES = ("trialing", "active", "past_due", "canceled")
#: Stripe invoice states, in the order an invoice moves through them.
INVOICE_STATUSES = ("draft", "open", "uncollectible", "void", "paid")


def _in(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


class Plan(IdMixin, Timestamped, db.Model):
    """A priced bundle of limits. Limits are per billing period (a month)."""

    __tablename__ = "billing_plans"
    __table_args__ = (
        sa.CheckConstraint(
            "price_cents >= 0 AND email_quota >= 0 AND contact_limit >= 0 AND seats >= 1",
            name="limits",
        ),
    )

    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    price_cents: Mapped[int] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3), server_default="usd")
    email_quota: Mapped[int] = mapped_column(sa.Integer)
    contact_limit: Mapped[int] = mapped_column(sa.Integer)
    seats: Mapped[int] = mapped_column(sa.Integer)
    #: e.g. {"sending_domains": 2, "api_access": true}; read with enforcement.plan_feature.
    features: Mapped[dict[str, Any]] = mapped_column(
        Json, default=dict, server_default=sa.text("'{}'")
    )
    #: The recurring Stripe Price sold by Checkout; without one, Checkout sends the
    #: price inline (price_data) and the plan is recognised by the subscription metadata.
    stripe_price_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    #: Offered for new checkouts (a retired plan keeps its subscribers).
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true(), default=True)
    sort_order: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)

    @property
    def purchasable(self) -> bool:
        return self.is_active and self.price_cents > 0


class Subscription(IdMixin, TenantScoped, Timestamped, db.Model):
    """The one subscription of an organization, created on first use on the Free plan.

    ``billing_anchor`` fixes the monthly periods (anchor + n months, clamped to the end
    of short months, as Stripe does); the ``stripe_*`` fields order Stripe's events
    (``stripe_state_at`` is the ``created`` time of the newest state applied).
    """

    __tablename__ = "billing_subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("organization_id"),
        _in("status", STATUSES, "status"),
    )

    plan_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("billing_plans.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(16))
    billing_anchor: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    current_period_start: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    current_period_end: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(
        sa.Boolean, server_default=sa.false(), default=False
    )
    past_due_since: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_subscription_created: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    stripe_state_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    plan: Mapped[Plan] = relationship(lazy="joined", innerjoin=True)


class UsageCounter(IdMixin, TenantScoped, Timestamped, db.Model):
    """Emails metered in one billing period of one organization (a row per period)."""

    __tablename__ = "billing_usage"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "period_start"),
        sa.CheckConstraint("emails_sent >= 0", name="emails_sent"),
    )

    period_start: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    period_end: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    emails_sent: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    #: The highest quota threshold (0, 80, 100) already signalled in this period.
    threshold_notified: Mapped[int] = mapped_column(sa.SmallInteger, server_default="0", default=0)


class UsageRecord(IdMixin, TenantScoped, db.Model):
    """One metered batch; ``operation_id`` makes a retried batch count once."""

    __tablename__ = "billing_usage_records"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "operation_id"),
        sa.CheckConstraint("emails > 0", name="emails"),
    )

    operation_id: Mapped[str] = mapped_column(sa.String(200))
    emails: Mapped[int] = mapped_column(sa.Integer)
    period_start: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class Invoice(IdMixin, TenantScoped, Timestamped, db.Model):
    """The billing history: a copy of each Stripe invoice of the organization."""

    __tablename__ = "billing_invoices"
    __table_args__ = (
        sa.Index("ix_billing_invoices_organization_id_issued_at", "organization_id", "issued_at"),
        _in("status", INVOICE_STATUSES, "status"),
    )

    stripe_invoice_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255))
    number: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount_due: Mapped[int] = mapped_column(sa.Integer)
    amount_paid: Mapped[int] = mapped_column(sa.Integer)
    hosted_invoice_url: Mapped[str | None] = mapped_column(sa.Text)
    invoice_pdf: Mapped[str | None] = mapped_column(sa.Text)
    period_start: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    period_end: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class StripeEvent(db.Model):
    """A Stripe event already processed (its id is Stripe's ``evt_...``)."""

    __tablename__ = "billing_stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    created: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(sa.String(300))
    processed_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
