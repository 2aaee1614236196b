"""What provider events and unsubscriptions do to contacts: status and suppression.

A contact's status only moves towards the more severe: ``subscribed`` <
``unsubscribed`` < ``bounced`` < ``complained``. A complaint is never turned back into
a bounce, and an unsubscription never hides a bounce. Hard bounces and complaints also
put the address on the suppression list (``blueprints.contacts.audience.suppress``), so
it stays blocked even if the contact is deleted and imported again.

The contacts domain has no bulk status change for other domains yet; the ``UPDATE``
below is that missing service (one statement for a whole webhook batch).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa

from blueprints.contacts import audience
from blueprints.contacts.models import Contact
from engagex.db import db
from engagex.errors import ValidationFailed

log = logging.getLogger(__name__)

SEVERITY = ("subscribed", "unsubscribed", "bounced", "complained")
SUPPRESSION_REASON = {"bounced": "bounce", "complained": "complaint", "unsubscribed": "unsubscribe"}
ERASED_SUFFIX = ".invalid"


def raise_status(contact_ids: Iterable[int], status: str) -> list[int]:
    """Set ``status`` on those contacts whose status is less severe; returns their ids."""
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        return []
    weaker = list(SEVERITY[: SEVERITY.index(status)])
    changed: list[int] = []
    for start in range(0, len(ids), 5000):
        result = db.session.execute(
            sa.update(Contact)
            .where(Contact.id.in_(ids[start : start + 5000]), Contact.status.in_(weaker))
            .values(status=status, updated_at=sa.func.now())
            .returning(Contact.id)
            .execution_options(synchronize_session=False)
        )
        changed.extend(result.scalars())
    return changed


def suppress(emails: Iterable[str], status: str) -> int:
    """Suppress addresses for a bounce or a complaint (idempotent); returns new entries."""
    reason = SUPPRESSION_REASON[status]
    added = 0
    for email in sorted(set(emails)):
        if not email or email.endswith(ERASED_SUFFIX):
            continue  # an erased recipient: nothing left to suppress
        try:
            added += int(audience.suppress(email, reason))
        except ValidationFailed:
            log.warning("not suppressing an address that does not parse: %r", email)
    return added


def resubscribe(contact_id: int) -> bool:
    """Undo an unsubscription (the person's own choice on the unsubscribe page).

    Only an ``unsubscribed`` contact is resubscribed: a bounce or a complaint stays.
    """
    result = db.session.execute(
        sa.update(Contact)
        .where(Contact.id == contact_id, Contact.status == "unsubscribed")
        .values(status="subscribed", updated_at=sa.func.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def status_of(contact_id: int | None) -> str | None:
    if contact_id is None:
        return None
    return db.session.scalar(sa.select(Contact.status).where(Contact.id == contact_id))
