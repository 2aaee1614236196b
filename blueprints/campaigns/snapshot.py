"""The recipient snapshot: a campaign's audience copied once, when sending starts.

On PostgreSQL the audience goes in with one ``INSERT ... SELECT`` (no Python loop over
contacts): the contacts domain's ``audience_select`` (live, subscribed, not suppressed,
each contact once) minus the campaign's exclusions and seeds, numbered into batches by
``row_number() OVER ()`` on the way in. The tenant's row-level-security setting confines
every table the statement reads (the ORM's automatic tenant filter does not reach inside
an ``INSERT ... SELECT``), and the contacts are filtered by organization explicitly too.

On SQLite (the embedded mode, no row-level security) the same selection is read through
the ORM, whose tenant filter does apply, and inserted in chunks.

Seed addresses come first, as batch 0, so they are claimed first. Batches are then
written, one row per ``batch_size`` recipients. The snapshot is idempotent:
``snapshot_at`` is set in the same transaction, and the caller holds the campaign row
(it has just moved it to ``sending``), so a second run returns the first count.
"""

from __future__ import annotations

from itertools import islice

import sqlalchemy as sa

from blueprints.campaigns import audience
from blueprints.campaigns.models import Campaign, CampaignBatch, CampaignRecipient
from engagex.db import db, utcnow

_COLUMNS = ["organization_id", "campaign_id", "contact_id", "email", "batch_no", "is_seed"]
_CHUNK = 5000


def _insert_rows(rows: list[dict[str, object]]) -> None:
    if rows:
        db.session.execute(sa.insert(CampaignRecipient), rows)


def _seeds(campaign: Campaign) -> int:
    seeds = list(dict.fromkeys(campaign.seed_emails or []))
    if not seeds:
        return 0
    contact_ids = audience.contact_ids_by_email(seeds)
    _insert_rows(
        [
            {
                "organization_id": campaign.organization_id,
                "campaign_id": campaign.id,
                "contact_id": contact_ids.get(email),
                "email": email,
                "batch_no": 0,
                "is_seed": True,
            }
            for email in seeds
        ]
    )
    return len(seeds)


def _audience_postgres(campaign: Campaign, first_batch: int) -> int:
    chosen = audience.selection(campaign, campaign.seed_emails or []).subquery("audience")
    # Integer division of the row number: both operands are ints the code controls.
    batch_no = sa.literal_column(
        f"(row_number() OVER () - 1) / {int(campaign.batch_size)} + {int(first_batch)}",
        sa.Integer,
    )
    stmt = sa.insert(CampaignRecipient).from_select(
        _COLUMNS,
        sa.select(
            sa.literal(campaign.organization_id, sa.BigInteger),
            sa.literal(campaign.id, sa.BigInteger),
            chosen.c.id,
            chosen.c.email,
            batch_no,
            sa.false(),
        ),
    )
    # The row count of an INSERT is only kept when asked for (SQLAlchemy >= 2.0.28).
    return db.session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def _audience_sqlite(campaign: Campaign, first_batch: int) -> int:
    rows = db.session.execute(audience.selection(campaign, campaign.seed_emails or []))
    size = campaign.batch_size
    inserted = 0
    while chunk := list(islice(rows, _CHUNK)):
        _insert_rows(
            [
                {
                    "organization_id": campaign.organization_id,
                    "campaign_id": campaign.id,
                    "contact_id": contact_id,
                    "email": email,
                    "batch_no": first_batch + (inserted + i) // size,
                    "is_seed": False,
                }
                for i, (contact_id, email) in enumerate(chunk)
            ]
        )
        inserted += len(chunk)
    return inserted


def _batches(campaign: Campaign, seeds: int, members: int) -> None:
    size = campaign.batch_size
    rows = []
    if seeds:
        rows.append((0, seeds))
    first = 1 if seeds else 0
    for index in range((members + size - 1) // size):
        rows.append((first + index, min(size, members - index * size)))
    for start in range(0, len(rows), _CHUNK):
        db.session.execute(
            sa.insert(CampaignBatch),
            [
                {
                    "organization_id": campaign.organization_id,
                    "campaign_id": campaign.id,
                    "number": number,
                    "size": count,
                    "status": "pending",
                }
                for number, count in rows[start : start + _CHUNK]
            ],
        )


def snapshot(campaign: Campaign) -> int:
    """Copy the audience into ``campaign_recipients``; returns the recipient count.

    Call it with the campaign's row locked (just moved to ``sending``). Idempotent.
    """
    if campaign.snapshot_at is not None:
        return campaign.recipients_total
    seeds = _seeds(campaign)
    first_batch = 1 if seeds else 0
    if db.session.get_bind().dialect.name == "postgresql":
        members = _audience_postgres(campaign, first_batch)
    else:
        members = _audience_sqlite(campaign, first_batch)
    _batches(campaign, seeds, members)
    campaign.recipients_total = seeds + members
    campaign.snapshot_at = utcnow()
    db.session.flush()
    return campaign.recipients_total
