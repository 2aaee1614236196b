"""Reading the statistics: a campaign's counters and rates, its hourly timeline, its
links, the organization's last 30 days, and the event log.

Rates divide by ``delivered`` when the provider reports deliveries (SendGrid) and by
``sent - bounces`` otherwise (SMTP reports no delivery): see docs/analytics.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from blueprints.analytics import sent
from blueprints.analytics.models import (
    COUNTERS,
    AnalyticsEvent,
    CampaignHourlyStats,
    CampaignLinkStats,
    CampaignStats,
)
from blueprints.analytics.sql import aware, hour_of, now
from blueprints.campaigns.models import Campaign, CampaignRecipient
from engagex.api import Page, keyset_page
from engagex.db import db
from engagex.errors import NotFound, ValidationFailed
from engagex.permissions import Actor, require

SERIES = (
    "sent",
    "delivered",
    "opens",
    "unique_opens",
    "machine_opens",
    "clicks",
    "unique_clicks",
    "machine_clicks",
    "bounces",
    "complaints",
    "unsubscribes",
)
MAX_HOURS = 24 * 62
MAX_DAYS = 365


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.scalars(
        sa.select(Campaign).where(Campaign.id == campaign_id)
    ).one_or_none()
    if campaign is None:
        raise NotFound("campaign not found", code="campaign_not_found")
    return campaign


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole > 0 else 0.0


def rates(counts: dict[str, int]) -> dict[str, Any]:
    """Rates of a counter set; ``delivered_base`` says what they divide by."""
    provider = counts.get("delivered", 0) > 0
    base = (
        counts.get("delivered", 0)
        if provider
        else max(counts.get("sent", 0) - counts.get("bounces", 0), 0)
    )
    all_opens = counts.get("opens", 0) + counts.get("machine_opens", 0)
    return {
        "delivered_base": "delivered" if provider else "sent_minus_bounces",
        "open_rate": _ratio(counts.get("unique_opens", 0), base),
        "click_rate": _ratio(counts.get("unique_clicks", 0), base),
        "click_to_open_rate": _ratio(counts.get("unique_clicks", 0), counts.get("unique_opens", 0)),
        "bounce_rate": _ratio(counts.get("bounces", 0), counts.get("sent", 0)),
        "complaint_rate": _ratio(counts.get("complaints", 0), base),
        "unsubscribe_rate": _ratio(counts.get("unsubscribes", 0), base),
        "machine_open_share": _ratio(counts.get("machine_opens", 0), all_opens),
    }


def _stats_row(campaign: Campaign) -> CampaignStats | None:
    row = db.session.get(CampaignStats, campaign.id)
    if campaign.status == "sending" or row is None or row.sent != campaign.sent_count:
        sent.sync(campaign.id)
        row = db.session.get(CampaignStats, campaign.id, populate_existing=True)
    return row


def campaign_stats(actor: Actor | None, campaign_id: int) -> dict[str, Any]:
    require(actor, "analytics:read")
    campaign = _campaign(campaign_id)
    row = _stats_row(campaign)
    counts = {c: (getattr(row, c) if row else 0) for c in ("sent", *COUNTERS)}
    return {
        "campaign_id": campaign.id,
        "name": campaign.name,
        "status": campaign.status,
        "recipients": campaign.recipients_total,
        "failed": campaign.failed_count,
        **counts,
        "rates": rates(counts),
        "last_event_at": aware(row.last_event_at) if row else None,
    }


def _bounds(
    since: datetime | None, until: datetime | None, first: datetime | None
) -> tuple[datetime, datetime]:
    end = hour_of(until or now())
    start = hour_of(since) if since else (hour_of(first) if first else end)
    if start > end:
        raise ValidationFailed("since must be before until", code="invalid_range")
    if (end - start) / timedelta(hours=1) >= MAX_HOURS:
        start = end - timedelta(hours=MAX_HOURS - 1)
    return start, end


def timeline(
    actor: Actor | None,
    campaign_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Hourly counters (UTC hours, zeros filled in) from the campaign's first activity
    (or ``since``) to now (or ``until``), at most 62 days."""
    require(actor, "analytics:read")
    campaign = _campaign(campaign_id)
    _stats_row(campaign)
    h = CampaignHourlyStats
    rows = {
        hour_of(aware(r.hour) or r.hour): r
        for r in db.session.scalars(sa.select(h).where(h.campaign_id == campaign.id))
    }
    first = min(rows) if rows else aware(campaign.started_at)
    last_data = max(rows) if rows else None
    if until is None and campaign.status not in ("sending", "paused") and last_data is not None:
        until = last_data
    start, end = _bounds(since, until, first)
    points = []
    hour = start
    while hour <= end:
        row = rows.get(hour)
        points.append({"hour": hour, **{s: (getattr(row, s) if row else 0) for s in SERIES}})
        hour += timedelta(hours=1)
    return {"campaign_id": campaign.id, "start": start, "end": end, "points": points}


def links(actor: Actor | None, campaign_id: int) -> dict[str, Any]:
    """Every link of the campaign's pinned link table with its clicks."""
    require(actor, "analytics:read")
    campaign = _campaign(campaign_id)
    table = list(campaign.links or [])
    k = CampaignLinkStats
    found = {
        r.link_index: r
        for r in db.session.scalars(sa.select(k).where(k.campaign_id == campaign.id))
    }
    total = sum(r.clicks for r in found.values())
    items = []
    for index, url in enumerate(table):
        row = found.get(index)
        clicks = row.clicks if row else 0
        items.append(
            {
                "index": index,
                "url": url,
                "clicks": clicks,
                "unique_clicks": row.unique_clicks if row else 0,
                "machine_clicks": row.machine_clicks if row else 0,
                "share": _ratio(clicks, total),
            }
        )
    items.sort(key=lambda item: (-item["clicks"], item["index"]))
    return {"campaign_id": campaign.id, "total_clicks": total, "links": items}


def overview(actor: Actor | None, *, days: int = 30) -> dict[str, Any]:
    """The organization's last ``days`` days (UTC), per day and in total, and its
    campaigns active in that time."""
    require(actor, "analytics:read")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"days must be 1 to {MAX_DAYS}", code="invalid_range")
    today = now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days - 1)
    sent.sync_recent(start)
    h = CampaignHourlyStats
    per_day: dict[datetime, dict[str, int]] = {
        start + timedelta(days=i): dict.fromkeys(SERIES, 0) for i in range(days)
    }
    campaign_totals: dict[int, dict[str, int]] = {}
    for row in db.session.scalars(sa.select(h).where(h.hour >= start)):
        hour = aware(row.hour) or row.hour
        day = hour.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        bucket = per_day.get(day)
        if bucket is None:
            continue
        into = campaign_totals.setdefault(row.campaign_id, dict.fromkeys(SERIES, 0))
        for name in SERIES:
            value = getattr(row, name)
            bucket[name] += value
            into[name] += value
    totals = dict.fromkeys(SERIES, 0)
    for bucket in per_day.values():
        for name in SERIES:
            totals[name] += bucket[name]
    names = (
        dict(
            db.session.execute(
                sa.select(Campaign.id, Campaign.name)
                .where(Campaign.id.in_(list(campaign_totals)))
                .execution_options(include_deleted=True)
            ).all()
        )
        if campaign_totals
        else {}
    )
    campaigns = sorted(
        (
            {"campaign_id": cid, "name": names.get(cid), **counts, "rates": rates(counts)}
            for cid, counts in campaign_totals.items()
        ),
        key=lambda c: (-c["sent"], -c["unique_opens"], c["campaign_id"]),
    )
    return {
        "days": days,
        "start": start,
        "end": today + timedelta(days=1),
        "totals": {**totals, "campaigns": len(campaign_totals)},
        "rates": rates(totals),
        "daily": [
            {"day": day.date().isoformat(), **counts} for day, counts in sorted(per_day.items())
        ],
        "campaigns": campaigns[:50],
    }


def _events_query(
    *,
    campaign_id: int | None = None,
    type: str | None = None,
    contact_id: int | None = None,
    recipient_id: int | None = None,
    machine: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> sa.Select[Any]:
    e = AnalyticsEvent
    stmt = sa.select(e)
    if campaign_id is not None:
        stmt = stmt.where(e.campaign_id == campaign_id)
    if type is not None:
        stmt = stmt.where(e.type == type)
    if contact_id is not None:
        stmt = stmt.where(e.contact_id == contact_id)
    if recipient_id is not None:
        stmt = stmt.where(e.recipient_id == recipient_id)
    if machine is not None:
        stmt = stmt.where(e.machine.is_(machine))
    if since is not None:
        stmt = stmt.where(e.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(e.occurred_at < until)
    return stmt


def list_events(
    actor: Actor | None, *, limit: int = 50, cursor: str | None = None, **filters: Any
) -> Page:
    """Events, newest first, filtered (``campaign_id``, ``type``, ``contact_id``,
    ``recipient_id``, ``machine``, ``since``, ``until``)."""
    require(actor, "analytics:read")
    page = keyset_page(
        _events_query(**filters), [AnalyticsEvent.id], limit=limit, cursor=cursor, descending=True
    )
    # The address each event concerns, read in one query for the page (a report would
    # otherwise look up every contact on its own). Erased recipients read as erased.
    ids = {event.recipient_id for event in page.items if event.recipient_id is not None}
    emails = dict(
        db.session.execute(
            sa.select(CampaignRecipient.id, CampaignRecipient.email).where(
                CampaignRecipient.id.in_(ids)
            )
        ).all()
        if ids
        else ()
    )
    for event in page.items:
        event.email = emails.get(event.recipient_id)
    return page


def iter_events(actor: Actor | None, **filters: Any) -> Iterator[AnalyticsEvent]:
    """Every matching event, oldest first, streamed (exports)."""
    require(actor, "analytics:read")
    stmt = _events_query(**filters).order_by(AnalyticsEvent.id).execution_options(yield_per=2000)
    yield from db.session.scalars(stmt)


def link_urls(campaign_ids: list[int]) -> dict[int, list[str]]:
    """The pinned link tables of some campaigns (for exports that show URLs)."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        sa.select(Campaign.id, Campaign.links)
        .where(Campaign.id.in_(campaign_ids))
        .execution_options(include_deleted=True)
    )
    return {cid: list(table or []) for cid, table in rows}
