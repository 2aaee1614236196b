"""Unsubscribing from a message's link: the page, RFC 8058 one-click, preferences.

The token (``/u/<token>``) is the recipient's; the organization is the stored
recipient's. Unsubscribing is an ``unsubscribe`` event like the provider's (one key per
recipient, so stats count a person once however many times the link is posted) and
sets the contact ``unsubscribed``. "Only this list" removes the contact from the
campaign's groups and is counted as an unsubscription too, without touching the
contact's status. Resubscribing undoes an unsubscription (never a bounce or a
complaint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from blueprints.accounts import services as accounts
from blueprints.analytics import contact_status, ingest, recipients
from blueprints.analytics.events import EventIn
from blueprints.campaigns.models import Campaign
from blueprints.contacts import audience
from blueprints.contacts import services as contacts
from blueprints.contacts.models import GroupMember
from engagex.db import db
from engagex.errors import NotFound
from engagex.tenancy import require_org_id
from engagex.tokens import BadToken, verify

PURPOSE = "unsubscribe"


@dataclass(frozen=True)
class Subscription:
    """One recipient as the unsubscribe page sees it."""

    ref: recipients.RecipientRef
    organization: str
    status: str | None  # the contact's status (a seed address: from the suppression list)
    group_ids: tuple[int, ...]  # the campaign's groups the contact is still in

    @property
    def unsubscribed(self) -> bool:
        return self.status not in (None, "subscribed")

    @property
    def can_resubscribe(self) -> bool:
        """Only a contact who unsubscribed (a seed address has no contact to change)."""
        return self.ref.contact_id is not None and self.status in ("subscribed", "unsubscribed")


def recipient_of(token: str) -> recipients.RecipientRef:
    """The recipient of an unsubscribe token; ``NotFound`` for a bad token or one whose
    recipient no longer exists."""
    try:
        (recipient_id,) = verify(current_app.config["SECRET_KEY"], PURPOSE, token, 1)
    except BadToken as exc:
        raise NotFound("this unsubscribe link is not valid", code="invalid_link") from exc
    ref = recipients.resolve([recipient_id]).get(recipient_id)
    if ref is None:
        raise NotFound("this unsubscribe link is no longer valid", code="invalid_link")
    return ref


def load(ref: recipients.RecipientRef) -> Subscription:
    """Call in the recipient's tenant context."""
    org = accounts.get_organization_by_id(ref.organization_id)
    groups: tuple[int, ...] = ()
    if ref.contact_id is not None:
        campaign_groups = (
            db.session.scalar(
                sa.select(Campaign.group_ids)
                .where(Campaign.id == ref.campaign_id)
                .execution_options(include_deleted=True)
            )
            or []
        )
        if campaign_groups:
            groups = tuple(
                db.session.scalars(
                    sa.select(GroupMember.group_id).where(
                        GroupMember.contact_id == ref.contact_id,
                        GroupMember.group_id.in_([int(g) for g in campaign_groups]),
                    )
                )
            )
    if ref.contact_id is not None:
        status = contact_status.status_of(ref.contact_id)
    else:  # a seed address: its wish is on the suppression list
        status = "unsubscribed" if audience.suppression_of(ref.email) else "subscribed"
    return Subscription(ref, org.name, status, groups)


def _event(ref: recipients.RecipientRef, at: datetime, source: str, scope: str) -> EventIn:
    return EventIn(
        type="unsubscribe",
        recipient_id=ref.id,
        occurred_at=at,
        key=f"unsubscribe:{ref.id}" if scope == "all" else f"unsubscribe-lists:{ref.id}",
        source=source,
        data={"scope": scope},
    )


def unsubscribe(sub: Subscription, at: datetime, *, source: str = "page") -> None:
    """Unsubscribe from everything the organization sends (flushes, no commit)."""
    require_org_id()
    ingest.record([_event(sub.ref, at, source, "all")])
    # Again here: a person who resubscribed and unsubscribes again has no new event.
    if sub.ref.contact_id is not None:
        contact_status.raise_status([sub.ref.contact_id], "unsubscribed")
    else:
        contact_status.suppress([sub.ref.email], "unsubscribed")


def leave_lists(sub: Subscription, at: datetime) -> int:
    """Leave the campaign's groups only; returns how many groups were left."""
    left = 0
    for group_id in sub.group_ids:
        try:
            left += contacts.remove_from_group(None, group_id, contact_ids=[sub.ref.contact_id])
        except NotFound:
            continue  # the group or the contact is gone: nothing to leave
    ingest.record([_event(sub.ref, at, "page", "lists")])
    return left


def resubscribe(sub: Subscription) -> bool:
    if sub.ref.contact_id is None:
        return False
    return contact_status.resubscribe(sub.ref.contact_id)
