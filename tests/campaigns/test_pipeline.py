"""The snapshot, the batches and the runner, with jobs run in this process."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.billing.enforcement import SendingDecision
from blueprints.campaigns import services, signals, snapshot
from blueprints.campaigns.batches import db_now
from blueprints.campaigns.models import Campaign, CampaignBatch, CampaignRecipient
from blueprints.contacts import audience as contacts_audience
from blueprints.contacts import privacy
from blueprints.contacts import services as contacts
from blueprints.contacts.models import Contact
from engagex.db import db
from engagex.errors import ValidationFailed
from engagex.jobs import get_queue
from tests.campaigns.helpers import (
    addresses,
    campaign_mail,
    drain,
    make_audience,
    make_campaign,
    make_template,
)
from tests.mail.smtp_server import SmtpServer


def recipients(campaign_id: int) -> dict[str, CampaignRecipient]:
    rows = db.session.scalars(
        sa.select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
    )
    return {row.email: row for row in rows}


@pytest.fixture
def caught():
    """Signals received during the test: (signal name, kwargs)."""
    seen: list[tuple[str, dict]] = []
    receivers = {}
    for name in ("campaign_started", "campaign_finished", "campaign_paused", "campaign_failed"):
        signal = getattr(signals, name)

        def receive(sender, _name=name, **kwargs):
            seen.append((_name, kwargs))

        receivers[name] = receive
        signal.connect(receive)
    yield seen
    for name, receive in receivers.items():
        getattr(signals, name).disconnect(receive)


def test_a_send_rolled_back_enqueues_and_sends_nothing(org, queued):
    group, _ = make_audience(5)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.rollback()
    assert get_queue("bulk").count == 0
    assert services.get_campaign(None, campaign.id).status == "draft"
    assert recipients(campaign.id) == {}
    services.send_campaign(None, campaign.id)
    db.session.commit()
    assert get_queue("bulk").count == 4  # the runners, released by the commit


def test_snapshot_is_set_based_deduplicated_filtered_and_idempotent(org, allow_senders):
    news, news_emails = make_audience(6, prefix="n")
    vip, vip_emails = make_audience(2, prefix="v")
    contacts.add_to_group(None, vip.id, emails=news_emails[:2])  # in both groups
    excluded, _excluded_emails = make_audience(1, prefix="x")
    contacts.add_to_group(None, excluded.id, emails=[news_emails[2]])
    contacts.update_contact(
        None, contacts.find_contact(None, news_emails[3]).id, {"status": "unsubscribed"}
    )
    contacts_audience.suppress(news_emails[4], "bounce")
    contacts.delete_contact(None, contacts.find_contact(None, vip_emails[0]).id)
    contacts_audience.suppress(news_emails[5].split("@")[1], "manual")  # the whole domain...
    campaign = make_campaign(
        make_template(),
        [news.id, vip.id],
        exclude_group_ids=[excluded.id],
        seed_emails=["seed@team.example", news_emails[0]],
    )
    db.session.commit()
    # ...which is example.com: every audience address is suppressed but the seeds stay.
    assert services.stats(None, campaign.id)["audience"] == 2
    contacts_audience.remove_suppression(None, contacts_audience.suppression_of(news_emails[5]).id)
    campaign.batch_size = 2
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    rows = recipients(campaign.id)
    assert set(rows) == {
        "seed@team.example",
        news_emails[0],
        news_emails[1],
        news_emails[5],
        vip_emails[1],
    }
    assert {rows["seed@team.example"].batch_no, rows[news_emails[0]].batch_no} == {0}
    assert rows[news_emails[0]].is_seed and rows[news_emails[0]].contact_id is not None
    again = snapshot.snapshot(db.session.get(Campaign, campaign.id))
    assert again == 5 and len(recipients(campaign.id)) == 5
    sizes = dict(
        db.session.execute(
            sa.select(CampaignBatch.number, CampaignBatch.size).where(
                CampaignBatch.campaign_id == campaign.id
            )
        ).all()
    )
    assert sizes == {0: 2, 1: 2, 2: 1}
    assert db.session.scalar(sa.select(sa.func.sum(CampaignBatch.size))) == 5


def test_a_contact_who_unsubscribes_after_the_snapshot_is_not_sent_to(org, queued, caught):
    group, emails = make_audience(6)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    contacts.update_contact(
        None, contacts.find_contact(None, emails[0]).id, {"status": "unsubscribed"}
    )
    contacts_audience.suppress(emails[1], "complaint")
    contacts.delete_contact(None, contacts.find_contact(None, emails[2]).id)
    db.session.commit()
    drain()
    delivered = addresses(campaign_mail(queued))
    assert delivered == sorted(emails[3:])
    rows = recipients(campaign.id)
    assert [rows[e].status for e in emails[:3]] == ["skipped"] * 3
    assert (rows[emails[0]].error, rows[emails[1]].error, rows[emails[2]].error) == (
        "unsubscribed",
        "suppressed",
        "contact deleted",
    )
    campaign = services.get_campaign(None, campaign.id)
    assert campaign.status == "sent"
    assert campaign.counts == {
        "recipients": 6, "sent": 3, "failed": 0, "skipped": 3, "cancelled": 0, "queued": 0
    }  # fmt: skip
    finished = [kw for name, kw in caught if name == "campaign_finished"]
    assert len(finished) == 1 and finished[0]["counts"]["sent"] == 3


@pytest.fixture
def refusing_smtp(app, monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "ENGAGEX_MAIL_BACKEND", "smtp")
        monkeypatch.setitem(app.config, "SMTP_HOST", server.host)
        monkeypatch.setitem(app.config, "SMTP_PORT", server.port)
        monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
        app.extensions.pop("engagex.mail_backend", None)
        yield server
        app.extensions.pop("engagex.mail_backend", None)


def test_too_many_errors_pause_the_campaign_with_the_reason(
    app, org, queued, refusing_smtp, caught, monkeypatch
):
    monkeypatch.setitem(app.config, "ENGAGEX_CAMPAIGN_BATCH_SIZE", 10)
    monkeypatch.setitem(app.config, "ENGAGEX_CAMPAIGN_ERROR_WINDOW", 20)
    group, emails = make_audience(60)
    for address in emails:
        refusing_smtp.handler.rules[address] = "550 5.1.1 No such user"
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    drain()
    campaign = services.get_campaign(None, campaign.id)
    assert campaign.status == "paused" and campaign.status_code == "error_rate"
    assert "100% of the last 20 delivery attempts failed" in campaign.status_reason
    assert "550 5.1.1 No such user" in campaign.status_reason
    assert campaign.counts["failed"] == 20 and campaign.counts["queued"] == 40
    paused = [kw for name, kw in caught if name == "campaign_paused"]
    assert paused[0]["code"] == "error_rate" and paused[0]["automatic"] is True
    assert "No such user" in recipients(campaign.id)[emails[0]].error

    refusing_smtp.handler.rules.clear()  # fixed at the relay: resume where it stopped
    services.resume_campaign(None, campaign.id)
    db.session.commit()
    drain()
    campaign = services.get_campaign(None, campaign.id)
    assert campaign.status == "sent"
    assert campaign.counts["sent"] == 40 and campaign.counts["failed"] == 20
    assert sum(b"\r\nFeedback-ID: " in m.data for m in refusing_smtp.received) == 40


def test_a_sender_domain_downgraded_mid_campaign_pauses_it(app, org, queued, monkeypatch, caught):
    monkeypatch.setitem(app.config, "ENGAGEX_CAMPAIGN_BATCH_SIZE", 3)
    group, _ = make_audience(9)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    from blueprints.domains import services as domains

    checked = []
    original = domains.assert_sender_allowed

    def downgraded_after_one_batch(org_id, from_email):
        checked.append(from_email)
        if len(checked) > 1:
            raise ValidationFailed(
                "acme.example lost its DNS records", code="sender_domain_unverified"
            )
        return original(org_id, from_email)

    monkeypatch.setattr(domains, "assert_sender_allowed", downgraded_after_one_batch)
    drain()
    campaign = services.get_campaign(None, campaign.id)
    assert campaign.status == "paused" and campaign.status_code == "sender_domain_unverified"
    assert campaign.counts["sent"] == 3 and campaign.counts["queued"] == 6
    with pytest.raises(ValidationFailed):
        services.resume_campaign(None, campaign.id)  # still blocked
    pending = db.session.scalar(
        sa.select(sa.func.count()).where(
            CampaignBatch.campaign_id == campaign.id, CampaignBatch.status == "pending"
        )
    )
    assert pending == 2  # the refused batch was released, not lost


def test_an_overdue_payment_pauses_a_sending_campaign(org, queued, monkeypatch):
    group, _ = make_audience(4)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    from blueprints.billing import services as billing

    monkeypatch.setattr(
        billing,
        "sending_allowed",
        lambda org_id, at=None: SendingDecision(False, "payment_overdue", "Pay the open invoice."),
    )
    drain()
    campaign = services.get_campaign(None, campaign.id)
    assert (campaign.status, campaign.status_code) == ("paused", "sending_paused")
    assert campaign.status_reason == "Pay the open invoice."


def test_cancel_stops_what_is_not_sent(org, queued, caught):
    group, _ = make_audience(5)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    services.cancel_campaign(None, campaign.id)
    db.session.commit()
    drain()
    campaign = services.get_campaign(None, campaign.id)
    assert campaign.status == "cancelled" and campaign.counts["cancelled"] == 5
    assert campaign_mail(queued) == []


def test_send_due_starts_due_campaigns_and_fails_those_that_cannot(org, queued, caught):
    group, _ = make_audience(3)
    ok = make_campaign(make_template(), [group.id])
    broken = make_campaign(make_template(), [group.id])
    db.session.commit()
    for campaign in (ok, broken):
        services.schedule_campaign(None, campaign.id, db_now() + timedelta(hours=1))
    db.session.execute(
        sa.update(Campaign)
        .values(scheduled_at=sa.func.now() - timedelta(minutes=1))
        .execution_options(synchronize_session=False)
    )
    contacts.delete_group(None, group.id)  # the audience of both is gone by then
    ok.group_ids = []
    ok.seed_emails = ["seed@team.example"]
    db.session.commit()
    assert sorted(services.due_campaigns()) == sorted([(ok.id, org.id), (broken.id, org.id)])
    assert services.start_due(ok.id) is not None
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        services.start_due(broken.id)
    db.session.rollback()
    assert services.fail_campaign(
        broken.id, refused.value.code, refused.value.message, only_from=("scheduled",)
    )
    db.session.commit()
    assert services.due_campaigns() == []
    assert services.get_campaign(None, broken.id).status_code == "group_not_found"
    assert [name for name, _ in caught] == ["campaign_started", "campaign_failed"]
    drain()
    assert services.get_campaign(None, ok.id).status == "sent"


def test_a_stalled_campaign_gets_fresh_runners_once(org, queued, app, monkeypatch):
    group, _ = make_audience(3)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    get_queue("bulk").empty()  # the runners died with their worker
    db.session.execute(
        sa.update(Campaign)
        .values(started_at=sa.func.now() - timedelta(hours=1), last_activity_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert services.stalled_campaigns() == [(campaign.id, org.id)]
    assert services.restart_stalled(campaign.id) is True
    assert services.restart_stalled(campaign.id) is False
    db.session.commit()
    assert get_queue("bulk").count == 4
    drain()
    assert services.get_campaign(None, campaign.id).status == "sent"


def test_erasure_anonymises_recipients_and_exports_list_them(org, outbox):
    group, emails = make_audience(2)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    db.session.commit()
    exported = privacy.contact_data(None, emails[0])
    assert exported["campaigns"]["campaigns"][0]["status"] == "sent"
    privacy.erase_contact(None, emails[0])
    db.session.commit()
    rows = recipients(campaign.id)
    assert emails[0] not in rows and "erased@erased.invalid" in rows
    assert rows["erased@erased.invalid"].contact_id is None
    assert db.session.scalar(sa.select(sa.func.count()).where(Contact.email == emails[0])) == 0
