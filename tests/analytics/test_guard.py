"""The complaint guard: 0.1 % over 24 hours warns, 0.3 % pauses sending campaigns."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.analytics import guard, signals
from blueprints.analytics.models import ComplaintGuard
from blueprints.campaigns import signals as campaign_signals
from blueprints.campaigns.models import Campaign
from engagex.db import db
from tests.analytics.helpers import make_sent_campaign, post_events, sg_event


@pytest.fixture
def caught():
    seen: list[tuple[str, dict]] = []

    def warning(sender, **kwargs):
        seen.append(("warning", kwargs))

    def exceeded(sender, **kwargs):
        seen.append(("exceeded", kwargs))

    signals.complaint_rate_warning.connect(warning)
    signals.complaint_rate_exceeded.connect(exceeded)
    yield seen
    signals.complaint_rate_warning.disconnect(warning)
    signals.complaint_rate_exceeded.disconnect(exceeded)


def campaign_status(campaign_id: int) -> tuple[str, str | None]:
    row = db.session.execute(
        sa.select(Campaign.status, Campaign.status_code).where(Campaign.id == campaign_id)
    ).one()
    return row.status, row.status_code


def test_warn_then_pause_sending_campaigns_with_the_reason(
    org, client, sendgrid_keys, caught, app, monkeypatch
):
    monkeypatch.setitem(app.config, "ENGAGEX_COMPLAINT_MIN_VOLUME", 100)
    finished = make_sent_campaign(398)
    sending = make_sent_campaign(2, status="sending")
    db.session.commit()
    r = finished.recipients
    # 1 complaint in 400 messages: 0.25 % -> a warning (the check runs after the commit).
    post_events(client, sendgrid_keys, [sg_event("spamreport", r[0])])
    assert [name for name, _ in caught] == ["warning"]
    details = caught[0][1]
    assert (details["complaints"], details["volume"], details["threshold"]) == (1, 400, 0.001)
    assert details["rate"] == pytest.approx(0.0025)
    assert campaign_status(sending.campaign.id) == ("sending", None)
    guard.check()  # again within 24 hours: no second warning
    assert len(caught) == 1
    # 2 in 400: 0.5 % -> the sending campaign is paused with the reason.
    post_events(client, sendgrid_keys, [sg_event("spamreport", r[1])])
    assert [name for name, _ in caught] == ["warning", "exceeded"]
    assert caught[1][1]["paused_campaign_ids"] == [sending.campaign.id]
    status, code = campaign_status(sending.campaign.id)
    assert (status, code) == ("paused", "complaint_rate")
    reason = db.session.scalar(
        sa.select(Campaign.status_reason).where(Campaign.id == sending.campaign.id)
    )
    assert "complaint rate 0.50%" in reason
    state = db.session.get(ComplaintGuard, org.id)
    assert state.level == "exceeded" and state.complaints == 2 and state.volume == 400
    # A campaign that starts while the organization is over the threshold is paused too.
    starting = make_sent_campaign(1, status="sending")
    campaign_signals.campaign_started.send(
        starting.campaign.id,
        organization_id=org.id,
        campaign_id=starting.campaign.id,
        name=starting.campaign.name,
        recipients=1,
    )
    assert campaign_status(starting.campaign.id) == ("paused", "complaint_rate")


def test_below_the_minimum_volume_nothing_is_judged(org, client, sendgrid_keys, caught):
    sent = make_sent_campaign(3)
    db.session.commit()
    post_events(client, sendgrid_keys, [sg_event("spamreport", sent.recipients[0])])
    judged = guard.check()
    assert (judged.level, judged.complaints, judged.volume) == ("ok", 1, 3)
    assert caught == []
