"""The pipeline under real conditions: worker processes, PostgreSQL, Redis, an SMTP
server (aiosmtpd) and the SendGrid fake.

Workers are ``python -m cli worker --burst --queues bulk`` subprocesses: they see only
committed data, so these tests use the ``live`` database and commit for real (each test
in an organization of its own). They listen to the bulk queue only, so that mail other
domains queue meanwhile (notices) never moves runner jobs between them; handing a
worker over to the mail queue is tested in test_pacing.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from blueprints.campaigns import services, settings
from blueprints.campaigns.batches import db_now
from blueprints.campaigns.models import Campaign, CampaignRecipient
from blueprints.campaigns.states import InvalidTransition
from engagex.db import db
from engagex.jobs import get_queue
from engagex.tenancy import tenant_context
from tests.campaigns.conftest import Live, live_org
from tests.campaigns.helpers import make_audience, make_campaign, make_template
from tests.mail.smtp_server import SmtpServer
from tests.support.sendgrid_fake import Reply, SendGridFake

pytestmark = pytest.mark.slow
WAIT = 180  # seconds a worker may take before the test gives up on it


def prepare(live: Live, count: int, **fields: Any) -> tuple[int, int, list[str]]:
    """A committed organization, template, audience and draft campaign."""
    with live.app.app_context():
        org = live_org()
        with tenant_context(org.id):
            template = make_template(
                subject="Hello {{ first_name }}",
                body='<p>Hi {{ first_name }}</p><p><a href="https://shop.example/s">Shop</a></p>',
            )
            group, emails = make_audience(count)
            campaign = make_campaign(template, [group.id], **fields)
            db.session.commit()
            ids = org.id, campaign.id
        get_queue("mail", live.app).empty()  # the owner's welcome mail is not under test
        return *ids, emails


def send(live: Live, org_id: int, campaign_id: int) -> None:
    with live.app.app_context(), tenant_context(org_id):
        services.send_campaign(None, campaign_id)
        db.session.commit()


def outcome(live: Live, org_id: int, campaign_id: int) -> tuple[Campaign, dict[str, Any]]:
    with live.app.app_context(), tenant_context(org_id):
        campaign = services.get_campaign(None, campaign_id)
        rows = db.session.execute(
            sa.select(
                CampaignRecipient.email, CampaignRecipient.status, CampaignRecipient.error
            ).where(CampaignRecipient.campaign_id == campaign_id)
        ).all()
        db.session.expunge(campaign)
        return campaign, {row.email: row for row in rows}


def campaign_mail(server: SmtpServer) -> Counter[str]:
    """Recipients of campaign messages (not the platform's own mail, e.g. welcomes)."""
    return Counter(
        rcpt
        for message in server.received
        if b"\r\nFeedback-ID: " in message.data
        for rcpt in message.rcpt_tos
    )


def kill_worker(pid: int) -> None:
    """SIGKILL an RQ worker and its work horse (RQ puts the horse in a process group of
    its own, so killing the worker's group alone would leave the horse sending)."""
    for child in _children(pid):
        os.killpg(child, signal.SIGKILL)
    os.killpg(pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            found += [int(p) for p in fh.read().split()]
    return found


def finish(*workers: Any) -> None:
    for worker in workers:
        _out, err = worker.communicate(timeout=WAIT)
        assert worker.returncode == 0, err[-3000:]


def smtp_env(live: Live, server: SmtpServer, **settings: Any) -> dict[str, str]:
    return live.env(
        live.prefix,  # type: ignore[attr-defined]
        ENGAGEX_MAIL_BACKEND="smtp",
        SMTP_HOST=server.host,
        SMTP_PORT=server.port,
        SMTP_STARTTLS="0",
        **settings,
    )


def test_two_workers_deliver_every_recipient_exactly_once(live, monkeypatch):
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_BATCH_SIZE", 25)
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_PARALLELISM", 4)
    with SmtpServer(pipelining=True) as server:
        org_id, campaign_id, emails = prepare(live, 600, seed_emails=["seed@team.example"])
        send(live, org_id, campaign_id)
        env = smtp_env(live, server)
        finish(*[live.start(env, "worker", "--burst", "--queues", "bulk") for _ in range(2)])
        received = campaign_mail(server)
    assert received == Counter([*emails, "seed@team.example"])
    campaign, rows = outcome(live, org_id, campaign_id)
    assert campaign.status == "sent"
    assert campaign.counts == {
        "recipients": 601,
        "sent": 601,
        "failed": 0,
        "skipped": 0,
        "cancelled": 0,
        "queued": 0,
    }
    assert {row.status for row in rows.values()} == {"sent"}


def test_a_killed_worker_loses_nothing_and_repeats_at_most_its_batch(live, monkeypatch):
    batch = 40
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_BATCH_SIZE", batch)
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_PARALLELISM", 2)
    with SmtpServer(pipelining=True) as server:
        reached, release = threading.Event(), threading.Event()
        original = server.handler.handle_DATA

        async def stall(smtp: Any, session: Any, envelope: Any) -> str:
            # The 100th message (mid third batch) hangs until the worker is dead.
            if len(server.received) == 99 and not release.is_set():
                reached.set()
                while not release.is_set():
                    await asyncio.sleep(0.01)
            return await original(smtp, session, envelope)

        server.handler.handle_DATA = stall  # type: ignore[method-assign]
        org_id, campaign_id, emails = prepare(live, 400)
        send(live, org_id, campaign_id)
        env = smtp_env(live, server, ENGAGEX_CAMPAIGN_LEASE_SECONDS=2)
        doomed = live.start(env, "worker", "--burst", "--queues", "bulk")
        assert reached.wait(WAIT), doomed.stderr.read() if doomed.poll() is not None else ""
        kill_worker(doomed.pid)  # mid-batch
        doomed.wait(timeout=30)
        release.set()
        finish(live.start(env, "worker", "--burst", "--queues", "bulk"))
        received = campaign_mail(server)
    assert set(received) == set(emails), "no recipient is lost"
    repeated = {address for address, n in received.items() if n > 1}
    assert 0 < len(repeated) <= batch, "at most the batch in flight is delivered twice"
    with live.app.app_context(), tenant_context(org_id):
        batches_of_repeated = set(
            db.session.scalars(
                sa.select(CampaignRecipient.batch_no).where(
                    CampaignRecipient.campaign_id == campaign_id,
                    CampaignRecipient.email.in_(repeated),
                )
            )
        )
    assert len(batches_of_repeated) == 1
    campaign, _rows = outcome(live, org_id, campaign_id)
    assert campaign.status == "sent"
    assert campaign.counts["sent"] == 400 and campaign.counts["queued"] == 0


def test_temporary_refusals_are_retried_until_delivered(live, monkeypatch):
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_BATCH_SIZE", 50)
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_PARALLELISM", 2)
    with SmtpServer(pipelining=True) as server:
        org_id, campaign_id, emails = prepare(live, 150)
        audience = set(emails)
        refused: list[str] = []
        original = server.handler.handle_RCPT

        async def refuse_first(smtp: Any, session: Any, envelope: Any, address: str, options: Any):
            if address in audience and len(refused) < 30:
                refused.append(address)
                return "451 4.3.0 Try again later"
            return await original(smtp, session, envelope, address, options)

        server.handler.handle_RCPT = refuse_first  # type: ignore[method-assign]
        send(live, org_id, campaign_id)
        env = smtp_env(live, server, ENGAGEX_CAMPAIGN_RETRY_SECONDS="0.2")
        finish(live.start(env, "worker", "--burst", "--queues", "bulk"))
        received = campaign_mail(server)
    assert received == Counter(emails)
    campaign, _rows = outcome(live, org_id, campaign_id)
    assert campaign.status == "sent" and campaign.counts["sent"] == 150
    assert set(refused) <= set(emails) and len(refused) == 30


def test_sendgrid_rate_limit_and_errors_are_retried_and_rejections_recorded(live, monkeypatch):
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_BATCH_SIZE", 50)
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_PARALLELISM", 1)
    with SendGridFake() as fake:
        org_id, campaign_id, emails = prepare(live, 120)
        bad = emails[70]
        fake.reject[bad] = "Does not contain a valid address."
        fake.script(
            Reply.rate_limited(reset=time.time() + 3),
            Reply(503, body={"errors": [{"field": None, "message": "unavailable"}]}),
        )
        send(live, org_id, campaign_id)
        env = live.env(
            live.prefix,  # type: ignore[attr-defined]
            ENGAGEX_MAIL_BACKEND="sendgrid",
            SENDGRID_API_KEY=fake.api_key,
            SENDGRID_API_HOST=fake.url,
        )
        finish(live.start(env, "worker", "--burst", "--queues", "bulk"))
        statuses = [attempt.status for attempt in fake.attempts]
        deliveries = list(fake.deliveries)
        requests = list(fake.requests)
    assert statuses[:2] == [429, 503] and 400 in statuses and statuses[-1] == 202
    deliveries = [d for d in deliveries if d["categories"] == ["campaign"]]  # not notices
    assert Counter(d["to"] for d in deliveries) == Counter(e for e in emails if e != bad)
    campaign, rows = outcome(live, org_id, campaign_id)
    assert campaign.status == "sent"
    assert campaign.counts["sent"] == 119 and campaign.counts["failed"] == 1
    assert rows[bad].status == "failed"
    assert "Does not contain a valid address" in rows[bad].error
    # Batched personalizations: one request per batch (plus the retries).
    assert max(len(r["personalizations"]) for r in requests) == 50
    delivery = deliveries[0]
    assert delivery["custom_args"]["campaign_id"] == str(campaign_id)
    assert delivery["custom_args"]["organization_id"] == str(org_id)
    assert set(delivery["custom_args"]) == {"organization_id", "campaign_id", "recipient_id"}
    assert not any("@" in v for d in deliveries for v in d["custom_args"].values())
    assert delivery["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert delivery["subject"].startswith("Hello N")


def test_concurrent_send_due_starts_each_campaign_once(live, monkeypatch):
    monkeypatch.setitem(live.app.config, "ENGAGEX_CAMPAIGN_PARALLELISM", 2)
    ids = []
    for _ in range(3):
        org_id, campaign_id, _emails = prepare(live, 30)
        with live.app.app_context(), tenant_context(org_id):
            services.schedule_campaign(None, campaign_id, db_now() + timedelta(minutes=5))
            # Time passes: the campaign is due.
            db.session.execute(
                sa.update(Campaign)
                .where(Campaign.id == campaign_id)
                .values(scheduled_at=sa.func.now() - sa.text("interval '1 minute'"))
            )
            db.session.commit()
        ids.append((org_id, campaign_id))
    env = live.env(live.prefix, ENGAGEX_CAMPAIGN_PARALLELISM=2)  # type: ignore[attr-defined]
    crons = [live.start(env, "campaigns", "send-due", "--json") for _ in range(2)]
    reports = []
    for cron in crons:
        out, err = cron.communicate(timeout=WAIT)
        assert cron.returncode == 0, err[-3000:]
        reports.append(json.loads(out))
    started = [cid for report in reports for cid in report["started"]]
    assert sorted(started) == sorted(cid for _org, cid in ids), reports
    with live.app.app_context():
        queue = get_queue("bulk", live.app)
        assert len(queue.job_ids) == 2 * len(ids)  # the runners of one start each
        for org_id, campaign_id in ids:
            with tenant_context(org_id):
                campaign = services.get_campaign(None, campaign_id)
                assert campaign.status == "sending" and campaign.run_generation == 1
                assert campaign.recipients_total == 30
                recipients = db.session.scalar(
                    sa.select(sa.func.count()).where(CampaignRecipient.campaign_id == campaign_id)
                )
                assert recipients == 30
            db.session.rollback()


def test_two_concurrent_sends_move_to_sending_once(live):
    org_id, campaign_id, _emails = prepare(live, 50)

    def attempt() -> str:
        with live.app.app_context(), tenant_context(org_id):
            try:
                services.send_campaign(None, campaign_id)
                db.session.commit()
                return "started"
            except InvalidTransition:
                db.session.rollback()
                return "refused"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(lambda _: attempt(), range(2)))
    assert results == ["refused", "started"]
    with live.app.app_context(), tenant_context(org_id):
        total = db.session.scalar(
            sa.select(sa.func.count()).where(CampaignRecipient.campaign_id == campaign_id)
        )
        assert total == 50
        assert len(get_queue("bulk", live.app).job_ids) == settings.pipeline().parallelism
