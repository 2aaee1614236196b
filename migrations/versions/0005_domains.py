"""sending domains

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engagex.tenancy import rls_policy_sql

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_VERIFIED = sa.text("status = 'verified'")


def upgrade():
    op.create_table(
        "sending_domains",
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("verification_token", sa.String(length=64), nullable=False),
        sa.Column("dkim_selector", sa.String(length=63), nullable=True),
        sa.Column("dkim_public_key", sa.Text(), nullable=True),
        sa.Column("dkim_private_key", sa.Text(), nullable=True),
        sa.Column(
            "records",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("updated_by_id", _ID, nullable=True),
        sa.CheckConstraint(
            "provider IN ('sendgrid', 'smtp')", name=op.f("ck_sending_domains_provider")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'verified', 'failed')", name=op.f("ck_sending_domains_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_sending_domains_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sending_domains_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_sending_domains_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sending_domains")),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_sending_domains_organization_id_name")
        ),
        sa.UniqueConstraint(
            "verification_token", name=op.f("uq_sending_domains_verification_token")
        ),
    )
    with op.batch_alter_table("sending_domains", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sending_domains_organization_id"), ["organization_id"], unique=False
        )
        # A name is verified by at most one organization (checked across tenants by the
        # service; this is the backstop no row-level-security policy can hide).
        batch_op.create_index(
            "uq_sending_domains_verified_name",
            ["name"],
            unique=True,
            postgresql_where=_VERIFIED,
            sqlite_where=_VERIFIED,
        )

    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_policy_sql("sending_domains"):
            op.execute(statement)


def downgrade():
    with op.batch_alter_table("sending_domains", schema=None) as batch_op:
        batch_op.drop_index("uq_sending_domains_verified_name")
        batch_op.drop_index(batch_op.f("ix_sending_domains_organization_id"))
    op.drop_table("sending_domains")
