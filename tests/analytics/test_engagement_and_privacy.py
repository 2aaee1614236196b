"""Engagement segment conditions, erasure and the per-contact export."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.analytics.models import AnalyticsEvent, RecipientActivity
from blueprints.contacts import audience, privacy
from blueprints.contacts.segments import SegmentInvalid
from engagex.db import db
from tests.analytics.helpers import flush, make_sent_campaign, post_events, sg_event

CHROME = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def matching(definition: dict) -> set[int]:
    return {c.id for c in audience.preview_matching(None, definition, limit=100).items}


def test_opened_and_clicked_conditions(org, client, human):
    first = make_sent_campaign(3)
    second = make_sent_campaign(2)
    db.session.commit()
    client.get(first.open_url(0), headers={"User-Agent": CHROME})
    client.get(first.click_url(0, 0), headers={"User-Agent": CHROME})
    client.get(first.open_url(1), headers={"User-Agent": "Mozilla/5.0"})  # Apple MPP only
    client.get(second.open_url(0), headers={"User-Agent": CHROME})
    flush()
    a, b = first.contacts, second.contacts
    assert matching({"condition": "opened", "campaign_id": first.campaign.id}) == {a[0].id}
    assert matching(
        {"condition": "opened", "campaign_id": first.campaign.id, "include_machine": True}
    ) == {a[0].id, a[1].id}
    assert matching({"condition": "opened", "within_last_days": 7}) == {a[0].id, b[0].id}
    assert matching({"condition": "clicked"}) == {a[0].id}
    assert matching(
        {
            "and": [
                {"field": "group", "op": "eq", "value": first.group_id},
                {"not": {"condition": "opened"}},
            ]
        }
    ) == {a[1].id, a[2].id}
    # An activity older than the window does not count.
    db.session.execute(
        sa.update(RecipientActivity)
        .where(RecipientActivity.contact_id == b[0].id)
        .values(last_open_at=sa.func.now() - sa.text("interval '40 days'"))
    )
    assert matching({"condition": "opened", "within_last_days": 30}) == {a[0].id}
    for bad, path in (
        ({"condition": "opened", "campaign_id": 999999999}, "$.campaign_id"),
        ({"condition": "clicked", "within_last_days": 0}, "$.within_last_days"),
        ({"condition": "opened", "color": "red"}, "$.color"),
        ({"condition": "opened", "include_machine": "yes"}, "$.include_machine"),
    ):
        with pytest.raises(SegmentInvalid) as caught:
            audience.check_definition(bad)
        assert caught.value.details["path"] == path


def test_erasure_anonymises_events_and_exports_list_them(org, client, human, sendgrid_keys):
    sent = make_sent_campaign(2)
    db.session.commit()
    client.get(sent.open_url(0), headers={"User-Agent": CHROME})
    client.get(sent.click_url(0, 1), headers={"User-Agent": CHROME})
    flush()
    reason = f"550 5.1.1 <{sent.recipients[0].email}>: user unknown"
    post_events(
        client,
        sendgrid_keys,
        [sg_event("bounce", sent.recipients[0], status="5.1.1", reason=reason)],
    )
    email = sent.recipients[0].email
    export = privacy.contact_data(None, email)
    section = export["engagement"]["events"]
    assert [e["type"] for e in section] == ["open", "click", "bounce"]
    assert section[2]["details"]["reason"] == reason
    privacy.erase_contact(None, email)
    db.session.commit()
    rows = list(
        db.session.scalars(
            sa.select(AnalyticsEvent).where(AnalyticsEvent.recipient_id == sent.recipients[0].id)
        )
    )
    assert len(rows) == 3
    assert all(r.contact_id is None and r.user_agent is None and r.data == {} for r in rows)
    assert db.session.get(RecipientActivity, sent.recipients[0].id).contact_id is None
    other = db.session.scalars(
        sa.select(AnalyticsEvent).where(AnalyticsEvent.recipient_id == sent.recipients[1].id)
    ).all()
    assert other == []
