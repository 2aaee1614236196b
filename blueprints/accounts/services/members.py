"""Members of the current organization and their roles.

Rules: admins manage everyone but owners; only an owner grants, changes or removes the
owner role; an organization always keeps at least one owner.
"""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.accounts.models import Membership
from blueprints.accounts.services import audit
from blueprints.accounts.services._common import parse_role, require_owner_for
from blueprints.accounts.services.users import get_or_create_user
from engagex.api import Page, keyset_page
from engagex.db import db
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, Role, require


def list_members(
    actor: Actor | None,
    *,
    limit: int = 50,
    cursor: str | None = None,
    role: str | None = None,
) -> Page:
    require(actor, "members:read")
    stmt = sa.select(Membership)
    if role is not None:
        stmt = stmt.where(Membership.role == parse_role(role).value)
    return keyset_page(stmt, [Membership.id], limit=limit, cursor=cursor)


def get_member(actor: Actor | None, member_id: int) -> Membership:
    require(actor, "members:read")
    member = db.session.scalars(
        sa.select(Membership).where(Membership.id == member_id)
    ).one_or_none()
    if member is None:
        raise NotFound("member not found", code="member_not_found")
    return member


def find_membership(user_id: int) -> Membership | None:
    """The membership of ``user_id`` in the current organization, if any."""
    return db.session.scalars(
        sa.select(Membership).where(Membership.user_id == user_id)
    ).one_or_none()


def _lock_owners() -> list[Membership]:
    # FOR UPDATE serializes concurrent owner changes so two cannot both leave zero owners.
    return list(
        db.session.scalars(
            sa.select(Membership).where(Membership.role == Role.OWNER.value).with_for_update()
        )
    )


def _keep_an_owner(member: Membership) -> None:
    owners = _lock_owners()
    if member.role == Role.OWNER.value and len(owners) <= 1:
        raise Conflict(
            "the organization must keep at least one owner; make someone else owner first",
            code="last_owner",
        )


def add_member(actor: Actor | None, email: str, role: str) -> Membership:
    """Add a person (created without credentials if new) directly, without an invitation."""
    require(actor, "members:manage")
    role_value = parse_role(role).value
    if role_value == Role.OWNER.value:
        require_owner_for(actor, "add an owner")
    user = get_or_create_user(email)
    if find_membership(user.id) is not None:
        raise Conflict(f"{user.email} is already a member", code="already_member")
    member = Membership(user_id=user.id, role=role_value)
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "members.added", member, {"email": user.email, "role": role_value})
    return member


def set_role(actor: Actor | None, member_id: int, role: str) -> Membership:
    require(actor, "members:manage")
    member = get_member(actor, member_id)
    new_role = parse_role(role).value
    if new_role == member.role:
        return member
    if Role.OWNER.value in (new_role, member.role):
        require_owner_for(actor, "grant or take away the owner role")
        _keep_an_owner(member)
    previous = member.role
    member.role = new_role
    db.session.flush()
    audit.record(
        actor,
        "members.role_changed",
        member,
        {"email": member.user.email, "from": previous, "to": new_role},
    )
    return member


def remove_member(actor: Actor | None, member_id: int) -> None:
    require(actor, "members:manage")
    member = get_member(actor, member_id)
    if member.role == Role.OWNER.value:
        require_owner_for(actor, "remove an owner")
        _keep_an_owner(member)
    details = {"email": member.user.email, "role": member.role}
    db.session.delete(member)
    db.session.flush()
    audit.record(actor, "members.removed", ("memberships", member_id), details)


def leave(actor: Actor) -> None:
    """The signed-in person leaves the current organization (not the last owner)."""
    require(actor, "org:read")
    if actor.kind != "user" or actor.user_id is None:
        raise ValidationFailed("only a person can leave an organization", code="user_required")
    member = find_membership(actor.user_id)
    if member is None:
        raise NotFound("member not found", code="member_not_found")
    _keep_an_owner(member)
    member_id, details = member.id, {"email": member.user.email, "role": member.role}
    db.session.delete(member)
    db.session.flush()
    audit.record(actor, "members.left", ("memberships", member_id), details)
