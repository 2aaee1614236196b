"""Personal data in the analytics: erasure and the per-contact export.

Events and activity rows hold no address; they point at a recipient and a contact,
and a few hold personal details (a bounce's diagnostic often quotes the address, a
click its URL). On ``contact_erased`` the rows of that contact, and of the recipients
that had the address, lose their contact id, client name and details. Counters
(campaign statistics) carry nothing personal and stay.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from blueprints.analytics.models import AnalyticsEvent, RecipientActivity
from blueprints.campaigns.models import CampaignRecipient
from engagex.db import db

EXPORT_LIMIT = 5000


def _recipient_ids(email: str) -> sa.Select[Any]:
    return sa.select(CampaignRecipient.id).where(CampaignRecipient.email == email)


def erase(org_id: int, email: str, contact_ids: list[int]) -> None:
    """Anonymise every event and activity row of the address (same transaction)."""
    e, a = AnalyticsEvent, RecipientActivity
    event_match = e.recipient_id.in_(_recipient_ids(email))
    activity_match = a.recipient_id.in_(_recipient_ids(email))
    if contact_ids:
        event_match = sa.or_(event_match, e.contact_id.in_(contact_ids))
        activity_match = sa.or_(activity_match, a.contact_id.in_(contact_ids))
    db.session.execute(
        sa.update(e)
        .where(event_match)
        .values(contact_id=None, user_agent=None, data={})
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(a)
        .where(activity_match)
        .values(contact_id=None)
        .execution_options(synchronize_session=False)
    )


def on_contact_erased(
    sender: Any, *, org_id: int, email: str, contact_ids: list[int], **_: Any
) -> None:
    erase(org_id, email, contact_ids)


def data_section(org_id: int, email: str, contact_ids: list[int]) -> dict[str, Any]:
    """The per-contact export: what the address did with the messages it got."""
    e = AnalyticsEvent
    match = e.recipient_id.in_(_recipient_ids(email))
    if contact_ids:
        match = sa.or_(match, e.contact_id.in_(contact_ids))
    events = db.session.scalars(sa.select(e).where(match).order_by(e.id).limit(EXPORT_LIMIT))
    return {
        "events": [
            {
                "type": event.type,
                "campaign_id": event.campaign_id,
                "occurred_at": event.occurred_at.isoformat() if event.occurred_at else None,
                "machine": event.machine,
                "client": event.user_agent,
                "link_index": event.link_index,
                "details": event.data or {},
            }
            for event in events
        ]
    }
