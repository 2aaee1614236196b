"""Everything the campaigns domain reads of the contacts domain, in one place.

- ``selection``: the sendable contacts of a campaign's groups and segments, minus its
  excluded groups and segments and its seed addresses (``audience_select`` of the
  contacts domain, which already drops unsubscribed, bounced, complained and
  suppressed addresses and counts each contact once);
- ``batch_rows``: a batch's recipients with their contact data as it is *now*, and
  whether each may still be sent to (suppression re-checked at send time);
- erasure: ``contact_erased`` anonymises the recipients and messages of an address, and
  per-contact exports get a ``campaigns`` section.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from blueprints.campaigns.models import Campaign, CampaignRecipient, TransactionalMessage
from blueprints.contacts import audience as contacts_audience
from blueprints.contacts import services as contacts
from blueprints.contacts.models import Contact, Suppression
from blueprints.contacts.models import GroupMember as Member
from engagex.db import db
from engagex.errors import NotFound, ValidationFailed

ERASED_EMAIL = "erased@erased.invalid"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def check_groups(ids: Sequence[int]) -> None:
    """Raise 422 ``group_not_found`` unless every id is a group of the organization."""
    for group_id in ids:
        try:
            contacts.get_group(None, group_id)
        except NotFound as exc:
            raise ValidationFailed(
                f"group {group_id} not found", code="group_not_found", details={"id": group_id}
            ) from exc


def check_segments(ids: Sequence[int]) -> None:
    for segment_id in ids:
        try:
            contacts_audience.get_segment(None, segment_id)
        except NotFound as exc:
            raise ValidationFailed(
                f"segment {segment_id} not found",
                code="segment_not_found",
                details={"id": segment_id},
            ) from exc


def selection(campaign: Campaign, seeds: Sequence[str] = ()) -> sa.Select[Any]:
    """``SELECT id, email`` of the contacts the campaign goes to (seeds left out)."""
    stmt = contacts_audience.audience_select(campaign.group_ids or [], campaign.segment_ids or [])
    exclusions: list[sa.ColumnElement[bool]] = []
    if campaign.exclude_group_ids:
        exclusions.append(
            sa.select(Member.contact_id)
            .where(
                Member.contact_id == Contact.id,
                Member.group_id.in_(list(campaign.exclude_group_ids)),
            )
            .exists()
        )
    for segment_id in campaign.exclude_segment_ids or []:
        segment = contacts_audience.get_segment(None, segment_id)
        exclusions.append(contacts_audience.segment_condition(segment))
    if exclusions:
        stmt = stmt.where(sa.not_(sa.or_(*exclusions)))
    if seeds:
        stmt = stmt.where(Contact.email.notin_(list(seeds)))
    return stmt.where(Contact.organization_id == campaign.organization_id)


def count(campaign: Campaign) -> int:
    """How many recipients the campaign would have if it started now: its audience and
    its seed addresses, each address once (as the snapshot counts them)."""
    seeds = list(dict.fromkeys(campaign.seed_emails or []))
    if not (campaign.group_ids or campaign.segment_ids):
        return len(seeds)
    inner = selection(campaign, seeds).subquery()
    return (db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0) + len(seeds)


def contact_ids_by_email(emails: Sequence[str]) -> dict[str, int]:
    """Live contacts among ``emails`` (seed addresses that are contacts too)."""
    if not emails:
        return {}
    rows = db.session.execute(
        sa.select(Contact.email, Contact.id).where(Contact.email.in_(list(emails)))
    )
    return {email: contact_id for email, contact_id in rows}


def _domain(column: Any) -> Any:
    if _dialect() == "postgresql":
        return sa.func.split_part(column, "@", 2)
    return sa.func.substr(column, sa.func.instr(column, "@") + 1)


def batch_rows(campaign_id: int, batch_no: int) -> list[sa.Row[Any]]:
    """The queued recipients of one batch with their contact's current data.

    Columns: ``id, email, is_seed, first_name, last_name, attributes, contact_status``
    (None when the contact was deleted or erased since the snapshot), ``contact_id``,
    ``attempts`` and ``suppressed`` (the address or its domain is on the suppression
    list now).
    """
    r = CampaignRecipient
    suppressed = (
        sa.select(Suppression.id)
        .where(Suppression.value.in_([r.email, _domain(r.email)]))
        .exists()
        .label("suppressed")
    )
    stmt = (
        sa.select(
            r.id,
            r.email,
            r.is_seed,
            Contact.first_name,
            Contact.last_name,
            Contact.attributes,
            Contact.status.label("contact_status"),
            r.contact_id,
            r.attempts,
            suppressed,
        )
        .select_from(r)
        .outerjoin(Contact, Contact.id == r.contact_id)
        .where(r.campaign_id == campaign_id, r.batch_no == batch_no, r.status == "queued")
        .order_by(r.id)
    )
    return list(db.session.execute(stmt))


def skip_reason(row: sa.Row[Any]) -> str | None:
    """Why a loaded recipient must not be sent to any more, or None."""
    if row.suppressed:
        return "suppressed"
    if row.contact_id is not None and row.contact_status is None:
        return "contact deleted"
    if row.contact_status is not None and row.contact_status != "subscribed":
        return row.contact_status
    return None


# --- privacy -------------------------------------------------------------------------


def erase(org_id: int, email: str, contact_ids: Sequence[int]) -> None:
    """Anonymise every copy of ``email`` this domain holds (``contact_erased``)."""
    condition = CampaignRecipient.email == email
    if contact_ids:
        condition = sa.or_(condition, CampaignRecipient.contact_id.in_(list(contact_ids)))
    db.session.execute(
        sa.update(CampaignRecipient)
        .where(condition)
        .values(email=ERASED_EMAIL, contact_id=None, error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(TransactionalMessage)
        .where(TransactionalMessage.to_email == email)
        .values(to_email=ERASED_EMAIL, to_name=None, data={})
        .execution_options(synchronize_session=False)
    )


def on_contact_erased(
    sender: Any, *, org_id: int, email: str, contact_ids: list[int], **_: Any
) -> None:
    erase(org_id, email, contact_ids)


def data_section(org_id: int, email: str, contact_ids: list[int]) -> dict[str, Any]:
    """The per-contact export section: what was sent to the address."""
    r = CampaignRecipient
    condition = r.email == email
    if contact_ids:
        condition = sa.or_(condition, r.contact_id.in_(contact_ids))
    rows = db.session.execute(
        sa.select(r.campaign_id, Campaign.name, r.email, r.status, r.sent_at, r.error)
        .join(Campaign, Campaign.id == r.campaign_id)
        .where(condition)
        .order_by(r.id)
        .execution_options(include_deleted=True)
    )
    messages = db.session.scalars(
        sa.select(TransactionalMessage)
        .where(TransactionalMessage.to_email == email)
        .order_by(TransactionalMessage.id)
    )
    return {
        "campaigns": [
            {
                "campaign_id": row.campaign_id,
                "campaign": row.name,
                "email": row.email,
                "status": row.status,
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "error": row.error,
            }
            for row in rows
        ],
        "messages": [
            {
                "id": m.id,
                "to": m.to_email,
                "status": m.status,
                "created_at": m.created_at.isoformat() if m.created_at else None,
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in messages
        ],
    }
