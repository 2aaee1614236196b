"""Outgoing webhooks: the endpoints an organization registers and every delivery to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engagex.db import Audited, BigIntId, IdMixin, Json, TenantScoped, db

DELIVERY_STATUSES = ("pending", "retrying", "succeeded", "failed")


class WebhookEndpoint(IdMixin, TenantScoped, Audited, db.Model):
    """An HTTPS URL that receives the organization's events of ``event_types``."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (sa.Index("ix_webhook_endpoints_organization_id_id", "organization_id", "id"),)

    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    #: event type names, or ``["*"]`` for all of them
    event_types: Mapped[list[str]] = mapped_column(Json, default=list)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true(), default=True)
    #: the HMAC key of the signatures (shown once, at creation and rotation)
    secret: Mapped[str] = mapped_column(sa.String(100))
    #: after a rotation the old key still signs (a second ``v1=``) until this time
    previous_secret: Mapped[str | None] = mapped_column(sa.String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_failure_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class WebhookDelivery(IdMixin, TenantScoped, db.Model):
    """One event sent (or to be sent) to one endpoint: the delivery log.

    ``event_id`` is the event's id in the payload: a replay is a new delivery of the
    same event (same ``event_id``) so that receivers can deduplicate.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in DELIVERY_STATUSES)),
            name="status",
        ),
        sa.Index(
            "ix_webhook_deliveries_organization_id_endpoint_id_id",
            "organization_id",
            "endpoint_id",
            "id",
        ),
    )

    endpoint_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(sa.String(64))
    event_id: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(sa.String(12), server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    #: the start of the receiver's answer, or why there was none
    response_body: Mapped[str | None] = mapped_column(sa.String(1000))
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    replay_of_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("webhook_deliveries.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
