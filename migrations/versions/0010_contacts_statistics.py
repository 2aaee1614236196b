"""contacts: statistics refreshed after bulk imports

Revision ID: 0010
Revises: 0003

The planner needs current statistics on ``contacts`` to read a page of a large
organization through its ``(organization_id, id)`` index; without them (a table that
grew by a big import since autovacuum last looked) it reads every contact of the
organization for each page. The application's role may not ``ANALYZE`` tables it does
not own, so the owner provides one ``SECURITY DEFINER`` function that does exactly that
and nothing else, callable by the application role only; autoanalyze also looks sooner.
"""

from alembic import op
from flask import current_app

revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    role = current_app.config["ENGAGEX_DB_APP_ROLE"]
    op.execute(
        "CREATE FUNCTION engagex_analyze_contacts() RETURNS void LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = pg_catalog, public AS "
        "$$ BEGIN ANALYZE contacts; ANALYZE contact_group_members; END $$"
    )
    op.execute("REVOKE ALL ON FUNCTION engagex_analyze_contacts() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION engagex_analyze_contacts() TO {role}")
    for table in ("contacts", "contact_group_members"):
        op.execute(f"ALTER TABLE {table} SET (autovacuum_analyze_scale_factor = 0.02)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("contacts", "contact_group_members"):
        op.execute(f"ALTER TABLE {table} RESET (autovacuum_analyze_scale_factor)")
    op.execute("DROP FUNCTION engagex_analyze_contacts()")
