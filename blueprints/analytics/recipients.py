"""From a token's recipient id to its organization, campaign and link table.

Tracking tokens carry only a recipient id (``blueprints.campaigns.links``); the tenant
comes from the stored recipient, never from the request. The click redirect is hot, so
two per-process caches keep the database out of it:

- ``RecipientIndex`` maps recipient ids to ``(organization, campaign)``. A campaign's
  recipients are snapshotted by one ``INSERT ... SELECT``, so their ids are usually one
  dense range: on the first miss for a campaign its ``min(id)``, ``max(id)`` and
  ``count(*)`` are read, and when ``max - min + 1 == count`` the whole range is known to
  be that campaign's (ids are unique, so no other recipient can be inside it), and
  every later hit in it is answered from memory. Sparse campaigns fall back to a
  bounded per-recipient cache.
- ``LinkTables`` keeps each campaign's pinned link table (index -> URL) for a few
  minutes.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from blueprints.campaigns.models import Campaign, CampaignRecipient
from engagex.db import db
from engagex.tenancy import system_scope

LINK_TTL = 300.0
MAX_RANGES = 4096
MAX_SINGLES = 100_000
MAX_LINK_TABLES = 2048


@dataclass(frozen=True, slots=True)
class RecipientRef:
    """What the analytics need of a stored recipient."""

    id: int
    organization_id: int
    campaign_id: int
    contact_id: int | None
    email: str
    sent_at: datetime | None


def resolve(ids: Iterable[int]) -> dict[int, RecipientRef]:
    """The stored recipients of ``ids`` (all organizations: the caller then works in
    each one's tenant context). Unknown ids are absent."""
    wanted = sorted({int(i) for i in ids})
    found: dict[int, RecipientRef] = {}
    r = CampaignRecipient
    with system_scope():
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            rows = db.session.execute(
                sa.select(
                    r.id, r.organization_id, r.campaign_id, r.contact_id, r.email, r.sent_at
                ).where(r.id.in_(chunk))
            )
            for row in rows:
                found[row.id] = RecipientRef(*row)
    return found


class RecipientIndex:
    """Recipient id -> ``(organization_id, campaign_id)``, per process (see module doc)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._starts: list[int] = []
        self._ranges: list[tuple[int, int, int, int]] = []  # start, end, org, campaign
        self._singles: OrderedDict[int, tuple[int, int]] = OrderedDict()
        self._sparse: OrderedDict[int, float] = OrderedDict()  # campaign -> checked at

    def clear(self) -> None:
        with self._lock:
            self._starts.clear()
            self._ranges.clear()
            self._singles.clear()
            self._sparse.clear()

    def _cached(self, rid: int) -> tuple[int, int] | None:
        position = bisect.bisect_right(self._starts, rid) - 1
        if position >= 0:
            start, end, org, campaign = self._ranges[position]
            if start <= rid <= end:
                return org, campaign
        return self._singles.get(rid)

    def peek(self, rid: int) -> tuple[int, int] | None:
        """From memory only."""
        with self._lock:
            return self._cached(rid)

    def lookup(self, rid: int) -> tuple[int, int] | None:
        with self._lock:
            hit = self._cached(rid)
        if hit is not None:
            return hit
        return self._load(rid)

    def _load(self, rid: int) -> tuple[int, int] | None:
        r = CampaignRecipient
        with system_scope():
            row = db.session.execute(
                sa.select(r.organization_id, r.campaign_id).where(r.id == rid)
            ).first()
            if row is None:
                return None
            org, campaign = int(row[0]), int(row[1])
            with self._lock:
                checked = campaign in self._sparse
            span = None
            if not checked:
                span = db.session.execute(
                    sa.select(sa.func.min(r.id), sa.func.max(r.id), sa.func.count()).where(
                        r.organization_id == org, r.campaign_id == campaign
                    )
                ).one()
        with self._lock:
            if span is not None and span[0] is not None and span[1] - span[0] + 1 == span[2]:
                self._add_range(int(span[0]), int(span[1]), org, campaign)
            else:
                self._sparse[campaign] = time.monotonic()
                while len(self._sparse) > MAX_RANGES:
                    self._sparse.popitem(last=False)
                self._singles[rid] = (org, campaign)
                while len(self._singles) > MAX_SINGLES:
                    self._singles.popitem(last=False)
        return org, campaign

    def _add_range(self, start: int, end: int, org: int, campaign: int) -> None:
        position = bisect.bisect_left(self._starts, start)
        if position < len(self._starts) and self._starts[position] == start:
            # The same campaign seen again with more recipients: keep the wider range.
            self._ranges[position] = (start, max(end, self._ranges[position][1]), org, campaign)
            return
        self._starts.insert(position, start)
        self._ranges.insert(position, (start, end, org, campaign))
        if len(self._ranges) > MAX_RANGES:
            # Forget the oldest campaigns (lowest ids): their mail is least clicked.
            del self._starts[0]
            del self._ranges[0]


class LinkTables:
    """A campaign's pinned link table, cached per process for ``LINK_TTL`` seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: OrderedDict[int, tuple[float, tuple[str, ...]]] = OrderedDict()

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()

    def peek(self, campaign_id: int) -> tuple[str, ...] | None:
        """From memory only (None when absent or stale)."""
        with self._lock:
            hit = self._tables.get(campaign_id)
        if hit is None or hit[0] <= time.monotonic():
            return None
        return hit[1]

    def get(self, campaign_id: int) -> tuple[str, ...]:
        now = time.monotonic()
        with self._lock:
            hit = self._tables.get(campaign_id)
            if hit is not None and hit[0] > now:
                return hit[1]
        with system_scope():
            links = db.session.execute(
                sa.select(Campaign.links)
                .where(Campaign.id == campaign_id)
                .execution_options(include_deleted=True)
            ).scalar()
        table = tuple(str(url) for url in (links or ()))
        with self._lock:
            self._tables[campaign_id] = (now + LINK_TTL, table)
            self._tables.move_to_end(campaign_id)
            while len(self._tables) > MAX_LINK_TABLES:
                self._tables.popitem(last=False)
        return table


recipient_index = RecipientIndex()
link_tables = LinkTables()


def destination(recipient_id: int, link_index: int) -> tuple[int, int, str] | None:
    """``(organization_id, campaign_id, url)`` of a click, or None (unknown recipient or
    link: the caller answers 404 and never redirects)."""
    found = recipient_index.lookup(recipient_id)
    if found is None:
        return None
    org, campaign = found
    table = link_tables.get(campaign)
    if not 0 <= link_index < len(table):
        return None
    return org, campaign, table[link_index]


def cached_destination(recipient_id: int, link_index: int) -> tuple[int, int, str] | None:
    """``destination`` from the caches alone; None when the database must be asked."""
    found = recipient_index.peek(recipient_id)
    if found is None:
        return None
    table = link_tables.peek(found[1])
    if table is None or not 0 <= link_index < len(table):
        return None
    return found[0], found[1], table[link_index]
