"""Jobs of the analytics domain: writing the tracking buffer, the complaint guard."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from blueprints.analytics import buffer, guard, ingest
from blueprints.analytics.events import EventIn, Recorded
from engagex.db import db
from engagex.jobs import job
from engagex.tenancy import system_scope

log = logging.getLogger(__name__)

KINDS = {"o": "open", "c": "click"}


def parse(raw: str) -> EventIn | None:
    """A buffered tracking event (see ``public.py``), or None if it is malformed."""
    try:
        item: dict[str, Any] = json.loads(raw)
        kind = KINDS[item["k"]]
        recipient = int(item["r"])
        link = item.get("l")
        return EventIn(
            type=kind,
            recipient_id=recipient,
            occurred_at=datetime.fromtimestamp(float(item["t"]), UTC),
            key=f"t:{item['i']}",
            source="tracking",
            link_index=int(link) if link is not None else None,
            user_agent=item.get("u") or None,
            machine_reason="head_request" if item.get("h") else None,
            data={"url": item["url"]} if item.get("url") else {},
        )
    except (ValueError, KeyError, TypeError, OverflowError):
        log.warning("dropping a malformed buffered event: %.200r", raw)
        return None


def write_batch(raws: list[str]) -> Recorded:
    """Write one batch of buffered events and commit it."""
    events = [e for e in map(parse, raws) if e is not None]
    try:
        with system_scope():
            result = ingest.record(events)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


@job(queue="default", timeout=buffer.LOCK_SECONDS)
def flush_events() -> dict[str, Any]:
    """Write everything buffered (the job the tracking routes enqueue)."""
    total = Recorded()

    def handle(raws: list[str]) -> None:
        total.add(write_batch(raws))

    buffer.drain(handle)
    return total.as_dict()


@job(queue="default", timeout=300)
def check_complaints() -> dict[str, Any]:
    """Run the complaint guard for the job's organization."""
    judgement = guard.check()
    return {"level": judgement.level, "rate": judgement.rate, "paused": list(judgement.paused)}
