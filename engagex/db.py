"""Declarative base, constraint naming convention and the model mixins.

Every table gets deterministic constraint names so that migrations can drop and alter
them on every backend. Timestamps are filled by the database, never from an
import-time Python value.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# JSON everywhere, JSONB (indexable) on PostgreSQL.
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, disable_autonaming=True)


def utcnow() -> datetime:
    """The current time as the database sees it (server-side, timezone-aware)."""
    return db.session.execute(sa.select(sa.func.now())).scalar_one()


def as_utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime (SQLite hands back naive values, stored in UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class IdMixin:
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True),
        server_default=sa.func.now(),
        onupdate=sa.func.now(),
        nullable=False,
    )


class Audited(Timestamped):
    """Who created and last changed the row; filled from the tenant context's actor."""

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL"))


class SoftDeleted:
    """Rows are hidden from every ORM query once ``deleted_at`` is set.

    Pass ``execution_options(include_deleted=True)`` to see them (restores, audits).
    """

    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    def soft_delete(self) -> None:
        self.deleted_at = sa.func.now()


class TenantScoped:
    """A row that belongs to exactly one organization.

    ``organization_id`` is filled from the tenant context on insert and every ORM read is
    filtered by it (see ``engagex.tenancy``). Composite indexes must lead with it.
    """

    @declared_attr
    def organization_id(cls) -> Mapped[int]:
        return mapped_column(
            BigIntId,
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
