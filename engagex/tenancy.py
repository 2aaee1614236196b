"""The tenant context and its automatic enforcement.

A boundary (API request, CLI command, job) opens a context with ``tenant_context(org_id)``
before it touches tenant data. Inside it, every ORM read, update and delete of a
``TenantScoped`` model is filtered to that organization and new rows get its id. Outside
any context, touching a tenant model raises ``TenantContextMissing``: code that really
works across organizations (cron, webhooks resolving the tenant) says so with
``system_scope()``.

On PostgreSQL the same context is copied into the transaction-local settings
``engagex.org_id`` / ``engagex.scope`` that the row-level-security policies read
(``rls_policy_sql``), so raw SQL is confined too and a forgotten filter fails closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import (
    ORMExecuteState,
    Session,
    UOWTransaction,
    scoped_session,
    with_loader_criteria,
)

from engagex.db import Audited, SoftDeleted, TenantScoped


class TenantContextMissing(RuntimeError):
    """A tenant model was touched with no tenant context and no ``system_scope()``."""


class TenantMismatch(RuntimeError):
    """A row of one organization was written under another organization's context."""


@dataclass(frozen=True, slots=True)
class Scope:
    org_id: int | None = None
    user_id: int | None = None
    system: bool = False


# Scope is frozen, so sharing one default instance is safe.
_scope: ContextVar[Scope] = ContextVar("engagex_tenant_scope", default=Scope())  # noqa: B039


def current_scope() -> Scope:
    return _scope.get()


def current_org_id() -> int | None:
    return _scope.get().org_id


def require_org_id() -> int:
    org_id = _scope.get().org_id
    if org_id is None:
        raise TenantContextMissing("this operation needs a tenant context")
    return org_id


@contextmanager
def tenant_context(org_id: int, user_id: int | None = None) -> Iterator[Scope]:
    """Confine everything inside to ``org_id``; ``user_id`` stamps audited rows."""
    if not isinstance(org_id, int) or isinstance(org_id, bool):
        raise TypeError(f"org_id must be an int, got {org_id!r}")
    token = _scope.set(Scope(org_id=org_id, user_id=user_id))
    try:
        yield _scope.get()
    finally:
        _scope.reset(token)


@contextmanager
def system_scope() -> Iterator[Scope]:
    """Explicitly work across all organizations (cron, webhooks, admin commands)."""
    token = _scope.set(Scope(system=True, user_id=_scope.get().user_id))
    try:
        yield _scope.get()
    finally:
        _scope.reset(token)


# --- ORM enforcement -------------------------------------------------------------------


def _is_tenant(mapper: sa.orm.Mapper) -> bool:
    return issubclass(mapper.class_, TenantScoped)


@event.listens_for(Session, "do_orm_execute")
def _filter_orm_statements(state: ORMExecuteState) -> None:
    if state.is_select or state.is_update or state.is_delete:
        scope = _scope.get()
        if not scope.system:
            org_id = scope.org_id
            if org_id is None:
                # A column refresh of an object already loaded is allowed through;
                # on PostgreSQL RLS still hides it when no tenant setting is present.
                top_level_tenant = any(_is_tenant(m) for m in state.all_mappers)
                if top_level_tenant and not state.is_column_load:
                    raise TenantContextMissing(
                        "query on a tenant model outside tenant_context()/system_scope()"
                    )
            # org_id None matches nothing (the column is NOT NULL): tenant tables that
            # appear only in joins or subqueries fail closed without raising.
            state.statement = state.statement.options(
                with_loader_criteria(
                    TenantScoped,
                    lambda cls: cls.organization_id == org_id,
                    include_aliases=True,
                )
            )
        if not state.execution_options.get("include_deleted", False):
            state.statement = state.statement.options(
                with_loader_criteria(
                    SoftDeleted, lambda cls: cls.deleted_at.is_(None), include_aliases=True
                )
            )
    elif (
        state.is_insert
        and not _scope.get().system
        and _scope.get().org_id is None
        and any(_is_tenant(m) for m in state.all_mappers)
    ):
        raise TenantContextMissing("insert into a tenant table outside tenant_context()")
    _sync_postgres_settings(state.session)


@event.listens_for(Session, "before_flush")
def _stamp_new_and_changed_rows(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    scope = _scope.get()
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            if obj.organization_id is None:
                if scope.org_id is None:
                    raise TenantContextMissing(
                        f"new {type(obj).__name__} needs a tenant context or an explicit "
                        "organization_id"
                    )
                obj.organization_id = scope.org_id
            elif scope.org_id is not None and obj.organization_id != scope.org_id:
                raise TenantMismatch(
                    f"{type(obj).__name__} of organization {obj.organization_id} written "
                    f"under organization {scope.org_id}"
                )
        if isinstance(obj, Audited) and scope.user_id is not None:
            obj.created_by_id = obj.created_by_id or scope.user_id
            obj.updated_by_id = obj.updated_by_id or scope.user_id
    for obj in session.dirty:
        if isinstance(obj, TenantScoped):
            history = sa.inspect(obj).attrs.organization_id.history
            if history.deleted and history.deleted[0] is not None and history.added:
                raise TenantMismatch(f"{type(obj).__name__} cannot move between organizations")
        if isinstance(obj, Audited) and scope.user_id is not None and session.is_modified(obj):
            obj.updated_by_id = scope.user_id
    _sync_postgres_settings(session)


# --- PostgreSQL row-level security -----------------------------------------------------

_PG_MARKER = "engagex.pg_scope"
_PG_CONNECTION = "engagex.pg_connection_info"


def _pg_values() -> tuple[str, str]:
    scope = _scope.get()
    return (str(scope.org_id) if scope.org_id is not None else "", "system" if scope.system else "")


def _apply(session: Session, connection: sa.Connection) -> None:
    values = _pg_values()
    connection.exec_driver_sql(
        "SELECT set_config('engagex.org_id', %(org)s, true), "
        "set_config('engagex.scope', %(scope)s, true)",
        {"org": values[0], "scope": values[1]},
    )
    # Kept on the connection with the session's identity: if another session used the
    # connection in between (tests share one), the values are applied again.
    connection.info[_PG_MARKER] = (id(session), values)
    # The dict itself: the Connection may be closed by the time the transaction ends.
    session.info[_PG_CONNECTION] = connection.info


@event.listens_for(Session, "after_begin")
def _after_begin(session: Session, transaction: object, connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        _apply(session, connection)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: object) -> None:
    # SET LOCAL values end with the transaction, and a rolled-back savepoint reverts them.
    info = session.info.pop(_PG_CONNECTION, None)
    if info is not None:
        info.pop(_PG_MARKER, None)


def _sync_postgres_settings(session: Session) -> None:
    """Re-apply the settings when the context changed inside an open transaction."""
    if not session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    if connection.info.get(_PG_MARKER) != (id(session), _pg_values()):
        _apply(session, connection)


def sync_connection(session: Session | scoped_session[Session]) -> sa.Connection:
    """Return the session's connection with the tenant settings applied, for raw SQL."""
    if isinstance(session, scoped_session):
        session = session()
    connection = session.connection()
    _sync_postgres_settings(session)
    return connection


def rls_policy_sql(table: str) -> list[str]:
    """Statements that confine ``table`` to the current tenant setting (migrations use them).

    An unset or empty setting matches no row; ``engagex.scope = 'system'`` is the
    explicit cross-tenant mode of ``system_scope()``.
    """
    condition = (
        "organization_id = NULLIF(current_setting('engagex.org_id', true), '')::bigint "
        "OR current_setting('engagex.scope', true) = 'system'"
    )
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition})",
    ]


def app_role_sql(role: str) -> list[str]:
    """Statements that create the row-level-security-bound application role (idempotent).

    The migrating (owning) role becomes a member so the app can ``SET ROLE`` to it, and
    tables and sequences created later by the owner are granted to it by default.
    """
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$",
        f"GRANT {role} TO CURRENT_USER",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
