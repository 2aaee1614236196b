"""API keys: bearer credentials of one organization with one role.

A token reads ``egx_<prefix>_<secret>``: the prefix finds the row and tells keys apart,
only the SHA-256 of the secret is stored and it is compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from blueprints.accounts.models import ApiKey, Organization
from blueprints.accounts.services import audit
from blueprints.accounts.services._common import (
    parse_role,
    require_owner_for,
    sha256_hex,
    validate_name,
)
from engagex.api import Page, keyset_page
from engagex.db import as_utc, db, utcnow
from engagex.errors import NotFound
from engagex.permissions import Actor, Role, require
from engagex.tenancy import system_scope

API_KEY_PREFIX = "egx_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_api_key(actor: Actor | None, *, name: str, role: str) -> tuple[ApiKey, str]:
    """Create a key in the current organization; the token is returned only here."""
    require(actor, "api_keys:manage")
    name = validate_name(name)
    role_value = parse_role(role).value
    if role_value == Role.OWNER.value:
        require_owner_for(actor, "create an owner key")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        role=role_value,
        prefix=prefix,
        secret_hash=sha256_hex(secret),
        created_by_id=actor.user_id if actor else None,
    )
    db.session.add(key)
    db.session.flush()
    audit.record(actor, "api_keys.created", key, {"name": name, "role": role_value})
    return key, f"{API_KEY_PREFIX}{prefix}_{secret}"


def list_api_keys(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "api_keys:manage")
    stmt = sa.select(ApiKey).where(ApiKey.revoked_at.is_(None))
    return keyset_page(stmt, [ApiKey.id], limit=limit, cursor=cursor)


def get_api_key(actor: Actor | None, key_id: int) -> ApiKey:
    require(actor, "api_keys:manage")
    key = db.session.scalars(
        sa.select(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
    ).one_or_none()
    if key is None:
        raise NotFound("API key not found", code="api_key_not_found")
    return key


def revoke_api_key(actor: Actor | None, key_id: int) -> None:
    key = get_api_key(actor, key_id)
    if key.role == Role.OWNER.value:
        require_owner_for(actor, "revoke an owner key")
    key.revoked_at = utcnow()
    db.session.flush()
    audit.record(actor, "api_keys.revoked", key, {"name": key.name, "role": key.role})


def authenticate_api_key(token: str) -> Actor | None:
    """The actor of a bearer token, or None for anything that is not a live key."""
    if not token.startswith(API_KEY_PREFIX):
        return None
    prefix, _, secret = token[len(API_KEY_PREFIX) :].partition("_")
    if len(prefix) != 12 or not secret or len(secret) > 128:
        return None
    with system_scope():
        # The join drops keys of deleted organizations (soft-deleted rows are filtered).
        key = db.session.scalars(
            sa.select(ApiKey)
            .join(Organization, Organization.id == ApiKey.organization_id)
            .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        ).one_or_none()
        if key is None or not hmac.compare_digest(key.secret_hash, sha256_hex(secret)):
            return None
        # The application's clock decides whether the stamp is stale (a minute's
        # resolution does not care about skew); asking the database would cost every
        # authenticated request a round trip.
        last = key.last_used_at
        if last is None or datetime.now(UTC) - as_utc(last) >= LAST_USED_RESOLUTION:
            key.last_used_at = utcnow()
            db.session.flush()
    return Actor(
        kind="api_key", role=Role(key.role), api_key_id=key.id, organization_id=key.organization_id
    )
