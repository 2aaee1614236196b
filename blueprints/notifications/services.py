"""Who hears about an event, through which channel, and the user's inbox.

``notify`` is what other domains call (directly or from a signal handler): it writes
the in-app rows in the caller's transaction and queues the emails, which leave only
after that transaction commits, on the ``mail`` queue, so the event that caused them is
never slowed down or blocked by mail delivery.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from jinja2 import Environment, PackageLoader, select_autoescape

from blueprints.accounts.models import Membership, User
from blueprints.notifications.models import Notification, NotificationPreference
from blueprints.notifications.types import CHANNELS, TYPES, get_type
from engagex import mail
from engagex.api import Page, keyset_page
from engagex.db import db, utcnow
from engagex.errors import AppError, NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import tenant_context

_emails = Environment(
    loader=PackageLoader("blueprints.notifications", "emails"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class UserRequired(AppError):
    status = 403
    code = "user_required"


def _user_id(actor: Actor | None) -> int:
    require(actor, "org:read")
    if actor is None or actor.user_id is None:
        raise UserRequired("Notifications belong to a signed-in person; API keys have none.")
    return actor.user_id


def _recipients(type_key: str, extra_user_ids: Iterable[int]) -> list[User]:
    """Members whose role cares about the type, plus explicitly named members."""
    audience = [r.value for r in get_type(type_key).audience]
    extra = list(extra_user_ids)
    condition = Membership.role.in_(audience)
    if extra:
        condition = sa.or_(condition, Membership.user_id.in_(extra))
    stmt = (
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(condition, User.is_active.is_(True))
        .order_by(User.id)
    )
    return list(db.session.scalars(stmt).unique())


def _choices(user_ids: list[int], type_key: str) -> dict[tuple[int, str], bool]:
    rows = db.session.execute(
        sa.select(
            NotificationPreference.user_id,
            NotificationPreference.channel,
            NotificationPreference.enabled,
        ).where(
            NotificationPreference.user_id.in_(user_ids), NotificationPreference.type == type_key
        )
    )
    return {(uid, channel): enabled for uid, channel, enabled in rows}


def notify(
    org_id: int,
    type_key: str,
    *,
    title: str,
    body: str = "",
    link: str | None = None,
    subject: tuple[str, int] | None = None,
    extra_user_ids: Iterable[int] = (),
) -> list[Notification]:
    """Notify the members of ``org_id`` who should hear about ``type_key``.

    Returns the in-app notifications created (flushed, not committed).
    """
    kind = get_type(type_key)
    with tenant_context(org_id):
        users = _recipients(type_key, extra_user_ids)
        choices = _choices([u.id for u in users], type_key)
        created = []
        for user in users:
            if choices.get((user.id, "in_app"), kind.in_app_default):
                created.append(
                    Notification(
                        user_id=user.id,
                        type=type_key,
                        title=title[:200],
                        body=body,
                        link=link,
                        subject_type=subject[0] if subject else None,
                        subject_id=subject[1] if subject else None,
                    )
                )
            if choices.get((user.id, "email"), kind.email_default):
                mail.queue(_email(org_id, user, kind.label, title, body, link))
        db.session.add_all(created)
        db.session.flush()
    return created


def _email(
    org_id: int, user: User, label: str, title: str, body: str, link: str | None
) -> mail.Message:
    config = current_app.config
    base = config["ENGAGEX_BASE_URL"]
    context = {
        "title": title,
        "body": body,
        "url": f"{base}{link}" if link else base,
        "preferences_url": f"{base}/settings/notifications",
        "label": label,
        "name": user.name,
    }
    return mail.Message(
        to_email=user.email,
        to_name=user.name,
        from_email=config["ENGAGEX_MAIL_FROM"],
        from_name=config["ENGAGEX_MAIL_FROM_NAME"],
        subject=title,
        html=_emails.get_template("notification.html").render(context),
        text=_emails.get_template("notification.txt").render(context),
        organization_id=org_id,
        category="notification",
    )


def member_actor(org_id: int, email: str) -> Actor:
    """The actor of member ``email`` of the current organization (for the CLI)."""
    from blueprints.accounts.services import normalize_email

    row = db.session.execute(
        sa.select(Membership.role, User.id)
        .join(User, User.id == Membership.user_id)
        .where(User.email == normalize_email(email))
    ).first()
    if row is None:
        raise NotFound(f"{email} is not a member of this organization", code="member_not_found")
    return Actor(kind="user", role=row.role, user_id=row.id, organization_id=org_id)


# --- the inbox of one user -----------------------------------------------------------


def _inbox(user_id: int) -> sa.Select[Any]:
    return sa.select(Notification).where(Notification.user_id == user_id)


def list_notifications(
    actor: Actor | None, *, unread_only: bool = False, limit: int = 50, cursor: str | None = None
) -> Page:
    """The actor's notifications in the current organization, newest first."""
    stmt = _inbox(_user_id(actor))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return keyset_page(stmt, [Notification.id], limit=limit, cursor=cursor, descending=True)


def unread_count(actor: Actor | None) -> int:
    user_id = _user_id(actor)
    stmt = (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return db.session.scalar(stmt) or 0


def mark_read(actor: Actor | None, notification_id: int) -> Notification:
    user_id = _user_id(actor)
    item = db.session.scalars(_inbox(user_id).where(Notification.id == notification_id)).first()
    if item is None:
        raise NotFound("notification not found")
    if item.read_at is None:
        item.read_at = utcnow()
        db.session.flush()
    return item


def mark_all_read(actor: Actor | None) -> int:
    user_id = _user_id(actor)
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=sa.func.now())
    )
    return result.rowcount or 0


def get_preferences(actor: Actor | None) -> list[dict[str, Any]]:
    """Every type with the actor's effective choice per channel."""
    user_id = _user_id(actor)
    stored = {
        (p.type, p.channel): p.enabled
        for p in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    return [
        {
            "type": kind.key,
            "label": kind.label,
            # Whether the actor's role receives this type at all (the UI hides the rest).
            "relevant": actor is not None and actor.role in kind.audience,
            "in_app": stored.get((kind.key, "in_app"), kind.in_app_default),
            "email": stored.get((kind.key, "email"), kind.email_default),
        }
        for kind in TYPES.values()
    ]


def set_preferences(actor: Actor | None, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply ``[{type, in_app?, email?}]``; choices equal to the default are not stored."""
    user_id = _user_id(actor)
    for change in changes:
        kind = TYPES.get(change.get("type", ""))
        if kind is None:
            raise ValidationFailed(
                f"unknown notification type {change.get('type')!r}",
                code="unknown_notification_type",
            )
        for channel in CHANNELS:
            if channel not in change:
                continue
            enabled = bool(change[channel])
            default = kind.in_app_default if channel == "in_app" else kind.email_default
            existing = db.session.scalars(
                sa.select(NotificationPreference).where(
                    NotificationPreference.user_id == user_id,
                    NotificationPreference.type == kind.key,
                    NotificationPreference.channel == channel,
                )
            ).first()
            if enabled == default:
                if existing is not None:
                    db.session.delete(existing)
            elif existing is None:
                db.session.add(
                    NotificationPreference(
                        user_id=user_id, type=kind.key, channel=channel, enabled=enabled
                    )
                )
            else:
                existing.enabled = enabled
    db.session.flush()
    return get_preferences(actor)
