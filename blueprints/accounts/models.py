"""Organizations (the tenants), users, memberships, invitations, API keys, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagex.db import BigIntId, IdMixin, Json, SoftDeleted, TenantScoped, Timestamped, db
from engagex.permissions import Role

ROLE_VALUES = tuple(r.value for r in Role)
INVITATION_STATUSES = ("pending", "accepted", "revoked", "expired", "all")


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
    #: Members must have multi-factor authentication to act in this organization.
    require_mfa: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false(), default=False)


class User(IdMixin, Timestamped, db.Model):
    """A person. ``password_hash`` is None for people who only sign in through SSO."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true(), default=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


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


class Invitation(IdMixin, TenantScoped, Timestamped, db.Model):
    """An emailed, signed, single-use offer to join the organization with a role.

    The emailed token is signed (it names this row) and carries a random nonce whose
    SHA-256 digest is stored here, so a token is worthless once the row is accepted,
    revoked or replaced.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        _role_check("role"),
        sa.Index("ix_invitations_organization_id_email", "organization_id", "email"),
    )

    email: Mapped[str] = mapped_column(sa.String(320))
    role: Mapped[str] = mapped_column(sa.String(32))
    nonce_hash: Mapped[str] = mapped_column(sa.String(64))
    invited_by_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def status(self) -> str:
        """``pending``, ``accepted``, ``revoked`` or ``expired``."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        expires = self.expires_at
        if expires.tzinfo is None:  # SQLite keeps no offset; the app stores UTC
            expires = expires.replace(tzinfo=UTC)
        return "expired" if expires <= datetime.now(UTC) else "pending"


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


class AuditEvent(IdMixin, TenantScoped, db.Model):
    """One security-relevant thing that happened in an organization (append-only).

    ``action`` is ``<domain>.<verb>`` (``auth.sign_in``, ``members.role_changed``); the
    target is named by type and id rather than a foreign key so the event outlives it.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_organization_id_id", "organization_id", "id"),
        sa.Index("ix_audit_events_organization_id_action", "organization_id", "action"),
    )

    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )
    action: Mapped[str] = mapped_column(sa.String(64))
    actor_kind: Mapped[str] = mapped_column(sa.String(16))
    actor_user_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    actor_api_key_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    #: A readable name of the actor at the time (an email or a key name).
    actor_label: Mapped[str | None] = mapped_column(sa.String(320))
    target_type: Mapped[str | None] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(
        Json, default=dict, server_default=sa.text("'{}'")
    )
