"""The runner: what a worker does for a sending campaign (the ``run_campaign`` job).

One runner job processes many batches, one after the other, so that a worker process
(RQ forks one per job) keeps its SMTP connections and HTTP keep-alive for the whole
run. Per batch:

1. **claim** it (``batches.claim``) and, in the same transaction, check the gates
   again (verified sender domain, billing standing) and meter it
   (``record_usage(org, "campaign:<id>:batch:<n>", size)``, idempotent per batch);
   a refusal pauses the campaign with its reason. Commit.
2. **load** its recipients with their contact's current data; suppressed,
   unsubscribed and deleted ones are skipped (suppression is re-checked at send time).
3. **render and deliver**, paced by the token buckets, while a lease thread keeps the
   batch. Results map to sent / failed (permanent) / deferred (temporary: retried with
   back-off, ``retry_after`` honoured, final after ``max_attempts``).
4. **record** all outcomes in bulk and release the batch. Commit. Then the error-rate
   window may pause the campaign, and the last batch finishes it.

Delivery runs in a thread that does no database work: while batch N is delivered, the
runner claims, meters, loads and composes batch N+1, so a worker does not idle while a
provider answers (SendGrid takes tens to hundreds of milliseconds per request). Only
the batch being delivered ever has unknown outcomes; a prepared batch that will not be
delivered (the campaign was paused meanwhile) is released untouched.

A runner stops when the campaign is no longer sending, when nothing is left (it
finishes the campaign), or when its time is up (a fresh job takes over). Waiting runners
poll: for a batch held by another worker (whose lease may run out if it died), and,
for the first runner of a start only, for batches in back-off.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask import current_app
from rq import Worker, get_current_job
from rq.serializers import JSONSerializer

from blueprints.accounts import services as accounts
from blueprints.billing import services as billing
from blueprints.campaigns import audience, batches, compose, ratelimit, settings
from blueprints.campaigns.links import LinkBuilder
from blueprints.campaigns.models import Campaign
from blueprints.campaigns.services import dispatch, lifecycle
from blueprints.domains import signing
from blueprints.domains.records import email_domain
from blueprints.templates import services as templates
from blueprints.templates.rendering import TemplateInvalid, compile_jinja, shared_context
from engagex import mail
from engagex.db import db
from engagex.errors import AppError, ValidationFailed
from engagex.jobs import get_queue, redis_connection
from engagex.tenancy import require_org_id

log = logging.getLogger(__name__)

#: longest single sleep of a waiting runner (it re-checks the campaign in between)
POLL = 1.0
#: recipients per SendGrid request, and per call of a backend that renders MIME itself
SENDGRID_REQUEST = 1000
MIME_SLICE = 200


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- the composer of a campaign -----------------------------------------------------------


def composer_for(campaign: Campaign) -> compose.Composer:
    """The campaign's composer, built once per process (the template compiled once)."""
    key = (
        campaign.organization_id,
        campaign.id,
        campaign.template_revision_id,
        campaign.snapshot_at,
        campaign.subject,
        campaign.from_email,
        campaign.from_name,
        campaign.reply_to,
        campaign.name,
    )
    hit = compose.cached(key)
    if hit is not None:
        return hit
    if campaign.template_revision_id is None:
        raise TemplateInvalid([_problem("the campaign's template revision is gone")])
    compiled = templates.compiled_revision(
        None,
        campaign.template_revision_id,
        track_clicks=campaign.track_clicks,
        track_opens=campaign.track_opens,
    )
    if campaign.subject:
        compiled = replace(
            compiled,
            subject=compile_jinja(campaign.subject, html=False, field_name="subject"),
            subject_source=campaign.subject,
        )
    org = accounts.get_organization_by_id(campaign.organization_id)
    config = current_app.config
    composer = compose.Composer(
        campaign_id=campaign.id,
        org_id=campaign.organization_id,
        org_name=org.name,
        compiled=compiled,
        shared=shared_context(
            organization=templates.organization_display(org), campaign={"name": campaign.name}
        ),
        links=LinkBuilder(
            config["SECRET_KEY"],
            config["ENGAGEX_BASE_URL"],
            track_opens=campaign.track_opens,
            track_clicks=campaign.track_clicks,
        ),
        from_email=campaign.from_email or "",
        from_name=campaign.from_name,
        reply_to=campaign.reply_to,
        salt=campaign.message_salt,
        unsubscribe_mailto=settings.text("ENGAGEX_UNSUBSCRIBE_MAILTO"),
    )
    return compose.remember(key, composer)


def _problem(message: str) -> object:
    from blueprints.templates.validation import Problem

    return Problem("template", "missing", message)


# --- delivering one batch ----------------------------------------------------------------


def _outcome(outcomes: batches.Outcomes, rid: int, result: mail.Result) -> None:
    if result.ok:
        outcomes.sent.append(rid)
    elif result.permanent:
        outcomes.failed.append((rid, result.error or "refused"))
    else:
        outcomes.deferred.append((rid, result.error or "temporary failure", result.retry_after))


def signs(org_id: int, from_email: str) -> bool:
    """Whether mail from ``from_email`` is DKIM-signed by the organization's own key.

    Asked once per batch: the domains package's signer would otherwise look the key up
    for every message (a query each); without a key it has nothing to do."""
    try:
        return signing.signing_key(org_id, email_domain(from_email)) is not None
    except ValidationFailed:
        return False
    except Exception:  # a key that cannot be read: let the signer say so per message
        return True


def deliver(
    composer: compose.Composer,
    recipients: Sequence[compose.Recipient],
    outcomes: batches.Outcomes,
    *,
    org_rate: float,
    backend_rate: float,
    signed: bool = True,
    composed: compose.Composed | None = None,
) -> None:
    """Render and send ``recipients``, paced by the buckets; outcomes per recipient.

    ``composed`` is the whole batch composed in advance (no pacing)."""
    if not recipients:
        return
    backend = mail.get_backend()
    size = ratelimit.chunk_size(org_rate, backend_rate) or len(recipients)
    for start in range(0, len(recipients), size):
        part = recipients[start : start + size]
        if org_rate > 0 or backend_rate > 0:
            wait = ratelimit.reserve(
                composer.org_id, backend.name, len(part), org_rate, backend_rate
            )
            if wait > 0:
                time.sleep(wait)
        chunk = composed if composed is not None else composer.compose(part, signed=signed)
        for rid, (_code, reason) in chunk.failures.items():
            outcomes.failed.append((rid, reason))
        # SendGrid takes 1000 recipients per request; backends that render MIME here
        # get slices, so the wire form of a whole batch is never in memory at once.
        step = SENDGRID_REQUEST if backend.name == "sendgrid" else MIME_SLICE
        for template, group in chunk.groups:
            for first in range(0, len(group), step):
                people = group[first : first + step]
                results = mail.send_batch_now(template, [p for _, p in people])
                for (rid, _p), result in zip(people, results, strict=True):
                    _outcome(outcomes, rid, result)
        for first in range(0, len(chunk.messages), step):
            messages = chunk.messages[first : first + step]
            results = mail.send_now([m for _, m in messages])
            for (rid, _m), result in zip(messages, results, strict=True):
                _outcome(outcomes, rid, result)


def _gates_and_meter(campaign: Campaign, claimed: batches.Claimed) -> None:
    lifecycle.check_gates(campaign.organization_id, campaign.from_email or "")
    billing.record_usage(
        campaign.organization_id,
        f"campaign:{campaign.id}:batch:{claimed.number}",
        claimed.size,
    )


@dataclass
class Batch:
    """A claimed batch, ready to deliver (and then delivering, in a thread)."""

    claimed: batches.Claimed
    composer: compose.Composer
    recipients: list[compose.Recipient]
    attempts: dict[int, int]
    outcomes: batches.Outcomes
    org_rate: float
    signed: bool
    lease: batches.Lease
    composed: compose.Composed | None = None
    thread: threading.Thread | None = None
    error: BaseException | None = None


def prepare(campaign_id: int, claimed: batches.Claimed) -> Batch | None:
    """Gates, metering, recipients and (when not paced) the messages of a claimed batch;
    None when the campaign must stop (it was paused or failed, the claim undone)."""
    cfg = settings.pipeline()
    org_id = require_org_id()
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    assert campaign is not None
    try:
        _gates_and_meter(campaign, claimed)
    except AppError as exc:
        db.session.rollback()  # the claim is undone: the batch waits as it was
        lifecycle.pause_automatically(campaign_id, exc.code, exc.message)
        db.session.commit()
        return None
    try:
        composer = composer_for(campaign)
    except TemplateInvalid as exc:
        db.session.rollback()
        lifecycle.fail_campaign(campaign_id, "template_invalid", exc.message)
        db.session.commit()
        return None
    org = accounts.get_organization_by_id(org_id)
    org_rate = settings.org_rate(org.settings)
    signed = signs(org_id, campaign.from_email or "")
    db.session.commit()
    lease = batches.Lease(db.engine, org_id, claimed, cfg.lease_seconds)
    lease.start()
    outcomes = batches.Outcomes()
    rows = audience.batch_rows(campaign_id, claimed.number)
    db.session.commit()  # no transaction stays open while delivering
    recipients = []
    for row in rows:
        reason = audience.skip_reason(row)
        if reason:
            outcomes.skipped.append((row.id, reason))
        else:
            recipients.append(
                compose.Recipient(row.id, row.email, row.first_name, row.last_name, row.attributes)
            )
    batch = Batch(
        claimed,
        composer,
        recipients,
        {row.id: row.attempts for row in rows},
        outcomes,
        org_rate,
        signed,
        lease,
    )
    if not (org_rate > 0 or cfg.rate_per_backend > 0):
        batch.composed = composer.compose(recipients, signed=signed)
    return batch


def start(batch: Batch) -> None:
    """Deliver ``batch`` in a thread (no database work there): the runner prepares the
    next batch meanwhile, so a worker does not idle while a provider answers."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend_rate = settings.pipeline().rate_per_backend

    def run() -> None:
        try:
            with app.app_context():
                deliver(
                    batch.composer,
                    batch.recipients,
                    batch.outcomes,
                    org_rate=batch.org_rate,
                    backend_rate=backend_rate,
                    signed=batch.signed,
                    composed=batch.composed,
                )
        except BaseException as exc:  # re-raised by ``finish`` in the runner
            batch.error = exc

    batch.thread = threading.Thread(target=run, name=f"deliver-{batch.claimed.id}", daemon=True)
    batch.thread.start()


def finish(campaign_id: int, batch: Batch) -> bool:
    """Wait for the delivery, record it; False when the campaign must stop."""
    cfg = settings.pipeline()
    if batch.thread is not None:
        batch.thread.join()
    batch.lease.stop()
    if batch.error is not None:
        # Unknown outcomes: the batch stays claimed until its lease runs out and is
        # then delivered again (the at-most-one-batch repeat of a crash).
        raise batch.error
    recorded = batches.record(
        require_org_id(),
        campaign_id,
        batch.claimed,
        batch.outcomes,
        batch.attempts,
        max_attempts=cfg.max_attempts,
        retry_seconds=cfg.retry_seconds,
        window=cfg.error_window,
    )
    db.session.commit()
    if not recorded.owned:
        log.warning(
            "batch %s of campaign %s was taken over while in flight", batch.claimed.id, campaign_id
        )
    if recorded.campaign_status != "sending":
        return False
    return not _too_many_errors(campaign_id, recorded, batch.outcomes, cfg)


def release(batch: Batch) -> None:
    """Give back a prepared batch that will not be delivered by this runner."""
    batch.lease.stop()
    batches.release(batch.claimed)
    db.session.commit()


def process(campaign_id: int, claimed: batches.Claimed) -> bool:
    """Deliver one claimed batch and record it; False when the campaign must stop."""
    batch = prepare(campaign_id, claimed)
    if batch is None:
        return False
    start(batch)
    return finish(campaign_id, batch)


def _too_many_errors(
    campaign_id: int,
    recorded: batches.Recorded,
    outcomes: batches.Outcomes,
    cfg: settings.PipelineSettings,
) -> bool:
    needed = min(cfg.error_window, max(recorded.recipients, 1))
    attempts, errors = recorded.window_attempts, recorded.window_errors
    if attempts < needed or errors <= cfg.max_error_rate * attempts:
        return False
    if batches.outlook(campaign_id).open == 0:
        db.session.commit()
        return False  # nothing left to protect: the campaign finishes with its counts
    reason = (
        f"{errors / attempts:.0%} of the last {attempts:,} delivery attempts failed "
        f"(the limit is {cfg.max_error_rate:.0%}); last error: {outcomes.last_error()}"
    )
    lifecycle.pause_automatically(campaign_id, "error_rate", reason)
    db.session.commit()
    return True


# --- the runner loop -------------------------------------------------------------------------


def run_campaign(campaign_id: int, generation: int, slot: int, continuation: int) -> None:
    """Process batches of a sending campaign until it is done, stops, or time is up.

    While one batch is delivered (in a thread), the next is claimed, metered, loaded and
    composed; at most the batch being delivered has unknown outcomes at any time.
    """
    cfg = settings.pipeline()
    org_id = require_org_id()
    deadline = time.monotonic() + cfg.job_seconds
    worker = worker_name()
    checked_mail = time.monotonic()
    mail_worker = _takes_mail()
    flight: Batch | None = None
    while True:
        hand_over = time.monotonic() >= deadline
        if not hand_over and mail_worker and time.monotonic() - checked_mail >= POLL:
            checked_mail = time.monotonic()
            # Transactional mail is never stuck behind a campaign: this worker takes it
            # next (the mail queue comes first) and a fresh job continues.
            hand_over = _mail_waiting()
        following: Batch | None = None
        stopped = False
        if not hand_over:
            claimed = batches.claim(
                org_id, campaign_id, worker=worker, lease_seconds=cfg.lease_seconds
            )
            if claimed is not None:
                following = prepare(campaign_id, claimed)
                stopped = following is None
            else:
                db.session.commit()
        if flight is not None:
            going_on = finish(campaign_id, flight)
            flight = None
            if not going_on:
                if following is not None:
                    release(following)
                return
        if following is not None:
            start(following)
            flight = following
            continue
        if stopped:
            return
        if hand_over:
            _hand_over(org_id, campaign_id, generation, slot, continuation)
            return
        look = batches.outlook(campaign_id)
        db.session.commit()
        if look.status != "sending":
            return
        if look.open == 0:
            lifecycle.finish_campaign(campaign_id)
            db.session.commit()
            return
        in_flight = _in_flight(campaign_id)
        db.session.commit()
        if not in_flight and slot != 0:
            return  # only batches in back-off are left: the first runner waits for them
        wait = (look.next_at - look.now).total_seconds() if look.next_at else POLL
        if wait > deadline - time.monotonic():
            _hand_over(org_id, campaign_id, generation, slot, continuation)
            return
        time.sleep(min(max(wait, 0.05), POLL))


def _takes_mail() -> bool:
    """Whether the RQ worker running this job also listens to the ``mail`` queue (a
    worker started with ``--queues bulk`` never takes mail: it need not hand over)."""
    job = get_current_job()
    if job is None or not job.worker_name or not current_app.config.get("REDIS_URL"):
        return False
    try:
        worker = Worker.find_by_key(
            Worker.redis_worker_namespace_prefix + job.worker_name,
            connection=redis_connection(),
            serializer=JSONSerializer,
        )
        return worker is not None and get_queue("mail").name in worker.queue_names()
    except Exception:  # Redis trouble: keep sending; the claims will tell
        return False


def _mail_waiting() -> bool:
    try:
        return get_queue("mail").count > 0
    except Exception:  # Redis unavailable: the next claim will tell
        return False


def _in_flight(campaign_id: int) -> bool:
    import sqlalchemy as sa

    from blueprints.campaigns.models import CampaignBatch

    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CampaignBatch)
            .where(CampaignBatch.campaign_id == campaign_id, CampaignBatch.status == "sending")
        )
        or 0
    ) > 0


def _hand_over(
    org_id: int, campaign_id: int, generation: int, slot: int, continuation: int
) -> None:
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    if campaign is None or campaign.status != "sending" or campaign.run_generation != generation:
        return
    dispatch.continue_runner(org_id, campaign_id, generation, slot, continuation + 1)
