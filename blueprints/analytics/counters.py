"""Counting new events: each recipient's activity, a campaign's counters, its hours
and its links (step 3 and 4 of ``ingest``).

A recipient's activity counter that goes from 0 to more makes a *unique* event (first
open, first click, first bounce...); the upsert returns the counters after the update,
so a batch knows its firsts without reading anything first. On PostgreSQL the large
upserts bind one array per column (``sql.unnest_insert``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from blueprints.analytics.events import ACTIVITY_COUNTERS, EventIn
from blueprints.analytics.models import (
    COUNTERS,
    CampaignHourlyStats,
    CampaignLinkStats,
    CampaignStats,
    RecipientActivity,
    RecipientLinkClick,
)
from blueprints.analytics.sql import (
    dialect,
    earlier_of,
    hour_of,
    insert,
    later_of,
    unnest_insert,
)
from engagex.db import db

#: activity counter whose first increment makes a campaign counter go up by one
_UNIQUE = {
    "delivered": "delivered",
    "dropped": "dropped",
    "bounces": "bounces",
    "opens": "unique_opens",
    "clicks": "unique_clicks",
    "complaints": "complaints",
    "unsubscribes": "unsubscribes",
}
#: activity counters whose every increment is a campaign counter increment
_TOTAL = {
    "deferred": "deferred",
    "soft_bounces": "soft_bounces",
    "opens": "opens",
    "machine_opens": "machine_opens",
    "clicks": "clicks",
    "machine_clicks": "machine_clicks",
}

# Column types of the PostgreSQL bulk upserts (``sql.unnest_insert``).
_TIMES = (
    "first_open_at",
    "last_open_at",
    "last_machine_open_at",
    "last_click_at",
    "last_machine_click_at",
)
ACTIVITY_COLUMNS = {
    "organization_id": "bigint",
    "recipient_id": "bigint",
    "campaign_id": "bigint",
    "contact_id": "bigint",
    **dict.fromkeys(ACTIVITY_COUNTERS, "integer"),
    **dict.fromkeys(_TIMES, "timestamptz"),
}
# LEAST and GREATEST ignore NULLs on PostgreSQL.
ACTIVITY_UPSERT = (
    "ON CONFLICT (recipient_id) DO UPDATE SET "
    + ", ".join(f"{c} = recipient_activity.{c} + EXCLUDED.{c}" for c in ACTIVITY_COUNTERS)
    + ", first_open_at = LEAST(recipient_activity.first_open_at, EXCLUDED.first_open_at), "
    + ", ".join(f"{t} = GREATEST(recipient_activity.{t}, EXCLUDED.{t})" for t in _TIMES[1:])
    + " RETURNING recipient_id, "
    + ", ".join(ACTIVITY_COUNTERS)
)
LINK_CLICK_COLUMNS = {
    "organization_id": "bigint",
    "recipient_id": "bigint",
    "link_index": "integer",
    "campaign_id": "bigint",
    "clicks": "integer",
}


@dataclass
class _Delta:
    campaign_id: int
    contact_id: int | None
    counters: Counter[str] = field(default_factory=Counter)
    first_at: dict[str, datetime] = field(default_factory=dict)
    first_open: datetime | None = None
    last_open: datetime | None = None
    last_machine_open: datetime | None = None
    last_click: datetime | None = None
    last_machine_click: datetime | None = None


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def _activity_deltas(events: list[EventIn]) -> dict[int, _Delta]:
    deltas: dict[int, _Delta] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        ref = event.ref
        assert ref is not None
        counter = event.counter()
        if counter is None:
            continue
        delta = deltas.get(ref.id)
        if delta is None:
            delta = deltas[ref.id] = _Delta(ref.campaign_id, ref.contact_id)
        delta.counters[counter] += 1
        delta.first_at.setdefault(counter, event.occurred_at)
        when = event.occurred_at
        if counter == "opens":
            delta.first_open = delta.first_open or when
            delta.last_open = _later(delta.last_open, when)
        elif counter == "machine_opens":
            delta.last_machine_open = _later(delta.last_machine_open, when)
        elif counter == "clicks":
            delta.last_click = _later(delta.last_click, when)
        elif counter == "machine_clicks":
            delta.last_machine_click = _later(delta.last_machine_click, when)
    return deltas


def _upsert_activity(org_id: int, deltas: dict[int, _Delta]) -> dict[int, dict[str, int]]:
    """Add the deltas; returns each recipient's counters after the update."""
    a = RecipientActivity.__table__.c
    rows = [
        {
            "organization_id": org_id,
            "recipient_id": rid,
            "campaign_id": d.campaign_id,
            "contact_id": d.contact_id,
            **{c: d.counters.get(c, 0) for c in ACTIVITY_COUNTERS},
            "first_open_at": d.first_open,
            "last_open_at": d.last_open,
            "last_machine_open_at": d.last_machine_open,
            "last_click_at": d.last_click,
            "last_machine_click_at": d.last_machine_click,
        }
        for rid, d in deltas.items()
    ]
    if not rows:
        return {}
    if dialect() == "postgresql":
        result = unnest_insert("recipient_activity", ACTIVITY_COLUMNS, rows, ACTIVITY_UPSERT)
        return {row[0]: dict(zip(ACTIVITY_COUNTERS, row[1:], strict=True)) for row in result}
    stmt = insert(RecipientActivity)
    new = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["recipient_id"],
        set_={
            **{c: getattr(a, c) + getattr(new, c) for c in ACTIVITY_COUNTERS},
            "first_open_at": earlier_of(a.first_open_at, new.first_open_at),
            "last_open_at": later_of(a.last_open_at, new.last_open_at),
            "last_machine_open_at": later_of(a.last_machine_open_at, new.last_machine_open_at),
            "last_click_at": later_of(a.last_click_at, new.last_click_at),
            "last_machine_click_at": later_of(a.last_machine_click_at, new.last_machine_click_at),
        },
    ).returning(a.recipient_id, *(getattr(a, c) for c in ACTIVITY_COUNTERS))
    return {
        row[0]: dict(zip(ACTIVITY_COUNTERS, row[1:], strict=True))
        for row in db.session.execute(stmt, rows)
    }


def _firsts(deltas: dict[int, _Delta], after: dict[int, dict[str, int]]) -> dict[int, set[str]]:
    """Per recipient, the activity counters this batch raised from zero."""
    firsts: dict[int, set[str]] = {}
    for rid, delta in deltas.items():
        now = after.get(rid, {})
        raised = {
            c for c, n in delta.counters.items() if c in _UNIQUE and n > 0 and now.get(c) == n
        }
        if raised:
            firsts[rid] = raised
    return firsts


def _campaign_counters(
    events: list[EventIn], deltas: dict[int, _Delta], firsts: dict[int, set[str]]
) -> tuple[dict[int, Counter[str]], dict[tuple[int, datetime], Counter[str]], dict[int, datetime]]:
    totals: dict[int, Counter[str]] = defaultdict(Counter)
    hourly: dict[tuple[int, datetime], Counter[str]] = defaultdict(Counter)
    last: dict[int, datetime] = {}
    for event in events:
        counter = event.counter()
        ref = event.ref
        assert ref is not None
        last[ref.campaign_id] = _later(last.get(ref.campaign_id), event.occurred_at)
        if counter in _TOTAL:
            totals[ref.campaign_id][_TOTAL[counter]] += 1
            hourly[(ref.campaign_id, hour_of(event.occurred_at))][_TOTAL[counter]] += 1
    for rid, raised in firsts.items():
        delta = deltas[rid]
        for counter in raised:
            name = _UNIQUE[counter]
            totals[delta.campaign_id][name] += 1
            hourly[(delta.campaign_id, hour_of(delta.first_at[counter]))][name] += 1
    return totals, hourly, last


def _upsert_counters(
    model: Any, keys: list[str], rows: list[dict[str, Any]], extra: Any = None
) -> None:
    if not rows:
        return
    columns = model.__table__.c
    stmt = insert(model)
    new = stmt.excluded
    fixed = {*keys, "organization_id", "last_event_at"}
    set_ = {c: getattr(columns, c) + getattr(new, c) for c in rows[0] if c not in fixed}
    if extra is not None:
        set_.update(extra(columns, new))
    db.session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=set_), rows)


def _update_stats(
    org_id: int,
    totals: dict[int, Counter[str]],
    hourly: dict[tuple[int, datetime], Counter[str]],
    last: dict[int, datetime],
) -> None:
    stats_rows = [
        {
            "organization_id": org_id,
            "campaign_id": cid,
            **{c: counts.get(c, 0) for c in COUNTERS},
            "last_event_at": last.get(cid),
        }
        for cid, counts in sorted(totals.items())
    ]
    stats_rows += [
        {
            "organization_id": org_id,
            "campaign_id": cid,
            **dict.fromkeys(COUNTERS, 0),
            "last_event_at": when,
        }
        for cid, when in sorted(last.items())
        if cid not in totals
    ]
    _upsert_counters(
        CampaignStats,
        ["campaign_id"],
        stats_rows,
        lambda m, new: {
            "last_event_at": later_of(m.last_event_at, new.last_event_at),
            "updated_at": sa.func.now(),
        },
    )
    hourly_rows = [
        {
            "organization_id": org_id,
            "campaign_id": cid,
            "hour": hour,
            **{c: counts.get(c, 0) for c in COUNTERS},
        }
        for (cid, hour), counts in sorted(hourly.items())
    ]
    _upsert_counters(CampaignHourlyStats, ["organization_id", "campaign_id", "hour"], hourly_rows)


def _update_links(org_id: int, events: list[EventIn]) -> None:
    clicks = [e for e in events if e.type == "click" and e.link_index is not None]
    if not clicks:
        return
    per_link: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    per_recipient: Counter[tuple[int, int, int]] = Counter()
    for event in clicks:
        ref = event.ref
        assert ref is not None and event.link_index is not None
        key = (ref.campaign_id, event.link_index)
        if event.machine:
            per_link[key]["machine_clicks"] += 1
        else:
            per_link[key]["clicks"] += 1
            per_recipient[(ref.id, event.link_index, ref.campaign_id)] += 1
    if per_recipient:
        k = RecipientLinkClick.__table__.c
        stmt = insert(RecipientLinkClick)
        stmt = stmt.on_conflict_do_update(
            index_elements=["organization_id", "recipient_id", "link_index"],
            set_={"clicks": k.clicks + stmt.excluded.clicks},
        ).returning(k.recipient_id, k.link_index, k.campaign_id, k.clicks)
        params = [
            {
                "organization_id": org_id,
                "recipient_id": rid,
                "link_index": link,
                "campaign_id": cid,
                "clicks": n,
            }
            for (rid, link, cid), n in sorted(per_recipient.items())
        ]
        delta = {(rid, link): n for (rid, link, _cid), n in per_recipient.items()}
        if dialect() == "postgresql":
            result = unnest_insert(
                "recipient_link_clicks",
                LINK_CLICK_COLUMNS,
                params,
                "ON CONFLICT (organization_id, recipient_id, link_index) DO UPDATE SET "
                "clicks = recipient_link_clicks.clicks + EXCLUDED.clicks "
                "RETURNING recipient_id, link_index, campaign_id, clicks",
            )
        else:
            result = db.session.execute(stmt, params)
        for row in result:
            if row.clicks == delta[(row.recipient_id, row.link_index)]:
                per_link[(row.campaign_id, row.link_index)]["unique_clicks"] += 1
    rows = [
        {
            "organization_id": org_id,
            "campaign_id": cid,
            "link_index": link,
            "clicks": counts.get("clicks", 0),
            "unique_clicks": counts.get("unique_clicks", 0),
            "machine_clicks": counts.get("machine_clicks", 0),
        }
        for (cid, link), counts in sorted(per_link.items())
    ]
    _upsert_counters(CampaignLinkStats, ["organization_id", "campaign_id", "link_index"], rows)


def count(org_id: int, events: list[EventIn]) -> dict[int, set[str]]:
    """Add new events to every counter; returns, per recipient, the activity counters
    this batch raised from zero (its unique events)."""
    deltas = _activity_deltas(events)
    after = _upsert_activity(org_id, deltas) if deltas else {}
    firsts = _firsts(deltas, after)
    totals, hourly, last = _campaign_counters(events, deltas, firsts)
    _update_stats(org_id, totals, hourly, last)
    _update_links(org_id, events)
    return firsts
