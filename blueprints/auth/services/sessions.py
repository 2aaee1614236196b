"""Server-side sessions: 30 days, sliding; listed and revoked by their owner.

The cookie carries a random token; the row stores its SHA-256, so a database leak does
not hand out sessions. The CSRF token is an HMAC of that digest under SECRET_KEY: it is
stable for the session's life and needs no storage.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Membership, Organization, User
from blueprints.auth.models import AuthSession
from engagex.db import db, utcnow
from engagex.errors import NotFound
from engagex.permissions import Actor, Role
from engagex.tenancy import system_scope

SESSION_TTL = timedelta(days=30)
PENDING_MFA_TTL = timedelta(minutes=10)
# Sliding the expiry on every request would make every read a write.
SLIDE_RESOLUTION = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session: AuthSession) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"csrf:{session.token_hash}".encode(), hashlib.sha256).hexdigest()


def default_organization_id(user_id: int) -> int | None:
    """Where a person lands after signing in: the organization of their last session,
    else the first they belong to."""
    memberships = {org.id for org, _role in accounts.organizations_of_user(user_id)}
    if not memberships:
        return None
    recent = db.session.scalars(
        sa.select(AuthSession.current_organization_id)
        .where(AuthSession.user_id == user_id, AuthSession.current_organization_id.is_not(None))
        .order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc())
        .limit(5)
    ).all()
    for org_id in recent:
        if org_id in memberships:
            return org_id
    return next(org.id for org, _role in accounts.organizations_of_user(user_id))


def create_session(
    user: User,
    *,
    method: str,
    organization_id: int | None = None,
    mfa_pending: bool = False,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> tuple[AuthSession, str]:
    """A new session (always a fresh id: no fixation); returns the row and cookie token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    if organization_id is None:
        organization_id = default_organization_id(user.id)
    session = AuthSession(
        user_id=user.id,
        token_hash=_digest(token),
        current_organization_id=organization_id,
        method=method,
        mfa_pending=mfa_pending,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:255] or None,
        last_seen_at=now,
        expires_at=now + (PENDING_MFA_TTL if mfa_pending else SESSION_TTL),
    )
    db.session.add(session)
    db.session.flush()
    return session, token


@dataclass(frozen=True)
class Resolved:
    session: AuthSession
    user: User
    #: True when the expiry moved: the cookie should be re-sent with a new Max-Age.
    slid: bool


def resolve(token: str, *, allow_pending: bool = False) -> Resolved | None:
    """The live session of a cookie token (sliding its expiry), or None."""
    if not token or len(token) > 128:
        return None
    row = db.session.execute(
        sa.select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == _digest(token), AuthSession.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    session, user = row
    now = utcnow()
    if session.expires_at <= now or not user.is_active:
        return None
    if session.mfa_pending and not allow_pending:
        return None
    slid = False
    if not session.mfa_pending and now - session.last_seen_at >= SLIDE_RESOLUTION:
        session.last_seen_at = now
        session.expires_at = now + SESSION_TTL
        db.session.flush()
        slid = True
    return Resolved(session, user, slid)


def actor_for(session: AuthSession, user: User) -> tuple[Actor, tuple[str, str] | None]:
    """The actor of a session in its current organization, or one without an organization
    and the reason (``organization_required``, ``mfa_enrollment_required``)."""
    from blueprints.auth.services.mfa import has_mfa

    bare = Actor(kind="user", user_id=user.id)
    if session.current_organization_id is None:
        return bare, (
            "organization_required",
            "You are not in any organization: create one or accept an invitation.",
        )
    with system_scope():
        row = db.session.execute(
            sa.select(Membership.role, Organization.require_mfa)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(
                Membership.user_id == user.id,
                Membership.organization_id == session.current_organization_id,
            )
        ).one_or_none()
    if row is None:
        return bare, (
            "organization_required",
            "You are no longer a member of this organization; switch to another.",
        )
    role, require_mfa = row
    if require_mfa and not has_mfa(user.id):
        return bare, (
            "mfa_enrollment_required",
            "This organization requires multi-factor authentication: enable it first.",
        )
    return Actor(
        kind="user",
        role=Role(role),
        user_id=user.id,
        organization_id=session.current_organization_id,
    ), None


def switch_organization(session: AuthSession, user: User, organization_id: int) -> Organization:
    """Make ``organization_id`` current for this session (404 unless a member)."""
    for org, _role in accounts.organizations_of_user(user.id):
        if org.id == organization_id:
            session.current_organization_id = org.id
            db.session.flush()
            return org
    raise NotFound("organization not found", code="organization_not_found")


def list_sessions(user_id: int) -> list[AuthSession]:
    return list(
        db.session.scalars(
            sa.select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.mfa_pending.is_(False),
                AuthSession.expires_at > utcnow(),
            )
            .order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc())
        )
    )


def revoke(session: AuthSession) -> None:
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        db.session.flush()


def revoke_session(user_id: int, session_id: int) -> None:
    """Revoke one of the person's own sessions (another person's is a 404)."""
    session = db.session.scalars(
        sa.select(AuthSession).where(
            AuthSession.id == session_id,
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
        )
    ).one_or_none()
    if session is None:
        raise NotFound("session not found", code="session_not_found")
    revoke(session)


def revoke_all(user_id: int, *, keep: int | None = None) -> int:
    """Revoke every session of a person but ``keep``; returns how many were revoked."""
    stmt = (
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=sa.func.now())
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    return db.session.execute(stmt).rowcount
