"""The audit log: who did what in an organization.

Every domain records its security- and money-relevant actions here::

    from blueprints.accounts.services import audit
    audit.record(actor, "contacts.imported", import_job, {"rows": 1200})

``record`` writes in the current transaction (a rolled-back action leaves no event) and
needs the organization: the current tenant context, else the actor's organization.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from blueprints.accounts.models import ApiKey, AuditEvent, User
from engagex.api import Page, keyset_page
from engagex.db import db
from engagex.errors import ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import current_org_id, system_scope, tenant_context

Target = Any
"""What an event is about: a model instance (its table and id are kept), a
``(type, id)`` pair, or None."""


def _target(target: Target) -> tuple[str | None, str | None]:
    if target is None:
        return None, None
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), None if target[1] is None else str(target[1])
    table = getattr(target, "__tablename__", None)
    if table is None:
        raise TypeError(f"cannot name an audit target of type {type(target).__name__}")
    return table, str(target.id)


def _actor_label(actor: Actor | None) -> str | None:
    if actor is None or actor.kind == "system":
        return None
    if actor.user_id is not None:
        return db.session.scalar(sa.select(User.email).where(User.id == actor.user_id))
    if actor.api_key_id is not None:
        return db.session.scalar(sa.select(ApiKey.name).where(ApiKey.id == actor.api_key_id))
    return None


def record(
    actor: Actor | None,
    action: str,
    target: Target = None,
    details: dict[str, Any] | None = None,
    *,
    organization_id: int | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append an event to the organization's audit log (flushed, not committed).

    ``action`` is ``<domain>.<verb>``; ``details`` must be JSON values and never hold
    secrets (tokens, passwords). ``None`` as actor means the system (CLI, jobs).
    """
    org_id = organization_id or current_org_id() or (actor.organization_id if actor else None)
    if org_id is None:
        raise ValueError("an audit event needs an organization (tenant context or explicit)")
    target_type, target_id = _target(target)
    with tenant_context(org_id, actor.user_id if actor else None):
        event = AuditEvent(
            organization_id=org_id,
            action=action,
            actor_kind="system" if actor is None else actor.kind,
            actor_user_id=actor.user_id if actor else None,
            actor_api_key_id=actor.api_key_id if actor else None,
            actor_label=_actor_label(actor),
            target_type=target_type,
            target_id=target_id,
            ip_address=ip_address,
            details=details or {},
        )
        db.session.add(event)
        db.session.flush()
    return event


def record_for_user_orgs(
    user_id: int, action: str, details: dict[str, Any] | None = None, *, ip: str | None = None
) -> None:
    """Record a user-level event (a sign-in) in every organization the user belongs to."""
    from blueprints.accounts.models import Membership, Organization

    with system_scope():
        org_ids = db.session.scalars(
            sa.select(Membership.organization_id)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(Membership.user_id == user_id)
        ).all()
    actor = Actor(kind="user", user_id=user_id)
    for org_id in org_ids:
        record(actor, action, ("users", user_id), details, organization_id=org_id, ip_address=ip)


def list_events(
    actor: Actor | None,
    *,
    limit: int = 50,
    cursor: str | None = None,
    action: str | None = None,
    actor_user_id: int | None = None,
    since: datetime | None = None,
) -> Page:
    """Events of the current organization, newest first."""
    require(actor, "audit:read")
    stmt = sa.select(AuditEvent)
    if action:
        if action.endswith(".*"):
            prefix = action[:-1]
            if not prefix.strip("."):
                raise ValidationFailed("empty action prefix", code="invalid_filter")
            stmt = stmt.where(AuditEvent.action.startswith(prefix, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == action)
    if actor_user_id is not None:
        stmt = stmt.where(AuditEvent.actor_user_id == actor_user_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.created_at >= since)
    return keyset_page(stmt, [AuditEvent.id], limit=limit, cursor=cursor, descending=True)
