"""Live progress of a campaign: counts, rate, ETA (``GET /campaigns/{id}/stats``,
``engagex campaigns status ID --watch``).

Counts come from the campaign row (added per recorded batch, so they are exact and
cheap to read); the rate is what the batches recorded over the last minute, the ETA
the queued recipients at that rate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from blueprints.campaigns import audience, batches
from blueprints.campaigns.models import CampaignBatch
from blueprints.campaigns.services.campaigns import get_campaign
from blueprints.campaigns.services.lifecycle import counts
from engagex.db import db
from engagex.permissions import Actor

RATE_WINDOW = timedelta(seconds=60)
MAX_ERRORS = 5


def _seconds(start: datetime | None, end: datetime) -> float | None:
    if start is None:
        return None
    start = start if start.tzinfo else start.replace(tzinfo=end.tzinfo)
    return max((end - start).total_seconds(), 0.0)


def stats(actor: Actor | None, campaign_id: int) -> dict[str, Any]:
    """Counts, percent done, current and average rate (recipients/s), ETA, batches and
    the latest distinct errors; for a draft or scheduled campaign the audience size."""
    campaign = get_campaign(actor, campaign_id)
    now = batches.db_now()
    numbers = counts(campaign)
    processed = numbers["sent"] + numbers["failed"] + numbers["skipped"] + numbers["cancelled"]
    b = CampaignBatch
    per_status = dict(
        db.session.execute(
            sa.select(b.status, sa.func.count())
            .where(b.campaign_id == campaign.id)
            .group_by(b.status)
        ).all()
    )
    since = now - RATE_WINDOW
    recent = (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(b.sent + b.failed + b.skipped), 0)).where(
                b.campaign_id == campaign.id, b.finished_at >= since
            )
        )
        or 0
    )
    end = campaign.finished_at or now
    elapsed = _seconds(campaign.started_at, end if end.tzinfo else end.replace(tzinfo=now.tzinfo))
    window = min(RATE_WINDOW.total_seconds(), elapsed or 0.0)
    rate = recent / window if campaign.status == "sending" and window > 0 else 0.0
    average = (processed - numbers["cancelled"]) / elapsed if elapsed else 0.0
    eta = None
    if campaign.status == "sending" and numbers["queued"]:
        speed = rate or average
        eta = round(numbers["queued"] / speed, 1) if speed > 0 else None
    errors = [
        row[0]
        for row in db.session.execute(
            sa.select(b.last_error, sa.func.max(b.finished_at))
            .where(b.campaign_id == campaign.id, b.last_error.is_not(None))
            .group_by(b.last_error)
            .order_by(sa.func.max(b.finished_at).desc().nulls_last())
            .limit(MAX_ERRORS)
        )
    ]
    result: dict[str, Any] = {
        "campaign_id": campaign.id,
        "status": campaign.status,
        "status_code": campaign.status_code,
        "status_reason": campaign.status_reason,
        **numbers,
        "percent": round(100.0 * processed / numbers["recipients"], 1)
        if numbers["recipients"]
        else (100.0 if campaign.status == "sent" else 0.0),
        "rate_per_second": round(rate, 1),
        "average_rate_per_second": round(average, 1),
        "eta_seconds": eta,
        "started_at": campaign.started_at,
        "finished_at": campaign.finished_at,
        "elapsed_seconds": round(elapsed, 1) if elapsed is not None else None,
        "batches": {
            s: int(per_status.get(s, 0)) for s in ("pending", "sending", "done", "cancelled")
        },
        "errors": errors,
        "audience": None,
    }
    if campaign.status in ("draft", "scheduled"):
        result["audience"] = audience.count(campaign)
    return result
