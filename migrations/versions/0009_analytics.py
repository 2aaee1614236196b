"""analytics: events, engagement, campaign statistics, complaint guard, outgoing webhooks

Revision ID: 0009
Revises: 0001

No foreign key points at another domain's table (campaigns, recipients, contacts), so
this revision needs only the organizations and users of 0001.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engagex.tenancy import rls_policy_sql

revision = "0009"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

TENANT_TABLES = (
    "analytics_events",
    "campaign_hourly_stats",
    "campaign_link_stats",
    "campaign_stats",
    "complaint_guards",
    "recipient_activity",
    "recipient_link_clicks",
    "webhook_endpoints",
    "webhook_deliveries",
)


def upgrade():
    op.create_table(
        "analytics_events",
        sa.Column("organization_id", _ID, autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", _ID, nullable=True),
        sa.Column("recipient_id", _ID, nullable=True),
        sa.Column("contact_id", _ID, nullable=True),
        sa.Column("link_index", sa.Integer(), nullable=True),
        sa.Column("machine", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("user_agent", sa.String(length=100), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("provider_event_id", sa.String(length=100), nullable=False),
        sa.Column("data", _JSON, server_default=sa.text("'{}'"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "type IN ('sent', 'delivered', 'deferred', 'bounce', 'dropped', 'open', 'click', 'spamreport', 'unsubscribe')",
            name=op.f("ck_analytics_events_type"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_analytics_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_events")),
        sa.UniqueConstraint(
            "organization_id",
            "provider_event_id",
            name=op.f("uq_analytics_events_organization_id_provider_event_id"),
        ),
    )
    with op.batch_alter_table("analytics_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_events_organization_id_campaign_id_id",
            ["organization_id", "campaign_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_analytics_events_organization_id_contact_id",
            ["organization_id", "contact_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_analytics_events_organization_id_id", ["organization_id", "id"], unique=False
        )

    op.create_table(
        "campaign_hourly_stats",
        sa.Column("organization_id", _ID, autoincrement=False, nullable=False),
        sa.Column("campaign_id", _ID, autoincrement=False, nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("delivered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deferred", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dropped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("bounces", sa.Integer(), server_default="0", nullable=False),
        sa.Column("soft_bounces", sa.Integer(), server_default="0", nullable=False),
        sa.Column("opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unique_opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("machine_opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unique_clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("machine_clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complaints", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unsubscribes", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_campaign_hourly_stats_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "campaign_id", "hour", name=op.f("pk_campaign_hourly_stats")
        ),
    )
    with op.batch_alter_table("campaign_hourly_stats", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_hourly_stats_organization_id_hour",
            ["organization_id", "hour"],
            unique=False,
        )

    op.create_table(
        "campaign_link_stats",
        sa.Column("organization_id", _ID, autoincrement=False, nullable=False),
        sa.Column("campaign_id", _ID, autoincrement=False, nullable=False),
        sa.Column("link_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unique_clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("machine_clicks", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_campaign_link_stats_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "campaign_id", "link_index", name=op.f("pk_campaign_link_stats")
        ),
    )
    op.create_table(
        "campaign_stats",
        sa.Column("campaign_id", _ID, autoincrement=False, nullable=False),
        sa.Column("sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("delivered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deferred", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dropped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("bounces", sa.Integer(), server_default="0", nullable=False),
        sa.Column("soft_bounces", sa.Integer(), server_default="0", nullable=False),
        sa.Column("opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unique_opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("machine_opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unique_clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("machine_clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complaints", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unsubscribes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("organization_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_campaign_stats_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_stats")),
    )
    with op.batch_alter_table("campaign_stats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_stats_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "complaint_guards",
        sa.Column("organization_id", _ID, autoincrement=False, nullable=False),
        sa.Column("level", sa.String(length=12), server_default="ok", nullable=False),
        sa.Column("rate", sa.Float(), server_default="0", nullable=False),
        sa.Column("complaints", sa.Integer(), server_default="0", nullable=False),
        sa.Column("volume", sa.Integer(), server_default="0", nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exceeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "level IN ('ok', 'warning', 'exceeded')", name=op.f("ck_complaint_guards_level")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_complaint_guards_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_complaint_guards")),
    )
    op.create_table(
        "recipient_activity",
        sa.Column("organization_id", _ID, autoincrement=False, nullable=False),
        sa.Column("recipient_id", _ID, autoincrement=False, nullable=False),
        sa.Column("campaign_id", _ID, nullable=False),
        sa.Column("contact_id", _ID, nullable=True),
        sa.Column("delivered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deferred", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dropped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("bounces", sa.Integer(), server_default="0", nullable=False),
        sa.Column("soft_bounces", sa.Integer(), server_default="0", nullable=False),
        sa.Column("opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("machine_opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("machine_clicks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("complaints", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unsubscribes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_open_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_open_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_machine_open_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_click_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_machine_click_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_recipient_activity_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recipient_id", name=op.f("pk_recipient_activity")),
    )
    with op.batch_alter_table("recipient_activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recipient_activity_organization_id_campaign_id",
            ["organization_id", "campaign_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_recipient_activity_organization_id_contact_id",
            ["organization_id", "contact_id"],
            unique=False,
        )

    op.create_table(
        "recipient_link_clicks",
        sa.Column("organization_id", _ID, autoincrement=False, nullable=False),
        sa.Column("recipient_id", _ID, autoincrement=False, nullable=False),
        sa.Column("link_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", _ID, nullable=False),
        sa.Column("clicks", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_recipient_link_clicks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "recipient_id", "link_index", name=op.f("pk_recipient_link_clicks")
        ),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("event_types", _JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("previous_secret", sa.String(length=100), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_endpoints_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_endpoints_organization_id_id", ["organization_id", "id"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column("endpoint_id", _ID, nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("status", sa.String(length=12), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.String(length=1000), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("replay_of_id", _ID, nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'retrying', 'succeeded', 'failed')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_deliveries_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replay_of_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_deliveries_replay_of_id_webhook_deliveries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_organization_id_endpoint_id_id",
            ["organization_id", "endpoint_id", "id"],
            unique=False,
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            for statement in rls_policy_sql(table):
                op.execute(statement)


def downgrade():
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
