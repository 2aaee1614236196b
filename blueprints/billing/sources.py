"""What billing reads from other domains, isolated here: contacts held, seats, the org.

These are the only places billing touches another domain's tables. Each function runs
in the tenant context of ``org_id`` (the automatic tenant filter does the scoping).
Contacts come from ``blueprints.contacts``; when that domain is not installed the count
is ``None`` ("unknown") and callers say so instead of guessing.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from engagex.db import db
from engagex.tenancy import current_org_id, current_scope, tenant_context

log = logging.getLogger(__name__)
_warned = False


@contextmanager
def in_org(org_id: int) -> Iterator[None]:
    """Work in ``org_id``'s tenant context, keeping the caller's if it is already that."""
    if current_org_id() == org_id:
        yield
        return
    with tenant_context(org_id, current_scope().user_id):
        yield


def _contact_model() -> type | None:
    try:
        module = importlib.import_module("blueprints.contacts.models")
    except ModuleNotFoundError as exc:
        if exc.name not in ("blueprints.contacts", "blueprints.contacts.models"):
            raise
        return None
    return getattr(module, "Contact", None)


def count_contacts(org_id: int) -> int | None:
    """Contacts the organization holds (every status, not deleted); None if unknown."""
    model = _contact_model()
    if model is None:
        global _warned
        if not _warned:
            log.warning("contacts domain not installed: the contact count is unknown")
            _warned = True
        return None
    with in_org(org_id):
        # The tenant filter and the soft-delete filter apply to this ORM query.
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def count_seats(org_id: int) -> int:
    """Seats in use: the organization's memberships."""
    from blueprints.accounts.models import Membership

    with in_org(org_id):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) or 0)


@dataclass(frozen=True)
class OrgInfo:
    id: int
    name: str
    slug: str
    created_at: datetime
    owner_email: str | None


def organization_info(org_id: int) -> OrgInfo:
    """Name, slug, creation time and an owner's email (for the Stripe customer)."""
    from blueprints.accounts.models import Membership, Organization, User

    org = db.session.get(Organization, org_id)
    if org is None:
        from engagex.errors import NotFound

        raise NotFound("organization not found", code="organization_not_found")
    with in_org(org_id):
        email = db.session.scalar(
            sa.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role == "owner")
            .order_by(Membership.id)
            .limit(1)
        )
    return OrgInfo(org.id, org.name, org.slug, org.created_at, email)
