"""Events, engagement per recipient, campaign statistics and the complaint guard's state.

Sizing notes (bench/tracking.py): ``analytics_events`` is the one large table; it is
written in bulk by the flush of the tracking buffer and by the SendGrid webhook, and
carries four indexes: ``(organization_id, id)`` for the event list, ``(organization_id,
campaign_id, id)`` for a campaign's events, ``(organization_id, contact_id)`` for
erasure and the per-contact export, and the unique ``(organization_id,
provider_event_id)`` that makes every write idempotent (``sg_event_id`` for SendGrid, a
random id per tracking hit, one key per recipient for an unsubscription).

No foreign key points at another domain's tables (campaigns, recipients, contacts):
those tables are created by other migrations, and events outlive a deleted campaign
as aggregate history. The outgoing webhook tables live in ``outgoing/models.py`` and
are imported at the end so that ``load_models`` sees them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engagex.db import BigIntId, IdMixin, Json, TenantScoped, db

EVENT_TYPES = (
    "sent",
    "delivered",
    "deferred",
    "bounce",
    "dropped",
    "open",
    "click",
    "spamreport",
    "unsubscribe",
)

#: the counters of a campaign (and of each of its hours); see docs/analytics.md
COUNTERS = (
    "delivered",
    "deferred",
    "dropped",
    "bounces",
    "soft_bounces",
    "opens",
    "unique_opens",
    "machine_opens",
    "clicks",
    "unique_clicks",
    "machine_clicks",
    "complaints",
    "unsubscribes",
)

GUARD_LEVELS = ("ok", "warning", "exceeded")


def _in(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _org(primary_key: bool = False) -> Mapped[int]:
    """``organization_id`` without an index of its own: the table's composite indexes
    (or its primary key) lead with it."""
    return mapped_column(
        BigIntId,
        sa.ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
        autoincrement=False,
    )


def _counter() -> Mapped[int]:
    return mapped_column(sa.Integer, server_default="0", default=0, nullable=False)


class AnalyticsEvent(IdMixin, TenantScoped, db.Model):
    """One thing that happened to a sent message (see ``EVENT_TYPES``)."""

    __tablename__ = "analytics_events"
    __table_args__ = (
        _in("type", EVENT_TYPES),
        sa.UniqueConstraint("organization_id", "provider_event_id"),
        sa.Index("ix_analytics_events_organization_id_id", "organization_id", "id"),
        sa.Index(
            "ix_analytics_events_organization_id_campaign_id_id",
            "organization_id",
            "campaign_id",
            "id",
        ),
        sa.Index("ix_analytics_events_organization_id_contact_id", "organization_id", "contact_id"),
    )

    organization_id: Mapped[int] = _org()  # type: ignore[assignment]
    type: Mapped[str] = mapped_column(sa.String(16))
    campaign_id: Mapped[int | None] = mapped_column(BigIntId)
    recipient_id: Mapped[int | None] = mapped_column(BigIntId)
    contact_id: Mapped[int | None] = mapped_column(BigIntId)
    link_index: Mapped[int | None] = mapped_column(sa.Integer)
    #: a mail privacy proxy or a link scanner, not a person (``data["machine_reason"]``)
    machine: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false(), default=False)
    #: a coarse client family ("Gmail image proxy", "Chrome on Windows"), never the raw string
    user_agent: Mapped[str | None] = mapped_column(sa.String(100))
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    #: ``tracking``, ``sendgrid``, ``dsn`` (bounce mailbox), ``page`` (unsubscribe page)
    source: Mapped[str] = mapped_column(sa.String(16))
    provider_event_id: Mapped[str] = mapped_column(sa.String(100))
    #: type-specific details: bounce status and reason, clicked URL, machine reason
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict, server_default=sa.text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class RecipientActivity(TenantScoped, db.Model):
    """What one recipient did with one message: counters and times.

    Its counters going from 0 to more is what makes an event *unique* (first open,
    first click, first bounce...). The engagement segment conditions read it.
    """

    __tablename__ = "recipient_activity"
    __table_args__ = (
        sa.Index(
            "ix_recipient_activity_organization_id_contact_id", "organization_id", "contact_id"
        ),
        sa.Index(
            "ix_recipient_activity_organization_id_campaign_id", "organization_id", "campaign_id"
        ),
    )

    organization_id: Mapped[int] = _org()  # type: ignore[assignment]
    recipient_id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    campaign_id: Mapped[int] = mapped_column(BigIntId)
    contact_id: Mapped[int | None] = mapped_column(BigIntId)
    delivered: Mapped[int] = _counter()
    deferred: Mapped[int] = _counter()
    dropped: Mapped[int] = _counter()
    bounces: Mapped[int] = _counter()
    soft_bounces: Mapped[int] = _counter()
    opens: Mapped[int] = _counter()
    machine_opens: Mapped[int] = _counter()
    clicks: Mapped[int] = _counter()
    machine_clicks: Mapped[int] = _counter()
    complaints: Mapped[int] = _counter()
    unsubscribes: Mapped[int] = _counter()
    first_open_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_open_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_machine_open_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_click_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_machine_click_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RecipientLinkClick(TenantScoped, db.Model):
    """Human clicks of one recipient on one link (unique clicks per link)."""

    __tablename__ = "recipient_link_clicks"

    organization_id: Mapped[int] = _org(primary_key=True)  # type: ignore[assignment]
    recipient_id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    link_index: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    campaign_id: Mapped[int] = mapped_column(BigIntId)
    clicks: Mapped[int] = _counter()


class CampaignStats(TenantScoped, db.Model):
    """A campaign's counters, kept current by every write of events.

    ``sent`` mirrors the campaign's own counter (the pipeline records sends); unique
    counters count recipients, the others events. Machine opens and clicks are counted
    apart and never in ``opens``/``clicks``.
    """

    __tablename__ = "campaign_stats"

    campaign_id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    sent: Mapped[int] = _counter()
    delivered: Mapped[int] = _counter()
    deferred: Mapped[int] = _counter()
    dropped: Mapped[int] = _counter()
    bounces: Mapped[int] = _counter()
    soft_bounces: Mapped[int] = _counter()
    opens: Mapped[int] = _counter()
    unique_opens: Mapped[int] = _counter()
    machine_opens: Mapped[int] = _counter()
    clicks: Mapped[int] = _counter()
    unique_clicks: Mapped[int] = _counter()
    machine_clicks: Mapped[int] = _counter()
    complaints: Mapped[int] = _counter()
    unsubscribes: Mapped[int] = _counter()
    last_event_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )


class CampaignHourlyStats(TenantScoped, db.Model):
    """The same counters per campaign and UTC hour: timelines, the 30-day overview and
    the complaint guard's 24-hour window read these small rows, never the events."""

    __tablename__ = "campaign_hourly_stats"
    __table_args__ = (
        # The organization's window (overview, complaint guard) across its campaigns.
        sa.Index("ix_campaign_hourly_stats_organization_id_hour", "organization_id", "hour"),
    )

    organization_id: Mapped[int] = _org(primary_key=True)  # type: ignore[assignment]
    campaign_id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), primary_key=True)
    sent: Mapped[int] = _counter()
    delivered: Mapped[int] = _counter()
    deferred: Mapped[int] = _counter()
    dropped: Mapped[int] = _counter()
    bounces: Mapped[int] = _counter()
    soft_bounces: Mapped[int] = _counter()
    opens: Mapped[int] = _counter()
    unique_opens: Mapped[int] = _counter()
    machine_opens: Mapped[int] = _counter()
    clicks: Mapped[int] = _counter()
    unique_clicks: Mapped[int] = _counter()
    machine_clicks: Mapped[int] = _counter()
    complaints: Mapped[int] = _counter()
    unsubscribes: Mapped[int] = _counter()


class CampaignLinkStats(TenantScoped, db.Model):
    """Clicks per link of a campaign (the URL is the campaign's pinned link table)."""

    __tablename__ = "campaign_link_stats"

    organization_id: Mapped[int] = _org(primary_key=True)  # type: ignore[assignment]
    campaign_id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    link_index: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    clicks: Mapped[int] = _counter()
    unique_clicks: Mapped[int] = _counter()
    machine_clicks: Mapped[int] = _counter()


class ComplaintGuard(TenantScoped, db.Model):
    """The complaint guard's last judgement of an organization (one row each)."""

    __tablename__ = "complaint_guards"
    __table_args__ = (_in("level", GUARD_LEVELS),)

    organization_id: Mapped[int] = _org(primary_key=True)  # type: ignore[assignment]
    level: Mapped[str] = mapped_column(sa.String(12), server_default="ok")
    rate: Mapped[float] = mapped_column(sa.Float, server_default="0", default=0.0)
    complaints: Mapped[int] = _counter()
    volume: Mapped[int] = _counter()
    checked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    warned_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    exceeded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


from blueprints.analytics.outgoing.models import WebhookDelivery, WebhookEndpoint  # noqa: E402

__all__ = [
    "AnalyticsEvent",
    "CampaignHourlyStats",
    "CampaignLinkStats",
    "CampaignStats",
    "ComplaintGuard",
    "RecipientActivity",
    "RecipientLinkClick",
    "WebhookDelivery",
    "WebhookEndpoint",
]
