"""Moving campaigns through their life: send, schedule, pause, resume, cancel, finish.

Every move is a conditional update (``states.transition``), so it happens once however
many requests, crons or workers attempt it. Starting a campaign is one transaction:
the move to ``sending``, the recipient snapshot, the quota check and the runner jobs
(released by the commit); any refusal rolls all of it back, so a rolled-back send
never sends. Sending gates (verified sender domain, billing standing) are checked when
a campaign starts or resumes and again before every batch.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from blueprints.accounts.services import audit
from blueprints.billing import services as billing
from blueprints.campaigns import audience as contacts_adapter
from blueprints.campaigns import batches, settings, signals, snapshot, states
from blueprints.campaigns.models import Campaign, CampaignBatch
from blueprints.campaigns.services import dispatch
from blueprints.campaigns.services.campaigns import check_subject as _check_subject
from blueprints.campaigns.services.campaigns import get_campaign, revision_for, sender_of
from blueprints.domains import services as domains
from blueprints.templates import services as templates
from engagex.db import db
from engagex.errors import AppError, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id, system_scope

log = logging.getLogger(__name__)

#: how far in the past a schedule may be (clock skew between client and server)
SCHEDULE_SLACK = timedelta(minutes=1)


class SendingBlocked(AppError):
    """Billing does not allow the organization to send now (payment overdue)."""

    status = 402
    code = "sending_paused"


def counts(campaign: Campaign) -> dict[str, int]:
    return campaign.counts


def _about(campaign: Campaign) -> dict[str, Any]:
    return {
        "organization_id": campaign.organization_id,
        "campaign_id": campaign.id,
        "name": campaign.name,
        "counts": counts(campaign),
    }


def _load(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    assert campaign is not None
    return campaign


# --- gates -------------------------------------------------------------------------------


def check_gates(org_id: int, from_email: str) -> None:
    """Refuse (422 ``sender_domain_unverified``, 402 ``sending_paused``) when the
    organization may not send from ``from_email`` now."""
    domains.assert_sender_allowed(org_id, from_email)
    decision = billing.sending_allowed(org_id)
    if not decision.allowed:
        raise SendingBlocked(decision.message, details={"reason": decision.reason})


def check_audience(campaign: Campaign) -> None:
    """Refuse (422) a campaign with no audience, or whose groups or segments were
    deleted since it was drafted."""
    if not (campaign.group_ids or campaign.segment_ids or campaign.seed_emails):
        raise ValidationFailed(
            "choose an audience: groups, segments or a seed list", code="no_audience"
        )
    contacts_adapter.check_groups([*campaign.group_ids, *campaign.exclude_group_ids])
    contacts_adapter.check_segments([*campaign.segment_ids, *campaign.exclude_segment_ids])


def prepare(campaign: Campaign, *, audience: bool = True) -> tuple[Any, Any, Any]:
    """Check that the campaign can be sent: ``(revision, sender, compiled template)``.

    ``audience=False`` skips the audience check (test sends)."""
    if audience:
        check_audience(campaign)
    revision = revision_for(campaign)
    if revision.kind != "marketing":
        raise ValidationFailed(
            "campaigns send marketing templates (with an unsubscribe link); this one is "
            "transactional: send it with POST /api/v1/messages",
            code="transactional_template",
        )
    if campaign.subject:
        _check_subject(campaign.subject, revision)
    sender = sender_of(campaign, revision)
    compiled = templates.compiled_revision(
        None,
        revision.id,
        track_clicks=campaign.track_clicks,
        track_opens=campaign.track_opens,
    )
    return revision, sender, compiled


# --- starting ------------------------------------------------------------------------------


def _start(
    actor: Actor | None,
    campaign: Campaign,
    *,
    only_from: tuple[str, ...],
    where: tuple[sa.ColumnElement[bool], ...] = (),
) -> Campaign:
    revision, sender, compiled = prepare(campaign)
    check_gates(campaign.organization_id, sender.from_email)
    moved = states.transition(
        campaign.id,
        "sending",
        only_from=only_from,
        where=where,
        values={
            "template_revision_id": revision.id,
            "from_email": sender.from_email,
            "from_name": sender.from_name,
            "reply_to": sender.reply_to,
            "links": list(compiled.links),
            "started_at": batches.now_expr(),
            "status_code": None,
            "status_reason": None,
            "run_generation": Campaign.run_generation + 1,
        },
    )
    campaign = _load(campaign.id)
    if not moved:
        raise states.refuse(campaign, "sending", "send")
    total = snapshot.snapshot(campaign)
    if total == 0:
        raise ValidationFailed(
            "the audience is empty: no subscribed, unsuppressed contact in the chosen "
            "groups and segments",
            code="no_recipients",
        )
    billing.check_send_quota(campaign.organization_id, total)
    dispatch.start_runners(campaign.organization_id, campaign.id, campaign.run_generation)
    audit.record(actor, "campaigns.sent", campaign, {"recipients": total})
    signals.campaign_started.send(
        campaign.id,
        organization_id=campaign.organization_id,
        campaign_id=campaign.id,
        name=campaign.name,
        recipients=total,
    )
    return campaign


def send_campaign(actor: Actor | None, campaign_id: int) -> Campaign:
    """Send now: ``draft``/``scheduled`` -> ``sending``, exactly once."""
    require(actor, "campaigns:send")
    campaign = get_campaign(actor, campaign_id)
    if campaign.status not in ("draft", "scheduled"):
        raise states.refuse(campaign, "sending", "send")
    return _start(actor, campaign, only_from=("draft", "scheduled"))


def schedule_campaign(
    actor: Actor | None, campaign_id: int, when: datetime, timezone: str | None = None
) -> Campaign:
    """Send at ``when`` (timezone-aware); a scheduled campaign can be moved again."""
    require(actor, "campaigns:send")
    campaign = get_campaign(actor, campaign_id)
    if campaign.status not in ("draft", "scheduled"):
        raise states.refuse(campaign, "scheduled", "schedule")
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationFailed(
            "scheduled_at needs a UTC offset (ISO 8601, e.g. 2026-03-01T09:00:00+01:00)",
            code="naive_datetime",
        )
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationFailed(
                f"unknown time zone {timezone!r}", code="invalid_timezone"
            ) from exc
    if when < batches.db_now() - SCHEDULE_SLACK:
        raise ValidationFailed(
            "scheduled_at is in the past",
            code="scheduled_in_past",
            details={"at": when.isoformat()},
        )
    _revision, sender, _compiled = prepare(campaign)
    domains.assert_sender_allowed(campaign.organization_id, sender.from_email)
    if not states.transition(
        campaign.id,
        "scheduled",
        only_from=("draft", "scheduled"),
        # Stored in UTC: SQLite keeps no offset, and the instant is what counts.
        values={"scheduled_at": when.astimezone(UTC), "timezone": timezone or None},
    ):
        raise states.refuse(_load(campaign.id), "scheduled", "schedule")
    campaign = _load(campaign.id)
    audit.record(actor, "campaigns.scheduled", campaign, {"at": when.isoformat()})
    return campaign


def set_schedule(
    actor: Actor | None, campaign_id: int, when: datetime | None, timezone: str | None = None
) -> Campaign:
    """``scheduled_at`` given with a create or an update: schedule, or (None)
    unschedule a scheduled campaign. Needs ``campaigns:send``."""
    require(actor, "campaigns:send")
    if when is not None:
        return schedule_campaign(actor, campaign_id, when, timezone)
    campaign = get_campaign(actor, campaign_id)
    if campaign.status == "scheduled":
        return unschedule_campaign(actor, campaign_id)
    return campaign


def unschedule_campaign(actor: Actor | None, campaign_id: int) -> Campaign:
    require(actor, "campaigns:send")
    campaign = get_campaign(actor, campaign_id)
    if not states.transition(
        campaign.id, "draft", only_from=("scheduled",), values={"scheduled_at": None}
    ):
        raise states.refuse(campaign, "draft", "unschedule")
    campaign = _load(campaign.id)
    audit.record(actor, "campaigns.unscheduled", campaign)
    return campaign


# --- while sending -----------------------------------------------------------------------


def pause_campaign(actor: Actor | None, campaign_id: int) -> Campaign:
    """Stop claiming batches (batches in flight finish); ``resume`` continues."""
    require(actor, "campaigns:send")
    campaign = get_campaign(actor, campaign_id)
    if not states.transition(
        campaign.id,
        "paused",
        only_from=("sending",),
        values={"status_code": "manual", "status_reason": "paused by a person"},
    ):
        raise states.refuse(campaign, "paused", "pause")
    campaign = _load(campaign.id)
    audit.record(actor, "campaigns.paused", campaign)
    signals.campaign_paused.send(
        campaign.id, **_about(campaign), reason="paused by a person", code="manual", automatic=False
    )
    return campaign


def pause_automatically(campaign_id: int, code: str, reason: str) -> bool:
    """The pipeline pauses a sending campaign (error rate, domain, billing); once."""
    if not states.transition(
        campaign_id,
        "paused",
        only_from=("sending",),
        values={"status_code": code, "status_reason": reason[:2000]},
    ):
        return False
    campaign = _load(campaign_id)
    audit.record(None, "campaigns.paused", campaign, {"code": code, "reason": reason[:500]})
    signals.campaign_paused.send(
        campaign.id, **_about(campaign), reason=reason, code=code, automatic=True
    )
    log.warning("campaign %s paused: %s", campaign_id, reason)
    return True


def resume_campaign(actor: Actor | None, campaign_id: int) -> Campaign:
    """Continue a paused campaign where it stopped (gates are checked again)."""
    require(actor, "campaigns:send")
    campaign = get_campaign(actor, campaign_id)
    if campaign.status != "paused":
        raise states.refuse(campaign, "sending", "resume")
    check_gates(campaign.organization_id, campaign.from_email or "")
    if not states.transition(
        campaign.id,
        "sending",
        only_from=("paused",),
        values={
            "status_code": None,
            "status_reason": None,
            "window_attempts": 0,
            "window_errors": 0,
            "run_generation": Campaign.run_generation + 1,
        },
    ):
        raise states.refuse(_load(campaign.id), "sending", "resume")
    campaign = _load(campaign.id)
    dispatch.start_runners(campaign.organization_id, campaign.id, campaign.run_generation)
    audit.record(actor, "campaigns.resumed", campaign)
    return campaign


def cancel_campaign(actor: Actor | None, campaign_id: int) -> Campaign:
    """Stop for good: what was not sent yet is cancelled."""
    require(actor, "campaigns:send")
    campaign = get_campaign(actor, campaign_id)
    if not states.transition(
        campaign.id,
        "cancelled",
        only_from=("scheduled", "sending", "paused"),
        values={"finished_at": batches.now_expr()},
    ):
        raise states.refuse(campaign, "cancelled", "cancel")
    cancelled = batches.cancel_open(campaign.id)
    db.session.execute(
        sa.update(Campaign)
        .where(Campaign.id == campaign.id)
        .values(cancelled_count=Campaign.cancelled_count + cancelled)
        .execution_options(synchronize_session=False)
    )
    campaign = _load(campaign.id)
    audit.record(actor, "campaigns.cancelled", campaign, {"cancelled": cancelled})
    signals.campaign_cancelled.send(campaign.id, **_about(campaign))
    return campaign


def fail_campaign(
    campaign_id: int,
    code: str,
    reason: str,
    *,
    only_from: tuple[str, ...] = ("scheduled", "sending", "paused"),
) -> bool:
    """A campaign that cannot start or continue; what was not sent is cancelled."""
    if not states.transition(
        campaign_id,
        "failed",
        only_from=only_from,
        values={
            "status_code": code,
            "status_reason": reason[:2000],
            "finished_at": batches.now_expr(),
        },
    ):
        return False
    cancelled = batches.cancel_open(campaign_id)
    if cancelled:
        db.session.execute(
            sa.update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(cancelled_count=Campaign.cancelled_count + cancelled)
            .execution_options(synchronize_session=False)
        )
    campaign = _load(campaign_id)
    audit.record(None, "campaigns.failed", campaign, {"code": code, "reason": reason[:500]})
    signals.campaign_failed.send(campaign.id, **_about(campaign), reason=reason, code=code)
    log.warning("campaign %s failed: %s", campaign_id, reason)
    return True


def finish_campaign(campaign_id: int) -> bool:
    """Mark a campaign whose batches are all recorded as sent; once."""
    if not batches.complete(campaign_id):
        return False
    campaign = _load(campaign_id)
    audit.record(None, "campaigns.finished", campaign, counts(campaign))
    signals.campaign_finished.send(campaign.id, **_about(campaign))
    return True


# --- cron ----------------------------------------------------------------------------------


def due_campaigns(limit: int = 1000) -> list[tuple[int, int]]:
    """``(campaign id, organization id)`` of scheduled campaigns whose time has come,
    across organizations (the ``send-due`` cron)."""
    with system_scope():
        rows = db.session.execute(
            sa.select(Campaign.id, Campaign.organization_id)
            .where(Campaign.status == "scheduled", Campaign.scheduled_at <= batches.now_expr())
            .order_by(Campaign.scheduled_at, Campaign.id)
            .limit(limit)
        ).all()
    return [(row.id, row.organization_id) for row in rows]


def start_due(campaign_id: int) -> Campaign | None:
    """Start one due campaign (in its tenant context); None if another run did."""
    require_org_id()
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    if campaign is None or campaign.deleted_at is not None or campaign.status != "scheduled":
        return None
    try:
        return _start(
            None,
            campaign,
            only_from=("scheduled",),
            where=(Campaign.scheduled_at <= batches.now_expr(),),
        )
    except states.InvalidTransition:
        return None  # started (or changed) by someone else in the meantime


def _stalled(threshold: Any) -> sa.ColumnElement[bool]:
    b = CampaignBatch
    now = batches.now_expr()
    claimable = (
        sa.select(b.id)
        .where(
            b.campaign_id == Campaign.id,
            sa.or_(
                sa.and_(b.status == "pending", sa.or_(b.not_before.is_(None), b.not_before <= now)),
                sa.and_(b.status == "sending", b.lease_expires_at < now),
            ),
        )
        .exists()
    )
    return sa.and_(
        Campaign.status == "sending",
        sa.or_(Campaign.last_activity_at.is_(None), Campaign.last_activity_at < threshold),
        Campaign.started_at < threshold,
        claimable,
    )


def stalled_campaigns() -> list[tuple[int, int]]:
    """Sending campaigns with claimable work and no progress for a while (their runners
    died, or a back-off outlived them), across organizations."""
    threshold = batches.later_expr(-settings.pipeline().stall_seconds)
    with system_scope():
        rows = db.session.execute(
            sa.select(Campaign.id, Campaign.organization_id).where(_stalled(threshold))
        ).all()
    return [(row.id, row.organization_id) for row in rows]


def restart_stalled(campaign_id: int) -> bool:
    """Queue fresh runners for a stalled campaign; once, however many crons ask."""
    threshold = batches.later_expr(-settings.pipeline().stall_seconds)
    row = db.session.execute(
        sa.update(Campaign)
        .where(Campaign.id == campaign_id, _stalled(threshold))
        .values(run_generation=Campaign.run_generation + 1, last_activity_at=batches.now_expr())
        .returning(Campaign.organization_id, Campaign.run_generation)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return False
    dispatch.start_runners(row.organization_id, campaign_id, row.run_generation)
    log.info("campaign %s had stalled; runners of generation %s queued", campaign_id, row[1])
    return True
