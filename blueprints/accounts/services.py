"""Write and read logic of accounts, shared by the API, the CLI and jobs.

Services flush and never commit: the boundary owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from blueprints.accounts.models import ApiKey, Membership, Organization, User
from engagex.api import Page, keyset_page
from engagex.db import db, utcnow
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, Role, require
from engagex.tenancy import system_scope, tenant_context

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
API_KEY_PREFIX = "egx_"


def normalize_email(raw: str) -> str:
    """Trimmed, IDNA-encoded domain, lower-cased; raises ``ValidationFailed``."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            f"{raw.strip()!r} is not a valid email address: {exc}", code="invalid_email"
        ) from exc
    return f"{result.local_part}@{result.ascii_domain}".lower()


def _validate_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise ValidationFailed(
            f"invalid slug {slug!r}: use 1-50 lower-case letters, digits and inner hyphens",
            code="invalid_slug",
        )
    return slug


def _validate_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("the name must have 1 to 200 characters", code="invalid_name")
    return name


def _validate_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"unknown time zone {tz!r}", code="invalid_timezone") from exc
    return tz


def get_or_create_user(email: str, name: str | None = None) -> User:
    email = normalize_email(email)
    user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
    if user is None:
        user = User(email=email, name=name)
        db.session.add(user)
        db.session.flush()
    return user


def create_organization(
    actor: Actor | None, *, slug: str, name: str, owner_email: str
) -> Organization:
    """Create an organization and make ``owner_email`` (created if new) its owner."""
    slug = _validate_slug(slug)
    name = _validate_name(name)
    owner = get_or_create_user(owner_email)
    with system_scope():
        taken = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organization)
            .where(Organization.slug == slug)
            .execution_options(include_deleted=True)
        )
    if taken:
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
    return org


def list_organizations() -> list[Organization]:
    return list(db.session.scalars(sa.select(Organization).order_by(Organization.slug)))


def get_organization(slug: str) -> Organization:
    org = db.session.scalars(sa.select(Organization).where(Organization.slug == slug)).one_or_none()
    if org is None:
        raise NotFound(f"no organization with the slug {slug!r}", code="organization_not_found")
    return org


def get_organization_by_id(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None or org.deleted_at is not None:
        raise NotFound("organization not found", code="organization_not_found")
    return org


def update_organization(
    org: Organization, actor: Actor | None, data: dict[str, Any]
) -> Organization:
    require(actor, "org:manage")
    if "name" in data:
        org.name = _validate_name(data["name"])
    if "timezone" in data:
        org.timezone = _validate_timezone(data["timezone"])
    if "default_from_name" in data:
        org.default_from_name = (data["default_from_name"] or "").strip() or None
    if "default_from_email" in data:
        value = data["default_from_email"]
        org.default_from_email = normalize_email(value) if value else None
    db.session.flush()
    return org


def list_members(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "members:read")
    return keyset_page(sa.select(Membership), [Membership.id], limit=limit, cursor=cursor)


def get_member(actor: Actor | None, member_id: int) -> Membership:
    require(actor, "members:read")
    member = db.session.scalars(
        sa.select(Membership).where(Membership.id == member_id)
    ).one_or_none()
    if member is None:
        raise NotFound("member not found")
    return member


# --- API keys ---------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(actor: Actor | None, *, name: str, role: str) -> tuple[ApiKey, str]:
    """Create a key in the current organization; the token is returned only here."""
    require(actor, "api_keys:manage")
    name = _validate_name(name)
    try:
        role = Role(role).value
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            f"unknown role {role!r}; one of: {roles}", code="invalid_role"
        ) from exc
    if (
        actor is not None
        and actor.kind != "system"
        and role == Role.OWNER.value
        and actor.role != Role.OWNER
    ):
        raise ValidationFailed("only an owner can create an owner key", code="invalid_role")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        role=role,
        prefix=prefix,
        secret_hash=_digest(secret),
        created_by_id=actor.user_id if actor else None,
    )
    db.session.add(key)
    db.session.flush()
    return key, f"{API_KEY_PREFIX}{prefix}_{secret}"


def list_api_keys(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "api_keys:manage")
    stmt = sa.select(ApiKey).where(ApiKey.revoked_at.is_(None))
    return keyset_page(stmt, [ApiKey.id], limit=limit, cursor=cursor)


def revoke_api_key(actor: Actor | None, key_id: int) -> None:
    require(actor, "api_keys:manage")
    key = db.session.scalars(
        sa.select(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
    ).one_or_none()
    if key is None:
        raise NotFound("API key not found")
    key.revoked_at = utcnow()
    db.session.flush()


def authenticate_api_key(token: str) -> Actor | None:
    """The actor of a bearer token, or None for anything that is not a live key."""
    if not token.startswith(API_KEY_PREFIX):
        return None
    prefix, _, secret = token[len(API_KEY_PREFIX) :].partition("_")
    if len(prefix) != 12 or not secret:
        return None
    with system_scope():
        row = db.session.execute(
            sa.select(ApiKey, Organization)
            .join(Organization, Organization.id == ApiKey.organization_id)
            .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        ).one_or_none()
    if row is None:
        return None
    key, _org = row
    if not hmac.compare_digest(key.secret_hash, _digest(secret)):
        return None
    return Actor(
        kind="api_key", role=Role(key.role), api_key_id=key.id, organization_id=key.organization_id
    )


DEMO_SLUG = "demo"
DEMO_OWNER = "owner@demo.example.com"
DEMO_KEY_NAME = "demo (make run)"


def ensure_demo_organization() -> tuple[Organization, str]:
    """Create the demo organization once and issue a fresh owner API key for it.

    Earlier demo keys are revoked so that only the last printed key works.
    """
    try:
        org = get_organization(DEMO_SLUG)
    except NotFound:
        org = create_organization(None, slug=DEMO_SLUG, name="Demo Company", owner_email=DEMO_OWNER)
    with tenant_context(org.id):
        old = db.session.scalars(
            sa.select(ApiKey).where(ApiKey.name == DEMO_KEY_NAME, ApiKey.revoked_at.is_(None))
        )
        for key in old:
            key.revoked_at = utcnow()
        _key, token = create_api_key(None, name=DEMO_KEY_NAME, role=Role.OWNER.value)
    return org, token
