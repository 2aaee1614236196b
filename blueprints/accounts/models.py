"""Organizations (the tenants), users, memberships and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagex.db import BigIntId, IdMixin, Json, SoftDeleted, TenantScoped, Timestamped, db
from engagex.permissions import Role

ROLE_VALUES = tuple(r.value for r in Role)


def _role_check(name: str) -> sa.CheckConstraint:
    values = ", ".join(f"'{v}'" for v in ROLE_VALUES)
    return sa.CheckConstraint(f"role IN ({values})", name=name)


class Organization(IdMixin, Timestamped, SoftDeleted, db.Model):
    """A tenant. Not itself tenant-scoped: it *is* the scope."""

    __tablename__ = "organizations"

    slug: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    default_from_name: Mapped[str | None] = mapped_column(sa.String(200))
    default_from_email: Mapped[str | None] = mapped_column(sa.String(320))
    timezone: Mapped[str] = mapped_column(sa.String(64), server_default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(
        Json, default=dict, server_default=sa.text("'{}'")
    )


class User(IdMixin, Timestamped, db.Model):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())


class Membership(IdMixin, TenantScoped, Timestamped, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "user_id"),
        _role_check("role"),
    )

    user_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(32))

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class ApiKey(IdMixin, TenantScoped, Timestamped, db.Model):
    """A bearer credential of one organization with one role.

    Only a SHA-256 digest of the secret is stored (the secret has 256 random bits, so a
    slow hash buys nothing); ``prefix`` finds the row and is shown to tell keys apart.
    """

    __tablename__ = "api_keys"
    __table_args__ = (_role_check("role"),)

    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(32))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
