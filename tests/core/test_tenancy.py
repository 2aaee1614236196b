"""Tenant isolation: automatic filtering, automatic org on insert, fail-closed, RLS."""

from __future__ import annotations

import psycopg.errors
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError

from blueprints.accounts.models import Membership, Organization, User
from engagex.db import db
from engagex.tenancy import (
    TenantContextMissing,
    TenantMismatch,
    current_org_id,
    system_scope,
    tenant_context,
)
from tests.factories import add_member, make_org


@pytest.fixture
def two_orgs(session):
    a, b = make_org("alpha"), make_org("beta")
    add_member(a, "ann@example.com")
    add_member(b, "bob@example.com")
    return a, b


def emails(rows: list[Membership]) -> set[str]:
    return {m.user.email for m in rows}


def test_reads_are_filtered_to_the_tenant(two_orgs):
    a, _ = two_orgs
    with tenant_context(a.id):
        assert emails(db.session.scalars(sa.select(Membership)).all()) == {
            "owner@alpha.example.com",
            "ann@example.com",
        }
        # Joins and aliases are filtered too, not only the top-level entity.
        joined = db.session.scalars(sa.select(User).join(Membership)).all()
        assert {u.email for u in joined} == {"owner@alpha.example.com", "ann@example.com"}
        # A filter that would match rows of both organizations only sees this one's.
        analysts = db.session.scalars(sa.select(Membership).where(Membership.role == "analyst"))
        assert emails(analysts.all()) == {"ann@example.com"}


def test_updates_and_deletes_are_filtered(two_orgs):
    a, b = two_orgs
    with tenant_context(a.id):
        db.session.execute(sa.update(Membership).values(role="editor"))
        db.session.execute(sa.delete(Membership).where(Membership.role == "editor"))
        db.session.commit()
    with tenant_context(b.id):
        assert sorted(m.role for m in db.session.scalars(sa.select(Membership))) == [
            "analyst",
            "owner",
        ]


def test_insert_takes_the_org_from_the_context(two_orgs):
    a, _ = two_orgs
    with tenant_context(a.id):
        user = db.session.scalars(sa.select(User).where(User.email == "bob@example.com")).one()
        member = Membership(user_id=user.id, role="editor")
        db.session.add(member)
        db.session.flush()
        assert member.organization_id == a.id


def test_writing_another_tenants_row_is_refused(two_orgs):
    a, b = two_orgs
    with tenant_context(a.id):
        user = db.session.scalars(sa.select(User).where(User.email == "bob@example.com")).one()
        db.session.add(Membership(user_id=user.id, role="editor", organization_id=b.id))
        with pytest.raises(TenantMismatch):
            db.session.flush()
    db.session.rollback()


def test_no_context_fails_closed(two_orgs):
    with pytest.raises(TenantContextMissing):
        db.session.scalars(sa.select(Membership)).all()
    with pytest.raises(TenantContextMissing):
        db.session.execute(sa.update(Membership).values(role="editor"))
    user = db.session.scalars(sa.select(User)).first()
    db.session.add(Membership(user_id=user.id, role="editor"))
    with pytest.raises(TenantContextMissing):
        db.session.flush()
    db.session.rollback()
    # A tenant table reached only through a join filters to nothing instead of leaking.
    assert db.session.scalars(sa.select(User).join(Membership)).all() == []


def test_system_scope_sees_every_tenant(two_orgs):
    a, b = two_orgs
    with system_scope():
        assert current_org_id() is None
        orgs = [m.organization_id for m in db.session.scalars(sa.select(Membership))]
        assert orgs.count(a.id) == 2 and orgs.count(b.id) == 2


def test_soft_deleted_rows_are_invisible_by_default(two_orgs):
    a, _ = two_orgs
    a.soft_delete()
    db.session.commit()
    slugs = set(db.session.scalars(sa.select(Organization.slug)))
    assert "alpha" not in slugs and "beta" in slugs
    everything = db.session.scalars(
        sa.select(Organization.slug).execution_options(include_deleted=True)
    )
    assert {"alpha", "beta"} <= set(everything)


def test_queries_run_as_a_role_row_level_security_applies_to(session):
    row = db.session.execute(
        sa.text(
            "SELECT current_user, r.rolsuper, r.rolbypassrls, "
            "(SELECT tableowner FROM pg_tables WHERE tablename = 'memberships') "
            "FROM pg_roles r WHERE r.rolname = current_user"
        )
    ).one()
    user, superuser, bypass, owner = row
    assert user == "engagex_app"
    assert not superuser and not bypass
    assert owner != user


def _raw(sql: str, **params):
    return db.session.connection().exec_driver_sql(sql, params or None)


def _clear_setting() -> None:
    _raw("SELECT set_config('engagex.org_id', '', true), set_config('engagex.scope', '', true)")


def test_rls_without_a_tenant_setting_sees_no_rows(two_orgs):
    a, b = two_orgs
    both = "SELECT count(*) FROM memberships WHERE organization_id IN (%(a)s, %(b)s)"
    with system_scope():
        db.session.execute(sa.select(1))
        assert _raw(both, a=a.id, b=b.id).scalar() == 4
    _clear_setting()
    assert _raw("SELECT count(*) FROM memberships").scalar() == 0
    assert _raw(both, a=a.id, b=b.id).scalar() == 0
    _raw("SELECT set_config('engagex.org_id', %(org)s, true)", org=str(a.id))
    assert _raw("SELECT count(*) FROM memberships").scalar() == 2


def test_rls_refuses_a_row_of_another_org(two_orgs):
    a, b = two_orgs
    _raw("SELECT set_config('engagex.org_id', %(org)s, true)", org=str(a.id))
    user_id = _raw("SELECT id FROM users WHERE email = 'bob@example.com'").scalar()
    nested = db.session.connection().begin_nested()
    with pytest.raises(ProgrammingError) as info:
        _raw(
            "INSERT INTO memberships (organization_id, user_id, role) VALUES (%(o)s, %(u)s, 'editor')",
            o=b.id,
            u=user_id,
        )
    assert isinstance(info.value.orig, psycopg.errors.InsufficientPrivilege)
    nested.rollback()


def test_every_tenant_table_has_forced_row_level_security(session):
    tables = _raw(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) "
        "FROM pg_class c JOIN information_schema.columns col "
        "ON col.table_name = c.relname AND col.column_name = 'organization_id' "
        "WHERE c.relkind = 'r' AND col.table_schema = 'public'"
    ).all()
    assert {t[0] for t in tables} >= {"memberships", "api_keys"}
    for name, enabled, forced, has_policy in tables:
        assert enabled and forced and has_policy, name
