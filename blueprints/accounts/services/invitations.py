"""Invitations: emailed, signed, single-use and valid for 7 days.

Accepting one creates the membership for the invited address: a new person is created
by the auth domain (with a password) before ``accept_invitation`` links them.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode

import sqlalchemy as sa

from blueprints.accounts.models import Invitation, Membership, Organization, User
from blueprints.accounts.services import audit
from blueprints.accounts.services._common import (
    Gone,
    normalize_email,
    parse_role,
    read_token,
    require_owner_for,
    sha256_hex,
    sign_token,
)
from blueprints.accounts.services.mail import base_url, send_action_email
from blueprints.accounts.services.members import find_membership
from blueprints.accounts.services.organizations import get_organization_by_id
from blueprints.accounts.signals import invitation_accepted
from engagex.api import Page, keyset_page
from engagex.db import db, utcnow
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, Role, require
from engagex.tenancy import system_scope, tenant_context

INVITATION_TTL = timedelta(days=7)
SIGNING_PURPOSE = "invitation"


def _issue(invitation: Invitation) -> str:
    """Give the invitation a fresh nonce and expiry; return its new token."""
    nonce = secrets.token_urlsafe(16)
    invitation.nonce_hash = sha256_hex(nonce)
    now = utcnow()
    invitation.expires_at = now + INVITATION_TTL
    invitation.sent_at = now
    db.session.flush()
    return sign_token(SIGNING_PURPOSE, {"i": invitation.id, "n": nonce})


def accept_url(token: str) -> str:
    return f"{base_url()}/invitations/accept?{urlencode({'token': token})}"


def _send(invitation: Invitation, token: str, inviter: str | None) -> None:
    org = get_organization_by_id(invitation.organization_id)
    role = invitation.role.replace("_", " ")
    who = inviter or f"The {org.name} team"
    send_action_email(
        to_email=invitation.email,
        subject=f"{who} invited you to {org.name} on EngageX",
        paragraphs=[
            "Hello,",
            f"{who} invited you to join {org.name} on EngageX as {role}.",
        ],
        action_label="Accept the invitation",
        action_url=accept_url(token),
        notes=[
            f"The link works once and expires on {invitation.expires_at:%d %B %Y at %H:%M} UTC.",
            "If you did not expect this invitation, you can ignore this email.",
        ],
        organization_id=invitation.organization_id,
    )


def _inviter_label(actor: Actor | None) -> str | None:
    if actor is None or actor.user_id is None:
        return None
    user = db.session.get(User, actor.user_id)
    return (user.name or user.email) if user else None


def create_invitation(actor: Actor | None, *, email: str, role: str) -> tuple[Invitation, str]:
    """Invite ``email`` with ``role`` and email the link; returns the row and its token.

    A pending invitation of the same address is replaced (its link stops working).
    """
    require(actor, "members:manage")
    email = normalize_email(email)
    role_value = parse_role(role).value
    if role_value == Role.OWNER.value:
        require_owner_for(actor, "invite an owner")
    existing_user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
    if existing_user is not None and find_membership(existing_user.id) is not None:
        raise Conflict(f"{email} is already a member of this organization", code="already_member")
    now = utcnow()
    for old in db.session.scalars(
        sa.select(Invitation).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    ):
        old.revoked_at = now
    invitation = Invitation(
        email=email,
        role=role_value,
        nonce_hash="",
        expires_at=now + INVITATION_TTL,
        invited_by_id=actor.user_id if actor else None,
    )
    db.session.add(invitation)
    db.session.flush()
    token = _issue(invitation)
    _send(invitation, token, _inviter_label(actor))
    audit.record(actor, "invitations.created", invitation, {"email": email, "role": role_value})
    return invitation, token


def _status_filter(status: str, now: object) -> list[sa.ColumnElement[bool]]:
    if status == "pending":
        return [
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        ]
    if status == "accepted":
        return [Invitation.accepted_at.is_not(None)]
    if status == "revoked":
        return [Invitation.revoked_at.is_not(None)]
    if status == "expired":
        return [
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at <= now,
        ]
    if status == "all":
        return []
    raise ValidationFailed(f"unknown status {status!r}", code="invalid_status")


def list_invitations(
    actor: Actor | None, *, limit: int = 50, cursor: str | None = None, status: str = "pending"
) -> Page:
    require(actor, "members:read")
    stmt = sa.select(Invitation).where(*_status_filter(status, utcnow()))
    return keyset_page(stmt, [Invitation.id], limit=limit, cursor=cursor, descending=True)


def get_invitation(actor: Actor | None, invitation_id: int) -> Invitation:
    require(actor, "members:read")
    invitation = db.session.scalars(
        sa.select(Invitation).where(Invitation.id == invitation_id)
    ).one_or_none()
    if invitation is None:
        raise NotFound("invitation not found", code="invitation_not_found")
    return invitation


def _pending(actor: Actor | None, invitation_id: int) -> Invitation:
    require(actor, "members:manage")
    invitation = get_invitation(actor, invitation_id)
    status = invitation.status
    if status in ("accepted", "revoked"):
        raise Conflict(f"this invitation was already {status}", code=f"invitation_{status}")
    if invitation.role == Role.OWNER.value:
        require_owner_for(actor, "manage an owner invitation")
    return invitation


def revoke_invitation(actor: Actor | None, invitation_id: int) -> None:
    invitation = _pending(actor, invitation_id)
    invitation.revoked_at = utcnow()
    db.session.flush()
    audit.record(actor, "invitations.revoked", invitation, {"email": invitation.email})


def resend_invitation(actor: Actor | None, invitation_id: int) -> tuple[Invitation, str]:
    """Email a fresh link (valid 7 more days); the previous link stops working."""
    invitation = _pending(actor, invitation_id)
    token = _issue(invitation)
    _send(invitation, token, _inviter_label(actor))
    audit.record(actor, "invitations.resent", invitation, {"email": invitation.email})
    return invitation, token


def open_invitation(token: str) -> Invitation:
    """The pending invitation a token names; the organization comes from the signed token.

    Raises ``Gone`` for an expired, used or revoked link and ``ValidationFailed`` for a
    forged or damaged one.
    """
    payload = read_token(SIGNING_PURPOSE, token, INVITATION_TTL, what="invitation")
    invitation_id, nonce = payload.get("i"), payload.get("n")
    if not isinstance(invitation_id, int) or not isinstance(nonce, str):
        raise ValidationFailed("this invitation link is not valid", code="invalid_token")
    with system_scope():
        invitation = db.session.scalars(
            sa.select(Invitation)
            .join(Organization, Organization.id == Invitation.organization_id)
            .where(Invitation.id == invitation_id)
        ).one_or_none()
    if invitation is None:
        raise Gone("this invitation no longer exists", code="invitation_revoked")
    if invitation.accepted_at is not None:
        raise Gone("this invitation has already been used", code="invitation_used")
    if not hmac.compare_digest(invitation.nonce_hash, sha256_hex(nonce)):
        # A resend issued a new link: this one was replaced.
        raise Gone("this invitation link was replaced by a newer one", code="invitation_revoked")
    if invitation.revoked_at is not None:
        raise Gone("this invitation was revoked", code="invitation_revoked")
    if invitation.expires_at <= utcnow():
        raise Gone("this invitation has expired", code="token_expired")
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Make ``user`` (whose email is the invited one) a member; the invitation is used up."""
    if user.email != invitation.email:
        raise ValidationFailed("this invitation is for another address", code="wrong_account")
    actor = Actor(kind="user", user_id=user.id, organization_id=invitation.organization_id)
    with tenant_context(invitation.organization_id, user.id):
        # Lock the row: two tabs accepting at once must not both succeed.
        db.session.refresh(invitation, with_for_update=True)
        if invitation.accepted_at is not None:
            raise Gone("this invitation has already been used", code="invitation_used")
        member = find_membership(user.id)
        if member is None:
            member = Membership(user_id=user.id, role=invitation.role)
            db.session.add(member)
        invitation.accepted_at = utcnow()
        invitation.accepted_by_id = user.id
        db.session.flush()
        audit.record(
            actor, "invitations.accepted", invitation, {"email": user.email, "role": member.role}
        )
        member.user  # noqa: B018 - load while the tenant context allows it
        invitation_accepted.send(
            invitation.organization_id,
            user_id=user.id,
            email=user.email,
            role=member.role,
            invited_by_id=invitation.invited_by_id,
        )
    return member
