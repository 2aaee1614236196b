"""billing: plans (seeded), subscriptions, usage meters, invoices, Stripe events

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-27 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engagex.tenancy import rls_policy_sql

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "billing_subscriptions",
    "billing_usage",
    "billing_usage_records",
    "billing_invoices",
)

# A frozen copy of the default catalog (blueprints/billing/catalog.py may change later;
# this migration must always insert the same rows).
PLANS = [
    {
        "code": "free",
        "name": "Free",
        "price_cents": 0,
        "email_quota": 1_000,
        "contact_limit": 500,
        "seats": 2,
        "features": {"sending_domains": 1, "api_access": True, "sso": False},
        "sort_order": 0,
    },
    {
        "code": "starter",
        "name": "Starter",
        "price_cents": 1_500,
        "email_quota": 15_000,
        "contact_limit": 2_500,
        "seats": 3,
        "features": {"sending_domains": 2, "api_access": True, "sso": False},
        "sort_order": 1,
    },
    {
        "code": "growth",
        "name": "Growth",
        "price_cents": 4_900,
        "email_quota": 75_000,
        "contact_limit": 10_000,
        "seats": 10,
        "features": {"sending_domains": 5, "api_access": True, "sso": False},
        "sort_order": 2,
    },
    {
        "code": "pro",
        "name": "Pro",
        "price_cents": 14_900,
        "email_quota": 300_000,
        "contact_limit": 50_000,
        "seats": 25,
        "features": {"sending_domains": 20, "api_access": True, "sso": True},
        "sort_order": 3,
    },
]


def _id() -> sa.Column:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def _org() -> sa.Column:
    return sa.Column(
        "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
    )


def _timestamps() -> list[sa.Column]:
    return [
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
    ]


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=op.f(f"fk_{table}_organization_id_organizations"),
        ondelete="CASCADE",
    )


def _org_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{table}_organization_id"), ["organization_id"], unique=False
        )


def upgrade():
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    plans = op.create_table(
        "billing_plans",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="usd", nullable=False),
        sa.Column("email_quota", sa.Integer(), nullable=False),
        sa.Column("contact_limit", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("features", json_type, server_default=sa.text("'{}'"), nullable=False),
        sa.Column("stripe_price_id", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        _id(),
        *_timestamps(),
        sa.CheckConstraint(
            "price_cents >= 0 AND email_quota >= 0 AND contact_limit >= 0 AND seats >= 1",
            name=op.f("ck_billing_plans_limits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_plans")),
        sa.UniqueConstraint("code", name=op.f("uq_billing_plans_code")),
        sa.UniqueConstraint("stripe_price_id", name=op.f("uq_billing_plans_stripe_price_id")),
    )
    op.create_table(
        "billing_stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=300), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_stripe_events")),
    )
    op.create_table(
        "billing_subscriptions",
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("billing_anchor", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("past_due_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_subscription_created", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stripe_state_at", sa.DateTime(timezone=True), nullable=True),
        _id(),
        _org(),
        *_timestamps(),
        sa.CheckConstraint(
            "status IN ('trialing', 'active', 'past_due', 'canceled')",
            name=op.f("ck_billing_subscriptions_status"),
        ),
        _org_fk("billing_subscriptions"),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["billing_plans.id"],
            name=op.f("fk_billing_subscriptions_plan_id_billing_plans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_subscriptions")),
        sa.UniqueConstraint(
            "organization_id", name=op.f("uq_billing_subscriptions_organization_id")
        ),
        sa.UniqueConstraint(
            "stripe_customer_id", name=op.f("uq_billing_subscriptions_stripe_customer_id")
        ),
        sa.UniqueConstraint(
            "stripe_subscription_id", name=op.f("uq_billing_subscriptions_stripe_subscription_id")
        ),
    )
    _org_index("billing_subscriptions")
    with op.batch_alter_table("billing_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_subscriptions_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "billing_usage",
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emails_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("threshold_notified", sa.SmallInteger(), server_default="0", nullable=False),
        _id(),
        _org(),
        *_timestamps(),
        sa.CheckConstraint("emails_sent >= 0", name=op.f("ck_billing_usage_emails_sent")),
        _org_fk("billing_usage"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_usage")),
        sa.UniqueConstraint(
            "organization_id",
            "period_start",
            name=op.f("uq_billing_usage_organization_id_period_start"),
        ),
    )
    _org_index("billing_usage")

    op.create_table(
        "billing_usage_records",
        sa.Column("operation_id", sa.String(length=200), nullable=False),
        sa.Column("emails", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        _id(),
        _org(),
        sa.CheckConstraint("emails > 0", name=op.f("ck_billing_usage_records_emails")),
        _org_fk("billing_usage_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_usage_records")),
        sa.UniqueConstraint(
            "organization_id",
            "operation_id",
            name=op.f("uq_billing_usage_records_organization_id_operation_id"),
        ),
    )
    _org_index("billing_usage_records")

    op.create_table(
        "billing_invoices",
        sa.Column("stripe_invoice_id", sa.String(length=255), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_due", sa.Integer(), nullable=False),
        sa.Column("amount_paid", sa.Integer(), nullable=False),
        sa.Column("hosted_invoice_url", sa.Text(), nullable=True),
        sa.Column("invoice_pdf", sa.Text(), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        _id(),
        _org(),
        *_timestamps(),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'uncollectible', 'void', 'paid')",
            name=op.f("ck_billing_invoices_status"),
        ),
        _org_fk("billing_invoices"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_invoices")),
        sa.UniqueConstraint(
            "stripe_invoice_id", name=op.f("uq_billing_invoices_stripe_invoice_id")
        ),
    )
    _org_index("billing_invoices")
    with op.batch_alter_table("billing_invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_billing_invoices_organization_id_issued_at",
            ["organization_id", "issued_at"],
            unique=False,
        )

    op.bulk_insert(plans, [{**plan, "currency": "usd", "is_active": True} for plan in PLANS])

    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            for statement in rls_policy_sql(table):
                op.execute(statement)


def downgrade():
    with op.batch_alter_table("billing_invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_invoices_organization_id_issued_at")
        batch_op.drop_index(batch_op.f("ix_billing_invoices_organization_id"))
    op.drop_table("billing_invoices")
    with op.batch_alter_table("billing_usage_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_usage_records_organization_id"))
    op.drop_table("billing_usage_records")
    with op.batch_alter_table("billing_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_usage_organization_id"))
    op.drop_table("billing_usage")
    with op.batch_alter_table("billing_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_subscriptions_plan_id"))
        batch_op.drop_index(batch_op.f("ix_billing_subscriptions_organization_id"))
    op.drop_table("billing_subscriptions")
    op.drop_table("billing_stripe_events")
    op.drop_table("billing_plans")
