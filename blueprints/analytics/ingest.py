"""Writing events in bulk: the one path every source takes (tracking buffer, SendGrid
webhook, bounce mailbox, unsubscribe page).

``record(events)`` resolves the recipients (the tenant comes only from them), and then
per organization, in its tenant context and with a handful of set-based statements
whatever the batch size:

1. classifies opens and clicks (``classify``: client name, machine or person);
2. inserts the events with ``ON CONFLICT DO NOTHING`` on ``(organization_id,
   provider_event_id)``: only what was really inserted counts, so duplicates and
   re-read batches change nothing;
3. upserts each recipient's activity counters; a counter that went from 0 to more is
   a *unique* event (first open, first click, first bounce...);
4. adds to the campaign's counters, its hourly counters and its per-link counters
   (steps 3 and 4: ``counters``);
5. applies the consequences: hard bounce -> ``bounced`` + suppression, complaint ->
   ``complained`` + suppression, unsubscription -> ``unsubscribed``; outgoing webhooks;
   the complaint guard when complaints arrived.

It flushes and never commits: the caller (a job, a webhook view) owns the transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from blueprints.analytics import classify, contact_status, counters, recipients, settings
from blueprints.analytics.events import EventIn, Recorded
from blueprints.analytics.models import AnalyticsEvent
from blueprints.analytics.outgoing import services as outgoing
from blueprints.analytics.sql import dialect, insert, unnest_insert
from engagex.db import db
from engagex.tenancy import tenant_context

__all__ = ["EventIn", "Recorded", "record"]

log = logging.getLogger(__name__)

#: outgoing webhook type of an event (opens and clicks: people's only)
WEBHOOK_TYPES = {
    "delivered": "email.delivered",
    "deferred": "email.deferred",
    "bounce": "email.bounced",
    "dropped": "email.dropped",
    "open": "email.opened",
    "click": "email.clicked",
    "spamreport": "email.complained",
    "unsubscribe": "contact.unsubscribed",
}


EVENT_COLUMNS = {
    "organization_id": "bigint",
    "type": "varchar",
    "campaign_id": "bigint",
    "recipient_id": "bigint",
    "contact_id": "bigint",
    "link_index": "integer",
    "machine": "boolean",
    "user_agent": "varchar",
    "occurred_at": "timestamptz",
    "source": "varchar",
    "provider_event_id": "varchar",
    "data": "jsonb",
}


def record(events: Sequence[EventIn]) -> Recorded:
    """Record ``events`` (any organizations); see the module docstring."""
    result = Recorded(received=len(events))
    refs = recipients.resolve(e.recipient_id for e in events)
    by_org: dict[int, list[EventIn]] = defaultdict(list)
    for event in events:
        ref = refs.get(event.recipient_id)
        if ref is None or not _claims_match(event, ref):
            result.unmatched += 1
            continue
        event.ref = ref
        by_org[ref.organization_id].append(event)
    for org_id, org_events in by_org.items():
        with tenant_context(org_id):
            new = _apply(org_id, org_events)
        result.recorded += len(new)
        result.duplicates += len(org_events) - len(new)
        result.types.update(e.type for e in new)
        if new:
            result.organizations.add(org_id)
    if result.unmatched:
        log.info("%d event(s) match no stored recipient and were ignored", result.unmatched)
    return result


def _claims_match(event: EventIn, ref: recipients.RecipientRef) -> bool:
    if event.claimed_org is not None and event.claimed_org != ref.organization_id:
        return False
    return event.claimed_campaign is None or event.claimed_campaign == ref.campaign_id


# --- per organization -------------------------------------------------------------------


def _classify(events: list[EventIn]) -> None:
    seconds = settings.machine_seconds()
    hits = []
    for event in events:
        if event.type not in ("open", "click"):
            continue
        client, reason = classify.client_of(event.user_agent)
        event.client = event.client or client
        if event.machine_reason is None:
            event.machine_reason = reason
        if event.machine_reason is None and event.ref is not None:
            sent_at = event.ref.sent_at
            if sent_at is not None and sent_at.tzinfo is None:
                sent_at = sent_at.replace(tzinfo=event.occurred_at.tzinfo)
            if classify.too_fast(event.occurred_at, sent_at, seconds):
                event.machine_reason = "too_fast"
        hits.append(event)
    bursts = classify.click_bursts(hits)
    for event in hits:
        if event.machine_reason is None and id(event) in bursts:
            event.machine_reason = "click_burst"


def _insert_events(org_id: int, events: list[EventIn]) -> list[EventIn]:
    """Insert; returns the events that were new (not seen before, not repeated)."""
    unique: dict[str, EventIn] = {}
    for event in events:
        unique.setdefault(event.key, event)
    items = list(unique.values())
    rows = []
    for event in items:
        ref = event.ref
        assert ref is not None
        data = dict(event.data)
        if event.machine_reason:
            data["machine_reason"] = event.machine_reason
        rows.append(
            {
                "organization_id": org_id,
                "type": event.type,
                "campaign_id": ref.campaign_id,
                "recipient_id": ref.id,
                "contact_id": ref.contact_id,
                "link_index": event.link_index,
                "machine": event.machine,
                "user_agent": (event.client or None) and event.client[:100],
                "occurred_at": event.occurred_at,
                "source": event.source,
                "provider_event_id": event.key[:100],
                "data": data,
            }
        )
    if not rows:
        return []
    if dialect() == "postgresql":
        result = unnest_insert(
            "analytics_events",
            EVENT_COLUMNS,
            rows,
            "ON CONFLICT (organization_id, provider_event_id) DO NOTHING "
            "RETURNING provider_event_id",
        )
    else:
        table = AnalyticsEvent.__table__
        stmt = (
            insert(table)
            .on_conflict_do_nothing(index_elements=["organization_id", "provider_event_id"])
            .returning(table.c.provider_event_id)
        )
        result = db.session.execute(stmt, rows)
    inserted = set(result.scalars())
    return [e for e in items if e.key[:100] in inserted]


def _consequences(events: list[EventIn]) -> None:
    """Contacts' status and the suppression list, for this batch's new hard bounces,
    complaints and unsubscriptions (idempotent: a repeat changes nothing)."""
    for status, hit in (
        ("bounced", [e.ref for e in events if e.hard]),
        ("complained", [e.ref for e in events if e.type == "spamreport"]),
        (
            "unsubscribed",
            # "Only this list" on the unsubscribe page counts, but leaves the status alone.
            [e.ref for e in events if e.type == "unsubscribe" and e.data.get("scope") != "lists"],
        ),
    ):
        refs = [r for r in hit if r is not None]
        if not refs:
            continue
        contact_status.raise_status([r.contact_id for r in refs if r.contact_id], status)
        if status != "unsubscribed":
            contact_status.suppress([r.email for r in refs], status)
        else:
            # A seed address is no contact: its wish is kept on the suppression list.
            contact_status.suppress([r.email for r in refs if r.contact_id is None], status)


def _webhook_items(events: Iterable[EventIn]) -> list[tuple[str, dict[str, Any], datetime]]:
    items = []
    for event in events:
        kind = WEBHOOK_TYPES.get(event.type)
        if kind is None or (event.type in ("open", "click") and event.machine):
            continue
        ref = event.ref
        assert ref is not None
        data: dict[str, Any] = {
            "campaign_id": ref.campaign_id,
            "recipient_id": ref.id,
            "contact_id": ref.contact_id,
            "email": ref.email,
            "source": event.source,
        }
        if event.type == "click":
            data["link_index"] = event.link_index
            url = event.data.get("url")
            if url is None and event.link_index is not None:
                table = recipients.link_tables.get(ref.campaign_id)
                if 0 <= event.link_index < len(table):
                    url = table[event.link_index]
            data["url"] = url
        if event.type == "bounce":
            data["hard"] = event.hard
            for name in ("status", "reason", "classification"):
                if event.data.get(name):
                    data[name] = event.data[name]
        if event.client:
            data["client"] = event.client
        items.append((kind, data, event.occurred_at))
    return items


def _apply(org_id: int, events: list[EventIn]) -> list[EventIn]:
    _classify(events)
    new = _insert_events(org_id, events)
    if not new:
        return []
    firsts = counters.count(org_id, new)
    _consequences(new)
    outgoing.emit_many(org_id, _webhook_items(new))
    if any("complaints" in raised for raised in firsts.values()):
        from blueprints.analytics import tasks

        tasks.check_complaints.delay(org_id=org_id, job_id=f"analytics-guard-{org_id}")
    return new
