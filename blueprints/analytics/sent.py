"""Mirroring what the sending pipeline recorded: ``sent`` per campaign and per hour.

The pipeline writes each recipient's ``sent_at`` and the campaign's ``sent_count`` in
bulk per batch; it has no per-batch signal. ``sync(campaign_id)`` copies the
campaign's counter into ``campaign_stats.sent`` and recounts its sends per UTC hour
(one grouped query over the campaign's recipients, by its index) into
``campaign_hourly_stats.sent``. It *sets* values, so it can run any number of times:
when a campaign finishes, pauses, is cancelled or fails (signals), when a campaign's
statistics are read, and (``sync_recent``) before the overview and the complaint guard
read a window that campaigns still sending, or whose statistics lag, contribute to.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from blueprints.analytics.models import COUNTERS, CampaignHourlyStats, CampaignStats
from blueprints.analytics.sql import insert, truncate_hour
from blueprints.campaigns.models import Campaign, CampaignRecipient
from engagex.db import db
from engagex.tenancy import require_org_id


def _hour(value: object) -> datetime:
    if isinstance(value, str):  # SQLite's strftime
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sync(campaign_id: int) -> int:
    """Copy the campaign's sends into the statistics; returns its ``sent`` count."""
    org_id = require_org_id()
    sent_count = db.session.scalar(
        sa.select(Campaign.sent_count)
        .where(Campaign.id == campaign_id)
        .execution_options(include_deleted=True)
    )
    if sent_count is None:
        return 0
    r = CampaignRecipient
    hour = truncate_hour(r.sent_at).label("hour")
    per_hour = db.session.execute(
        sa.select(hour, sa.func.count())
        .where(
            r.organization_id == org_id,
            r.campaign_id == campaign_id,
            r.status == "sent",
            r.sent_at.is_not(None),
        )
        .group_by(hour)
    ).all()
    stats = insert(CampaignStats).on_conflict_do_update(
        index_elements=["campaign_id"], set_={"sent": sent_count}
    )
    db.session.execute(
        stats, [{"organization_id": org_id, "campaign_id": campaign_id, "sent": sent_count}]
    )
    if per_hour:
        rows = [
            {
                "organization_id": org_id,
                "campaign_id": campaign_id,
                "hour": _hour(h),
                "sent": int(n),
                **dict.fromkeys(COUNTERS, 0),
            }
            for h, n in per_hour
        ]
        stmt = insert(CampaignHourlyStats)
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["organization_id", "campaign_id", "hour"],
                set_={"sent": stmt.excluded.sent},
            ),
            rows,
        )
    return int(sent_count)


def sync_recent(since: datetime) -> list[int]:
    """Sync the organization's campaigns that may have sent since ``since`` and whose
    statistics lag behind: sending ones always, others when ``campaign_stats.sent``
    differs from the campaign's counter (e.g. a signal was missed). Returns their ids."""
    c, s = Campaign, CampaignStats
    stmt = (
        sa.select(c.id)
        .outerjoin(s, s.campaign_id == c.id)
        .where(
            sa.or_(
                c.status == "sending",
                sa.and_(
                    sa.or_(c.finished_at >= since, c.last_activity_at >= since),
                    sa.func.coalesce(s.sent, -1) != c.sent_count,
                ),
            )
        )
        .execution_options(include_deleted=True)
    )
    ids = list(db.session.scalars(stmt))
    for campaign_id in ids:
        sync(campaign_id)
    return ids
