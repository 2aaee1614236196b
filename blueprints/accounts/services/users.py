"""People: looked up and created by email (credentials live in the auth domain)."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.accounts.models import Membership, Organization, User
from blueprints.accounts.services._common import normalize_email
from engagex.db import db
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.tenancy import system_scope


def _clean_name(name: str | None) -> str | None:
    name = (name or "").strip() or None
    if name is not None and len(name) > 200:
        raise ValidationFailed("the name must have at most 200 characters", code="invalid_name")
    return name


def find_user(email: str) -> User | None:
    """The user with this address (any spelling of it), or None."""
    return db.session.scalars(
        sa.select(User).where(User.email == normalize_email(email))
    ).one_or_none()


def get_user(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise NotFound(f"no user with the email {email.strip()!r}", code="user_not_found")
    return user


def get_user_by_id(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user not found", code="user_not_found")
    return user


def get_or_create_user(email: str, name: str | None = None) -> User:
    email = normalize_email(email)
    user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
    if user is None:
        user = User(email=email, name=_clean_name(name))
        db.session.add(user)
        db.session.flush()
    return user


def create_user(email: str, name: str | None = None) -> User:
    """A new user; ``Conflict`` (``email_taken``) if the address is already registered."""
    email = normalize_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"an account with the email {email!r} already exists", code="email_taken")
    user = User(email=email, name=_clean_name(name))
    db.session.add(user)
    db.session.flush()
    return user


def update_profile(user: User, *, name: str | None) -> User:
    user.name = _clean_name(name)
    db.session.flush()
    return user


def list_users() -> list[tuple[User, int]]:
    """Every user with the number of organizations they belong to (operator view)."""
    with system_scope():
        counts = (
            sa.select(Membership.user_id, sa.func.count().label("n"))
            .join(Organization, Organization.id == Membership.organization_id)
            .group_by(Membership.user_id)
            .subquery()
        )
        rows = db.session.execute(
            sa.select(User, sa.func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.user_id == User.id)
            .order_by(User.id)
        ).all()
    return [(user, n) for user, n in rows]
