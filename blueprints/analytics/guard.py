"""The complaint guard: Gmail's thresholds applied to every organization.

The rate is complaints over the last 24 hours divided by the messages of the same
window: delivered ones where the provider reports deliveries (SendGrid), otherwise sent
ones (SMTP has no delivery events). Both come from the hourly counters. Below
``ENGAGEX_COMPLAINT_MIN_VOLUME`` messages no rate is judged (one complaint among a
dozen test messages says nothing).

- rate >= 0.1 % (``ENGAGEX_COMPLAINT_WARN_RATE``): ``complaint_rate_warning``, at most
  once per 24 hours;
- rate >= 0.3 % (``ENGAGEX_COMPLAINT_PAUSE_RATE``): every sending campaign of the
  organization is paused with code ``complaint_rate`` and ``complaint_rate_exceeded``
  is sent. A campaign that starts while the organization is over the threshold is
  paused as it starts. A person may resume a paused campaign: the guard pauses it again
  only when new complaints arrive.

``check(org_id)`` runs as a job after a batch of events brought complaints, and from
``engagex analytics guard`` (cron).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from blueprints.analytics import sent, settings, signals
from blueprints.analytics.models import CampaignHourlyStats, ComplaintGuard
from blueprints.analytics.outgoing import services as outgoing
from blueprints.analytics.sql import aware, hour_of, now
from blueprints.campaigns.models import Campaign
from engagex.db import db
from engagex.tenancy import require_org_id

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
CODE = "complaint_rate"


@dataclass(frozen=True)
class Judgement:
    organization_id: int
    level: str
    rate: float
    complaints: int
    volume: int
    paused: tuple[int, ...] = ()


def measure(at: datetime | None = None) -> tuple[int, int]:
    """``(complaints, volume)`` of the current organization over the last 24 hours.

    The window is whole hours: the hour 24 hours ago counts whole (the counters are
    hourly), which errs towards a slightly larger sample.
    """
    at = at or now()
    since = hour_of(at - WINDOW)
    h = CampaignHourlyStats
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(h.complaints), 0),
            sa.func.coalesce(sa.func.sum(h.delivered), 0),
            sa.func.coalesce(sa.func.sum(h.sent), 0),
        ).where(h.organization_id == require_org_id(), h.hour >= since)
    ).one()
    complaints, delivered, sent_ = (int(v) for v in row)
    return complaints, delivered if delivered > 0 else sent_


def _state(org_id: int) -> ComplaintGuard:
    state = db.session.get(ComplaintGuard, org_id)
    if state is None:
        state = ComplaintGuard(organization_id=org_id, level="ok", rate=0.0)
        db.session.add(state)
        db.session.flush()
    return state


def _pause_sending(reason: str, only: list[int] | None = None) -> tuple[int, ...]:
    from blueprints.campaigns import services as campaigns

    stmt = sa.select(Campaign.id).where(Campaign.status == "sending")
    if only is not None:
        stmt = stmt.where(Campaign.id.in_(only))
    paused = []
    for campaign_id in db.session.scalars(stmt).all():
        if campaigns.pause_automatically(campaign_id, CODE, reason):
            paused.append(campaign_id)
    return tuple(paused)


def check(only_campaigns: list[int] | None = None) -> Judgement:
    """Judge the current organization's rate and act on it (flushes, no commit)."""
    org_id = require_org_id()
    at = now()
    sent.sync_recent(at - WINDOW - timedelta(hours=1))
    complaints, volume = measure(at)
    rate = complaints / volume if volume else 0.0
    warn, pause = settings.complaint_warn_rate(), settings.complaint_pause_rate()
    judged = volume >= max(settings.complaint_min_volume(), 1)
    level = "ok"
    if judged and rate >= pause:
        level = "exceeded"
    elif judged and rate >= warn:
        level = "warning"
    state = _state(org_id)
    state.rate, state.complaints, state.volume, state.checked_at = rate, complaints, volume, at
    previous = state.level
    state.level = level
    details = {
        "organization_id": org_id,
        "rate": rate,
        "complaints": complaints,
        "volume": volume,
        "window_hours": int(WINDOW.total_seconds() // 3600),
    }
    paused: tuple[int, ...] = ()
    if level == "exceeded":
        reason = (
            f"complaint rate {rate:.2%} over the last 24 hours ({complaints} of {volume} "
            f"messages) is at or above {pause:.1%}"
        )
        paused = _pause_sending(reason, only_campaigns)
        if paused or previous != "exceeded":
            state.exceeded_at = at
            signals.complaint_rate_exceeded.send(
                org_id, **details, threshold=pause, paused_campaign_ids=list(paused)
            )
            outgoing.emit(
                org_id,
                "analytics.complaint_rate",
                {
                    **details,
                    "level": level,
                    "threshold": pause,
                    "paused_campaign_ids": list(paused),
                },
                at,
            )
            log.warning("organization %s: %s; paused %s", org_id, reason, list(paused))
    elif level == "warning":
        warned = aware(state.warned_at)
        if warned is None or at - warned >= WINDOW:
            state.warned_at = at
            signals.complaint_rate_warning.send(org_id, **details, threshold=warn)
            outgoing.emit(
                org_id,
                "analytics.complaint_rate",
                {**details, "level": level, "threshold": warn},
                at,
            )
    db.session.flush()
    return Judgement(org_id, level, rate, complaints, volume, paused)


def on_campaign_started(
    sender: object, *, organization_id: int, campaign_id: int, **_: object
) -> None:
    """A campaign starting while its organization is over the pause threshold is paused
    at once (the receiver runs in the starting transaction)."""
    state = db.session.get(ComplaintGuard, organization_id)
    if state is None or state.level != "exceeded":
        return
    check(only_campaigns=[campaign_id])
