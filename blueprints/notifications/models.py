"""Notifications (per organization and user) and per-user channel preferences."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engagex.db import BigIntId, IdMixin, TenantScoped, Timestamped, db


class Notification(IdMixin, TenantScoped, Timestamped, db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The bell: newest first per user, and the unread count.
        sa.Index("ix_notifications_inbox", "organization_id", "user_id", "id"),
        sa.Index(
            "ix_notifications_unread",
            "organization_id",
            "user_id",
            postgresql_where=sa.text("read_at IS NULL"),
            sqlite_where=sa.text("read_at IS NULL"),
        ),
    )

    user_id: Mapped[int] = mapped_column(BigIntId, sa.ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, server_default="")
    #: A path inside the SPA, e.g. ``/campaigns/12``.
    link: Mapped[str | None] = mapped_column(sa.String(500))
    subject_type: Mapped[str | None] = mapped_column(sa.String(64))
    subject_id: Mapped[int | None] = mapped_column(BigIntId)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class NotificationPreference(IdMixin, Timestamped, db.Model):
    """A user's choice for one type and channel, in every organization they belong to.

    Only choices that differ from the type's default are stored.
    """

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "type", "channel"),)

    user_id: Mapped[int] = mapped_column(BigIntId, sa.ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(16))
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
