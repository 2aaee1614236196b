"""Contacts, custom field definitions, groups, segments, the suppression list and imports.

Indexes are chosen with the import and the segment figures in view (bench/contacts_import.py):

- ``contacts`` carries no single-column ``organization_id`` index: the live-email unique
  index and the ``(organization_id, id)`` keyset index both lead with it, and every extra
  index is paid on each imported row.
- ``contacts.organization_id`` is not a foreign key: PostgreSQL checks one row by row
  (a third of a fresh import's database time), and it guarded nothing the tenancy
  layer does not (every write names the current organization under row-level
  security; organizations are only soft-deleted). Migration 0011 dropped it.
- ``attributes`` has a GIN index with ``jsonb_path_ops`` on PostgreSQL: it serves the
  segment compiler's containment tests (``attributes @> {...}``) for equality and
  boolean conditions, and costs an import about a tenth of the default ``jsonb_ops``.
  SQLite gets an empty partial index of the same name so that one model describes both
  backends.
- ``email`` is compared byte-wise (``COLLATE "C"``) on PostgreSQL: addresses are
  normalised, so linguistic ordering buys nothing and costs every index probe.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from engagex.db import (
    Audited,
    BigIntId,
    IdMixin,
    Json,
    SoftDeleted,
    TenantScoped,
    Timestamped,
    db,
)

CONTACT_STATUSES = ("subscribed", "unsubscribed", "bounced", "complained")
FIELD_TYPES = ("text", "number", "date", "boolean")
SUPPRESSION_KINDS = ("email", "domain")
SUPPRESSION_REASONS = ("manual", "import", "bounce", "complaint", "unsubscribe")
IMPORT_MODES = ("upsert", "create", "update")
IMPORT_STATUSES = ("pending", "running", "completed", "failed")

EmailString = sa.String(320).with_variant(sa.String(320, collation="C"), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


class Contact(IdMixin, TenantScoped, Timestamped, SoftDeleted, db.Model):
    """One address of an organization; ``email`` is unique among its live contacts."""

    __tablename__ = "contacts"
    __table_args__ = (
        sa.Index(
            "uq_contacts_organization_id_email",
            "organization_id",
            "email",
            unique=True,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        ),
        sa.Index("ix_contacts_organization_id_id", "organization_id", "id"),
        sa.Index(
            "ix_contacts_attributes",
            "attributes",
            postgresql_using="gin",
            postgresql_ops={"attributes": "jsonb_path_ops"},
            sqlite_where=sa.text("0"),
        ),
        _in("status", CONTACT_STATUSES),
    )

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        # Neither indexed alone (both composite indexes above lead with it) nor a foreign
        # key (see the module's docstring).
        return mapped_column(BigIntId, nullable=False)

    email: Mapped[str] = mapped_column(EmailString)
    first_name: Mapped[str | None] = mapped_column(sa.String(200))
    last_name: Mapped[str | None] = mapped_column(sa.String(200))
    attributes: Mapped[dict[str, Any]] = mapped_column(
        Json, default=dict, server_default=sa.text("'{}'")
    )
    status: Mapped[str] = mapped_column(sa.String(16), server_default="subscribed")
    source: Mapped[str | None] = mapped_column(sa.String(32))
    consent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    consent_ip: Mapped[str | None] = mapped_column(sa.String(45))


class ContactField(IdMixin, TenantScoped, Timestamped, db.Model):
    """A custom attribute: its key in ``Contact.attributes`` and the type of its values."""

    __tablename__ = "contact_fields"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"), _in("type", FIELD_TYPES))

    name: Mapped[str] = mapped_column(sa.String(63))
    label: Mapped[str | None] = mapped_column(sa.String(200))
    type: Mapped[str] = mapped_column(sa.String(16))


class Group(IdMixin, TenantScoped, Audited, db.Model):
    """A list of contacts; membership is many-to-many (``GroupMember``)."""

    __tablename__ = "contact_groups"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.String(1000))


class GroupMember(TenantScoped, db.Model):
    __tablename__ = "contact_group_members"
    __table_args__ = (sa.Index("ix_contact_group_members_contact_id", "contact_id"),)

    group_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("contact_groups.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class Segment(IdMixin, TenantScoped, Audited, db.Model):
    """A saved condition tree (see ``blueprints.contacts.segments``)."""

    __tablename__ = "segments"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    definition: Mapped[dict[str, Any]] = mapped_column(Json)


class Suppression(IdMixin, TenantScoped, Timestamped, db.Model):
    """An address (``kind='email'``) or a whole domain that is never sent to."""

    __tablename__ = "suppressions"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "value"),
        _in("kind", SUPPRESSION_KINDS),
        _in("reason", SUPPRESSION_REASONS),
    )

    kind: Mapped[str] = mapped_column(sa.String(8))
    value: Mapped[str] = mapped_column(EmailString)
    reason: Mapped[str] = mapped_column(sa.String(16), server_default="manual")
    note: Mapped[str | None] = mapped_column(sa.String(500))


class Import(IdMixin, TenantScoped, Audited, db.Model):
    """One import run: its options, live progress, outcome and where its files are.

    Progress columns are written on a separate connection while the import's own
    transaction is open (so the API can show them); the outcome is written in that
    transaction, so it is committed exactly when the contacts are.
    """

    __tablename__ = "contact_imports"
    __table_args__ = (_in("status", IMPORT_STATUSES), _in("mode", IMPORT_MODES))

    status: Mapped[str] = mapped_column(sa.String(16), server_default="pending")
    mode: Mapped[str] = mapped_column(sa.String(8), server_default="upsert")
    filename: Mapped[str] = mapped_column(sa.String(255))
    path: Mapped[str | None] = mapped_column(sa.String(1024))
    group_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("contact_groups.id", ondelete="SET NULL")
    )
    options: Mapped[dict[str, Any]] = mapped_column(
        Json, default=dict, server_default=sa.text("'{}'")
    )
    file_format: Mapped[str | None] = mapped_column(sa.String(16))
    encoding: Mapped[str | None] = mapped_column(sa.String(32))
    delimiter: Mapped[str | None] = mapped_column(sa.String(4))
    columns: Mapped[dict[str, Any] | None] = mapped_column(Json)
    total_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    processed_rows: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    progress: Mapped[float] = mapped_column(sa.Float, server_default="0")
    rows_per_second: Mapped[float | None] = mapped_column(sa.Float)
    heartbeat_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    updated: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    unchanged: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    skipped: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    invalid: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    errors: Mapped[list[dict[str, Any]]] = mapped_column(
        Json, default=list, server_default=sa.text("'[]'")
    )
    rejected_path: Mapped[str | None] = mapped_column(sa.String(1024))
    error: Mapped[str | None] = mapped_column(sa.String(2000))
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


__all__ = [
    "CONTACT_STATUSES",
    "FIELD_TYPES",
    "Contact",
    "ContactField",
    "Group",
    "GroupMember",
    "Import",
    "Segment",
    "Suppression",
]
