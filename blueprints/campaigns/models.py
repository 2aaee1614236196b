"""Campaigns, their batches and recipients, transactional messages, test sends.

Sizing notes (bench/campaign_send.py): ``campaign_recipients`` receives a whole audience
in one ``INSERT ... SELECT``, so it carries only what sending needs, two indexes besides
the primary key (``(organization_id, campaign_id, batch_no)`` to load a batch,
``(organization_id, contact_id)`` for erasure and per-contact history) and one foreign
key (``campaign_id``; the organization is reached through it). Its ``organization_id``
has no index and no foreign key of its own. Recipient ids are
globally unique: tracking tokens carry them (``blueprints.campaigns.links``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from engagex.db import Audited, BigIntId, IdMixin, Json, SoftDeleted, TenantScoped, db

STATUSES = ("draft", "scheduled", "sending", "paused", "sent", "cancelled", "failed")
BATCH_STATUSES = ("pending", "sending", "done", "cancelled")
RECIPIENT_STATUSES = ("queued", "sent", "failed", "skipped", "cancelled")
MESSAGE_STATUSES = ("queued", "sending", "sent", "failed")

EmailString = sa.String(320).with_variant(sa.String(320, collation="C"), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _when(condition: str) -> dict[str, Any]:
    clause = sa.text(condition)
    return {"postgresql_where": clause, "sqlite_where": clause}


class Campaign(IdMixin, TenantScoped, Audited, SoftDeleted, db.Model):
    """One send of a template revision to an audience; ``status`` moves only along the
    transitions of ``blueprints.campaigns.states``."""

    __tablename__ = "campaigns"
    __table_args__ = (
        _in("status", STATUSES),
        sa.Index("ix_campaigns_organization_id_id", "organization_id", "id"),
        sa.Index("ix_campaigns_organization_id_status", "organization_id", "status"),
        # ``send-due`` looks across organizations for the campaigns whose time has come.
        sa.Index("ix_campaigns_due", "scheduled_at", **_when("status = 'scheduled'")),
        sa.Index("ix_campaigns_sending", "last_activity_at", **_when("status = 'sending'")),
    )

    name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), server_default="draft")
    template_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("email_templates.id", ondelete="SET NULL")
    )
    #: the pinned revision; None while a draft follows the template's latest revision
    template_revision_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("template_revisions.id", ondelete="SET NULL")
    )
    subject: Mapped[str | None] = mapped_column(sa.String(1000))
    from_email: Mapped[str | None] = mapped_column(sa.String(320))
    from_name: Mapped[str | None] = mapped_column(sa.String(200))
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    group_ids: Mapped[list[int]] = mapped_column(Json, default=list, server_default=sa.text("'[]'"))
    segment_ids: Mapped[list[int]] = mapped_column(
        Json, default=list, server_default=sa.text("'[]'")
    )
    exclude_group_ids: Mapped[list[int]] = mapped_column(
        Json, default=list, server_default=sa.text("'[]'")
    )
    exclude_segment_ids: Mapped[list[int]] = mapped_column(
        Json, default=list, server_default=sa.text("'[]'")
    )
    #: addresses that receive the campaign first (batch 0), e.g. the team's inboxes
    seed_emails: Mapped[list[str]] = mapped_column(
        Json, default=list, server_default=sa.text("'[]'")
    )
    track_opens: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true(), default=True)
    track_clicks: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true(), default=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: IANA zone the schedule was given in (display only; ``scheduled_at`` is absolute)
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: why the campaign is paused or failed: a stable code and a sentence
    status_code: Mapped[str | None] = mapped_column(sa.String(64))
    status_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    #: the click table pinned when sending starts: link index -> original URL
    links: Mapped[list[str] | None] = mapped_column(Json)
    #: makes Message-IDs unique to this campaign (``<r{recipient}.{salt}@domain>``)
    message_salt: Mapped[str] = mapped_column(sa.String(16))
    batch_size: Mapped[int] = mapped_column(sa.Integer, server_default="1000")
    snapshot_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: counts every start/resume/restart, so runner job ids stay unique but idempotent
    run_generation: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    recipients_total: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    sent_count: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    failed_count: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    skipped_count: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    cancelled_count: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    #: the error-rate window: recent delivery attempts and failures (halved as it fills)
    window_attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    window_errors: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def counts(self) -> dict[str, int]:
        """Recipients by outcome; ``queued`` is what is left to send."""
        done = self.sent_count + self.failed_count + self.skipped_count + self.cancelled_count
        return {
            "recipients": self.recipients_total,
            "sent": self.sent_count,
            "failed": self.failed_count,
            "skipped": self.skipped_count,
            "cancelled": self.cancelled_count,
            "queued": max(self.recipients_total - done, 0),
        }


class CampaignBatch(IdMixin, TenantScoped, db.Model):
    """A slice of a campaign's recipients: the unit that is claimed, metered and
    recorded. A crash re-delivers at most the batch in flight."""

    __tablename__ = "campaign_batches"
    __table_args__ = (
        _in("status", BATCH_STATUSES),
        sa.UniqueConstraint("organization_id", "campaign_id", "number"),
    )

    campaign_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer)
    size: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12), server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    worker: Mapped[str | None] = mapped_column(sa.String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: a batch with deferred recipients waits until then (back-off)
    not_before: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    sent: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    failed: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    skipped: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    deferred: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))


class CampaignRecipient(TenantScoped, db.Model):
    """One address of a campaign's audience, as snapshotted, and its outcome."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        _in("status", RECIPIENT_STATUSES),
        sa.Index(
            "ix_campaign_recipients_organization_id_campaign_id_batch_no",
            "organization_id",
            "campaign_id",
            "batch_no",
        ),
        sa.Index(
            "ix_campaign_recipients_organization_id_contact_id", "organization_id", "contact_id"
        ),
    )

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        # Not indexed alone (both composite indexes lead with it), and no foreign key:
        # a snapshot of 1,000,000 rows would run a million key checks against
        # organizations (about 3 s); rows go with their organization through
        # ``campaign_id`` (campaigns -> organizations, both ON DELETE CASCADE).
        return mapped_column(BigIntId, nullable=False)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    #: the contact at snapshot time (None for a seed address that is no contact)
    contact_id: Mapped[int | None] = mapped_column(BigIntId)
    email: Mapped[str] = mapped_column(EmailString)
    batch_no: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12), server_default="queued")
    is_seed: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false(), default=False)
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, server_default="0", default=0)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class TransactionalMessage(IdMixin, TenantScoped, Audited, db.Model):
    """One template sent to one address through ``POST /api/v1/messages``."""

    __tablename__ = "transactional_messages"
    __table_args__ = (
        _in("status", MESSAGE_STATUSES),
        sa.UniqueConstraint("organization_id", "idempotency_key"),
        sa.Index("ix_transactional_messages_organization_id_id", "organization_id", "id"),
    )

    template_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("email_templates.id", ondelete="SET NULL")
    )
    revision_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("template_revisions.id", ondelete="SET NULL")
    )
    to_email: Mapped[str] = mapped_column(EmailString)
    to_name: Mapped[str | None] = mapped_column(sa.String(200))
    from_email: Mapped[str] = mapped_column(sa.String(320))
    from_name: Mapped[str | None] = mapped_column(sa.String(200))
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    subject: Mapped[str | None] = mapped_column(sa.String(1000))
    #: the render data: first_name, last_name, attributes
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict, server_default=sa.text("'{}'"))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(12), server_default="queued")
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    message_id: Mapped[str] = mapped_column(sa.String(255))
    provider_id: Mapped[str | None] = mapped_column(sa.String(255))
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class CampaignTestSend(IdMixin, TenantScoped, db.Model):
    """A test of a campaign: to whom, by whom (audit and the hourly limit)."""

    __tablename__ = "campaign_test_sends"
    __table_args__ = (
        sa.Index(
            "ix_campaign_test_sends_organization_id_created_at", "organization_id", "created_at"
        ),
    )

    campaign_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    recipients: Mapped[list[str]] = mapped_column(Json)
    recipient_count: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    created_by_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
