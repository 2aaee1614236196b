"""The organization lifecycle: create, rename, require MFA, transfer ownership, delete."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from blueprints.accounts.models import Membership, Organization, User
from blueprints.accounts.services import audit
from blueprints.accounts.services._common import (
    normalize_email,
    slugify,
    validate_name,
    validate_slug,
    validate_timezone,
)
from blueprints.accounts.services.members import _lock_owners
from blueprints.accounts.services.users import get_or_create_user
from engagex.db import db
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, Role, require
from engagex.tenancy import system_scope, tenant_context


def _slug_taken(slug: str) -> bool:
    # Deleted organizations keep their slug: old links must never reach a new tenant.
    with system_scope():
        return bool(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Organization)
                .where(Organization.slug == slug)
                .execution_options(include_deleted=True)
            )
        )


def _insert_organization(actor: Actor | None, slug: str, name: str, owner: User) -> Organization:
    if _slug_taken(slug):
        raise Conflict(f"the slug {slug!r} is already taken", code="slug_taken")
    org = Organization(slug=slug, name=name)
    db.session.add(org)
    try:
        db.session.flush()
    except IntegrityError as exc:  # lost a race for the slug
        raise Conflict(f"the slug {slug!r} is already taken", code="slug_taken") from exc
    with tenant_context(org.id, actor.user_id if actor else None):
        db.session.add(Membership(user_id=owner.id, role=Role.OWNER.value))
        db.session.flush()
        audit.record(actor, "organizations.created", org, {"slug": slug, "owner": owner.email})
    return org


def create_organization(
    actor: Actor | None, *, slug: str, name: str, owner_email: str
) -> Organization:
    """Create an organization and make ``owner_email`` (created if new) its owner."""
    slug = validate_slug(slug)
    name = validate_name(name)
    normalize_email(owner_email)  # a bad address fails before anything is written
    if _slug_taken(slug):
        raise Conflict(f"the slug {slug!r} is already taken", code="slug_taken")
    return _insert_organization(actor, slug, name, get_or_create_user(owner_email))


def create_organization_for_user(user: User, *, name: str, slug: str | None = None) -> Organization:
    """A signed-in person creates an organization and becomes its owner.

    Without ``slug`` one is derived from the name, with a short suffix if it is taken.
    """
    name = validate_name(name)
    if slug:
        slug = validate_slug(slug)
    else:
        base = slugify(name)[:43].strip("-") or "org"
        slug = base
        while _slug_taken(slug):
            slug = f"{base}-{secrets.token_hex(3)}"
    actor = Actor(kind="user", role=Role.OWNER, user_id=user.id)
    return _insert_organization(actor, slug, name, user)


def list_organizations() -> list[Organization]:
    return list(db.session.scalars(sa.select(Organization).order_by(Organization.slug)))


def get_organization(slug: str) -> Organization:
    org = db.session.scalars(sa.select(Organization).where(Organization.slug == slug)).one_or_none()
    if org is None:
        raise NotFound(f"no organization with the slug {slug!r}", code="organization_not_found")
    return org


def get_organization_by_id(org_id: int | None) -> Organization:
    org = db.session.get(Organization, org_id) if org_id is not None else None
    if org is None or org.deleted_at is not None:
        raise NotFound("organization not found", code="organization_not_found")
    return org


def membership_summary(actor: Actor | None) -> tuple[list[str], dict[str, int]]:
    """The current organization's owners' addresses and its member count per role."""
    require(actor, "members:read")
    counts = dict(
        db.session.execute(
            sa.select(Membership.role, sa.func.count()).group_by(Membership.role)
        ).all()
    )
    owners = db.session.scalars(
        sa.select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.OWNER.value)
        .order_by(User.email)
    ).all()
    return list(owners), {r.value: counts.get(r.value, 0) for r in Role}


def organizations_of_user(user_id: int) -> list[tuple[Organization, str]]:
    """The live organizations a person belongs to, with their role, by name."""
    with system_scope():
        rows = db.session.execute(
            sa.select(Organization, Membership.role)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user_id)
            .order_by(Organization.name, Organization.id)
        ).all()
    return [(org, role) for org, role in rows]


def update_organization(
    org: Organization, actor: Actor | None, data: dict[str, Any]
) -> Organization:
    require(actor, "org:manage")
    before = {k: getattr(org, k) for k in data if hasattr(Organization, k)}
    if "name" in data:
        org.name = validate_name(data["name"])
    if "timezone" in data:
        org.timezone = validate_timezone(data["timezone"])
    if "default_from_name" in data:
        org.default_from_name = (data["default_from_name"] or "").strip() or None
    if "default_from_email" in data:
        value = data["default_from_email"]
        org.default_from_email = normalize_email(value) if value else None
    settings_before = dict(org.settings or {})
    settings = dict(settings_before)
    if "auto_unsubscribe_footer" in data:
        settings["auto_unsubscribe_footer"] = bool(data["auto_unsubscribe_footer"])
    if "postal_address" in data:
        settings["postal_address"] = (data["postal_address"] or "").strip() or None
    if settings != settings_before:
        org.settings = settings  # a new dict: JSON columns do not track in-place changes
    db.session.flush()
    changes = {k: [v, getattr(org, k)] for k, v in before.items() if getattr(org, k) != v}
    changes.update(
        {k: [settings_before.get(k), v] for k, v in settings.items() if settings_before.get(k) != v}
    )
    if changes:
        audit.record(actor, "organizations.updated", org, {"changes": changes})
    return org


def set_require_mfa(org: Organization, actor: Actor | None, required: bool) -> Organization:
    """Require (or stop requiring) multi-factor authentication of every member (owners)."""
    require(actor, "org:delete")
    if org.require_mfa != required:
        org.require_mfa = required
        db.session.flush()
        audit.record(actor, "organizations.mfa_policy_changed", org, {"require_mfa": required})
    return org


def transfer_ownership(actor: Actor | None, member_id: int) -> Membership:
    """Make member ``member_id`` an owner; a user who transfers becomes an admin."""
    require(actor, "org:delete")
    target = db.session.scalars(
        sa.select(Membership).where(Membership.id == member_id)
    ).one_or_none()
    if target is None:
        raise NotFound("member not found", code="member_not_found")
    if actor is not None and actor.user_id == target.user_id:
        raise ValidationFailed("you already own this organization", code="already_owner")
    _lock_owners()
    previous = target.role
    target.role = Role.OWNER.value
    if actor is not None and actor.user_id is not None:
        mine = db.session.scalars(
            sa.select(Membership).where(Membership.user_id == actor.user_id)
        ).one_or_none()
        if mine is not None and mine.role == Role.OWNER.value:
            mine.role = Role.ADMIN.value
    db.session.flush()
    audit.record(
        actor,
        "organizations.ownership_transferred",
        target,
        {"to": target.user.email, "previous_role": previous},
    )
    return target


def delete_organization(actor: Actor | None, org_id: int) -> None:
    """Soft-delete the actor's organization: members and keys lose access at once."""
    require(actor, "org:delete")
    if actor is not None and actor.kind != "system" and actor.organization_id != org_id:
        raise NotFound("organization not found", code="organization_not_found")
    org = get_organization_by_id(org_id)
    with tenant_context(org.id, actor.user_id if actor else None):
        audit.record(actor, "organizations.deleted", org, {"slug": org.slug})
    org.soft_delete()
    db.session.flush()
