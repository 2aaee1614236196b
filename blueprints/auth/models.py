"""Server-side sessions, single sign-on identities and second factors.

None of these rows belongs to an organization: they belong to a person, who may be a
member of several organizations (a session remembers which one is current).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engagex.db import BigIntId, IdMixin, Timestamped, db


class AuthSession(IdMixin, db.Model):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored.

    ``mfa_pending`` sessions only let their holder enter the second factor.
    """

    __tablename__ = "auth_sessions"

    user_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The organization the person currently works in (the SPA's org switcher).
    current_organization_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    method: Mapped[str] = mapped_column(sa.String(16))
    mfa_pending: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false(), default=False)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )
    last_seen_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class OidcIdentity(IdMixin, Timestamped, db.Model):
    """A person as known to an OpenID Connect issuer: (issuer, subject) is the identity."""

    __tablename__ = "oidc_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    issuer: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(sa.String(320))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class TotpCredential(IdMixin, Timestamped, db.Model):
    """A TOTP authenticator of a person; active once ``confirmed_at`` is set.

    The shared secret is encrypted with a key derived from SECRET_KEY.
    ``last_used_step`` makes every code usable once per 30-second time step.
    """

    __tablename__ = "mfa_totp"

    user_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    secret_encrypted: Mapped[str] = mapped_column(sa.Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_step: Mapped[int | None] = mapped_column(sa.BigInteger)


class RecoveryCode(IdMixin, db.Model):
    """A single-use code that replaces the authenticator (only its SHA-256 is stored)."""

    __tablename__ = "mfa_recovery_codes"

    user_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
