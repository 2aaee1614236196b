"""Email templates, their immutable revisions, declared variables and test sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagex.db import (
    Audited,
    BigIntId,
    IdMixin,
    Json,
    SoftDeleted,
    TenantScoped,
    db,
)

KINDS = ("marketing", "transactional")


def _kind_check() -> sa.CheckConstraint:
    values = ", ".join(f"'{k}'" for k in KINDS)
    return sa.CheckConstraint(f"kind IN ({values})", name="kind")


class EmailTemplate(IdMixin, TenantScoped, Audited, SoftDeleted, db.Model):
    """The editable template; every content change is also saved as a revision."""

    __tablename__ = "email_templates"
    __table_args__ = (
        _kind_check(),
        # Names are unique among live templates (a deleted one frees its name).
        sa.Index(
            "uq_email_templates_organization_id_name",
            "organization_id",
            "name",
            unique=True,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        ),
        sa.Index("ix_email_templates_organization_id_updated_at", "organization_id", "updated_at"),
    )

    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), server_default="marketing")
    subject: Mapped[str] = mapped_column(sa.String(1000))
    preheader: Mapped[str | None] = mapped_column(sa.String(1000))
    html: Mapped[str] = mapped_column(sa.Text)
    mjml: Mapped[str | None] = mapped_column(sa.Text)
    text: Mapped[str | None] = mapped_column(sa.Text)
    from_name: Mapped[str | None] = mapped_column(sa.String(200))
    from_email: Mapped[str | None] = mapped_column(sa.String(320))
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    #: the starter it was created from, if any
    starter: Mapped[str | None] = mapped_column(sa.String(50))
    #: number of the latest revision
    version: Mapped[int] = mapped_column(sa.Integer, server_default="0")

    variables: Mapped[list[TemplateVariable]] = relationship(
        back_populates="template",
        order_by="TemplateVariable.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class TemplateVariable(IdMixin, TenantScoped, db.Model):
    """A variable the template declares: filled from the contact attribute of that name."""

    __tablename__ = "template_variables"
    __table_args__ = (sa.UniqueConstraint("organization_id", "template_id", "name"),)

    template_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("email_templates.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(64))
    default: Mapped[str | None] = mapped_column(sa.Text)
    required: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    description: Mapped[str | None] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(sa.Integer, server_default="0")

    template: Mapped[EmailTemplate] = relationship(back_populates="variables")


class TemplateRevision(IdMixin, TenantScoped, db.Model):
    """An immutable snapshot of a template's content; a campaign pins one by id."""

    __tablename__ = "template_revisions"
    __table_args__ = (
        _kind_check(),
        sa.UniqueConstraint("organization_id", "template_id", "number"),
    )

    template_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("email_templates.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(20))
    subject: Mapped[str] = mapped_column(sa.String(1000))
    preheader: Mapped[str | None] = mapped_column(sa.String(1000))
    html: Mapped[str] = mapped_column(sa.Text)
    mjml: Mapped[str | None] = mapped_column(sa.Text)
    text: Mapped[str | None] = mapped_column(sa.Text)
    from_name: Mapped[str | None] = mapped_column(sa.String(200))
    from_email: Mapped[str | None] = mapped_column(sa.String(320))
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    #: ``[{"name", "default", "required"}]`` as declared when this revision was saved
    variables: Mapped[list[dict[str, Any]]] = mapped_column(
        Json, default=list, server_default=sa.text("'[]'")
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    created_by_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )


@event.listens_for(TemplateRevision, "before_update")
def _revisions_are_immutable(mapper: Any, connection: Any, target: TemplateRevision) -> None:
    raise RuntimeError("a template revision is immutable; save the template to create one")


class TemplateTestSend(IdMixin, TenantScoped, db.Model):
    """Who sent a test of which revision to whom (audit, and the test-send rate limit)."""

    __tablename__ = "template_test_sends"
    __table_args__ = (
        sa.Index(
            "ix_template_test_sends_organization_id_created_at", "organization_id", "created_at"
        ),
    )

    template_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("email_templates.id", ondelete="CASCADE"), index=True
    )
    revision_id: Mapped[int] = mapped_column(
        BigIntId, sa.ForeignKey("template_revisions.id", ondelete="CASCADE"), index=True
    )
    recipients: Mapped[list[str]] = mapped_column(Json)
    recipient_count: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    created_by_id: Mapped[int | None] = mapped_column(
        BigIntId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
