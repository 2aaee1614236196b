"""Sending domains of an organization and the result of their last DNS check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engagex.db import Audited, IdMixin, Json, TenantScoped, db

STATUSES = ("pending", "verified", "failed")
PROVIDERS = ("sendgrid", "smtp")


def _in(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


_VERIFIED = sa.text("status = 'verified'")


class SendingDomain(IdMixin, TenantScoped, Audited, db.Model):
    """A domain an organization sends from, with the proof that it controls it.

    ``records`` holds the DNS records the organization must publish, each with the
    outcome of the last check (``{purpose, type, name, value, status, detail}``). The
    DKIM private key (``provider == "smtp"`` only) is stored encrypted with a key derived
    from ``SECRET_KEY`` (see ``blueprints.domains.keys``); it never leaves the process.

    A name may be *pending* in several organizations (anyone can start a claim), but it
    is *verified* in at most one: the partial unique index is the backstop of the check
    the service makes across tenants.
    """

    __tablename__ = "sending_domains"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name"),
        sa.Index(
            "uq_sending_domains_verified_name",
            "name",
            unique=True,
            postgresql_where=_VERIFIED,
            sqlite_where=_VERIFIED,
        ),
        _in("status", STATUSES),
        _in("provider", PROVIDERS),
    )

    name: Mapped[str] = mapped_column(sa.String(253))
    provider: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), server_default="pending")
    #: The ownership token published as TXT (160 random bits, hex).
    verification_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    dkim_selector: Mapped[str | None] = mapped_column(sa.String(63))
    #: base64 DER SubjectPublicKeyInfo, the ``p=`` of the published DKIM record.
    dkim_public_key: Mapped[str | None] = mapped_column(sa.Text)
    #: AES-GCM ciphertext of the PKCS#1 PEM private key (``v1:`` + base64).
    dkim_private_key: Mapped[str | None] = mapped_column(sa.Text)
    records: Mapped[list[dict[str, Any]]] = mapped_column(
        Json, default=list, server_default=sa.text("'[]'")
    )
    last_checked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<SendingDomain {self.id} {self.name} {self.status}>"
