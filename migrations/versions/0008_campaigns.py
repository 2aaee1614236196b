"""campaigns: campaigns, batches, recipients, transactional messages, test sends

Revision ID: 0008
Revises: 0001 (depends on 0004: campaigns and messages reference template revisions)
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engagex.tenancy import rls_policy_sql

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = "0004"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_EMAIL = sa.String(length=320).with_variant(sa.String(length=320, collation="C"), "postgresql")
TABLES = (
    "campaigns",
    "transactional_messages",
    "campaign_batches",
    "campaign_recipients",
    "campaign_test_sends",
)


def upgrade():
    op.create_table(
        "campaigns",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("template_id", _ID, nullable=True),
        sa.Column("template_revision_id", _ID, nullable=True),
        sa.Column("subject", sa.String(length=1000), nullable=True),
        sa.Column("from_email", sa.String(length=320), nullable=True),
        sa.Column("from_name", sa.String(length=200), nullable=True),
        sa.Column("reply_to", sa.String(length=320), nullable=True),
        sa.Column("group_ids", _JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column("segment_ids", _JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column("exclude_group_ids", _JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column("exclude_segment_ids", _JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column("seed_emails", _JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column("track_opens", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("track_clicks", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_code", sa.String(length=64), nullable=True),
        sa.Column("status_reason", sa.String(length=2000), nullable=True),
        sa.Column("links", _JSON, nullable=True),
        sa.Column("message_salt", sa.String(length=16), nullable=False),
        sa.Column("batch_size", sa.Integer(), server_default="1000", nullable=False),
        sa.Column("snapshot_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_generation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("recipients_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sent_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("skipped_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cancelled_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("window_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("window_errors", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("updated_by_id", _ID, nullable=True),
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
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled', 'failed')",
            name=op.f("ck_campaigns_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_campaigns_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_campaigns_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["email_templates.id"],
            name=op.f("fk_campaigns_template_id_email_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_revision_id"],
            ["template_revisions.id"],
            name=op.f("fk_campaigns_template_revision_id_template_revisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_campaigns_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(
        "ix_campaigns_due",
        "campaigns",
        ["scheduled_at"],
        unique=False,
        postgresql_where=sa.text("status = 'scheduled'"),
        sqlite_where=sa.text("status = 'scheduled'"),
    )
    op.create_index(
        op.f("ix_campaigns_organization_id"), "campaigns", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_campaigns_organization_id_id", "campaigns", ["organization_id", "id"], unique=False
    )
    op.create_index(
        "ix_campaigns_organization_id_status",
        "campaigns",
        ["organization_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_campaigns_sending",
        "campaigns",
        ["last_activity_at"],
        unique=False,
        postgresql_where=sa.text("status = 'sending'"),
        sqlite_where=sa.text("status = 'sending'"),
    )
    op.create_table(
        "transactional_messages",
        sa.Column("template_id", _ID, nullable=True),
        sa.Column("revision_id", _ID, nullable=True),
        sa.Column("to_email", _EMAIL, nullable=False),
        sa.Column("to_name", sa.String(length=200), nullable=True),
        sa.Column("from_email", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=True),
        sa.Column("reply_to", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=1000), nullable=True),
        sa.Column("data", _JSON, server_default=sa.text("'{}'"), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=12), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("updated_by_id", _ID, nullable=True),
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
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')",
            name=op.f("ck_transactional_messages_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_transactional_messages_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_transactional_messages_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["template_revisions.id"],
            name=op.f("fk_transactional_messages_revision_id_template_revisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["email_templates.id"],
            name=op.f("fk_transactional_messages_template_id_email_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_transactional_messages_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactional_messages")),
        sa.UniqueConstraint(
            "organization_id",
            "idempotency_key",
            name=op.f("uq_transactional_messages_organization_id_idempotency_key"),
        ),
    )
    op.create_index(
        op.f("ix_transactional_messages_organization_id"),
        "transactional_messages",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        "ix_transactional_messages_organization_id_id",
        "transactional_messages",
        ["organization_id", "id"],
        unique=False,
    )
    op.create_table(
        "campaign_batches",
        sa.Column("campaign_id", _ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("skipped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deferred", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'done', 'cancelled')",
            name=op.f("ck_campaign_batches_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_batches_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_campaign_batches_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_batches")),
        sa.UniqueConstraint(
            "organization_id",
            "campaign_id",
            "number",
            name=op.f("uq_campaign_batches_organization_id_campaign_id_number"),
        ),
    )
    op.create_index(
        op.f("ix_campaign_batches_campaign_id"), "campaign_batches", ["campaign_id"], unique=False
    )
    op.create_index(
        op.f("ix_campaign_batches_organization_id"),
        "campaign_batches",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "campaign_recipients",
        sa.Column("organization_id", _ID, nullable=False),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("campaign_id", _ID, nullable=False),
        sa.Column("contact_id", _ID, nullable=True),
        sa.Column("email", _EMAIL, nullable=False),
        sa.Column("batch_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="queued", nullable=False),
        sa.Column("is_seed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed', 'skipped', 'cancelled')",
            name=op.f("ck_campaign_recipients_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipients")),
    )
    op.create_index(
        "ix_campaign_recipients_organization_id_campaign_id_batch_no",
        "campaign_recipients",
        ["organization_id", "campaign_id", "batch_no"],
        unique=False,
    )
    op.create_index(
        "ix_campaign_recipients_organization_id_contact_id",
        "campaign_recipients",
        ["organization_id", "contact_id"],
        unique=False,
    )
    op.create_table(
        "campaign_test_sends",
        sa.Column("campaign_id", _ID, nullable=False),
        sa.Column("recipients", _JSON, nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_test_sends_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_campaign_test_sends_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_campaign_test_sends_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_test_sends")),
    )
    op.create_index(
        op.f("ix_campaign_test_sends_campaign_id"),
        "campaign_test_sends",
        ["campaign_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_campaign_test_sends_organization_id"),
        "campaign_test_sends",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        "ix_campaign_test_sends_organization_id_created_at",
        "campaign_test_sends",
        ["organization_id", "created_at"],
        unique=False,
    )

    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            for statement in rls_policy_sql(table):
                op.execute(statement)


def downgrade():
    op.drop_index(
        "ix_campaign_test_sends_organization_id_created_at", table_name="campaign_test_sends"
    )
    op.drop_index(op.f("ix_campaign_test_sends_organization_id"), table_name="campaign_test_sends")
    op.drop_index(op.f("ix_campaign_test_sends_campaign_id"), table_name="campaign_test_sends")
    op.drop_table("campaign_test_sends")
    op.drop_index(
        "ix_campaign_recipients_organization_id_contact_id", table_name="campaign_recipients"
    )
    op.drop_index(
        "ix_campaign_recipients_organization_id_campaign_id_batch_no",
        table_name="campaign_recipients",
    )
    op.drop_table("campaign_recipients")
    op.drop_index(op.f("ix_campaign_batches_organization_id"), table_name="campaign_batches")
    op.drop_index(op.f("ix_campaign_batches_campaign_id"), table_name="campaign_batches")
    op.drop_table("campaign_batches")
    op.drop_index(
        "ix_transactional_messages_organization_id_id", table_name="transactional_messages"
    )
    op.drop_index(
        op.f("ix_transactional_messages_organization_id"), table_name="transactional_messages"
    )
    op.drop_table("transactional_messages")
    op.drop_index(
        "ix_campaigns_sending",
        table_name="campaigns",
        postgresql_where=sa.text("status = 'sending'"),
        sqlite_where=sa.text("status = 'sending'"),
    )
    op.drop_index("ix_campaigns_organization_id_status", table_name="campaigns")
    op.drop_index("ix_campaigns_organization_id_id", table_name="campaigns")
    op.drop_index(op.f("ix_campaigns_organization_id"), table_name="campaigns")
    op.drop_index(
        "ix_campaigns_due",
        table_name="campaigns",
        postgresql_where=sa.text("status = 'scheduled'"),
        sqlite_where=sa.text("status = 'scheduled'"),
    )
    op.drop_table("campaigns")
