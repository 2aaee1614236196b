"""contacts: no foreign key to organizations

Revision ID: 0011
Revises: 0010

``contacts`` is the one table written a million rows at a time, and PostgreSQL checks a
foreign key row by row (a lookup and a key-share lock on the organization): a third of
a fresh import's time in the database (bench/contacts_import.py). The key guarded
nothing the tenancy layer does not: every contact is written with the current
organization's id under the row-level-security policy, and organizations are only ever
soft-deleted, so its ``ON DELETE CASCADE`` never ran.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CONSTRAINT = "fk_contacts_organization_id_organizations"


def upgrade():
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(CONSTRAINT, type_="foreignkey")


def downgrade():
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_foreign_key(
            CONSTRAINT, "organizations", ["organization_id"], ["id"], ondelete="CASCADE"
        )
