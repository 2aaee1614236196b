"""The SendGrid Event Webhook: signatures, replays, duplicates, tenants, consequences."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from blueprints.analytics import stats
from blueprints.analytics.models import AnalyticsEvent
from blueprints.contacts import audience
from blueprints.contacts.models import Contact
from engagex.db import db
from engagex.tenancy import system_scope, tenant_context
from tests.analytics.helpers import SendGridKeys, make_sent_campaign, post_events, sg_event
from tests.factories import make_org


def all_events() -> list[AnalyticsEvent]:
    with system_scope():
        return list(db.session.scalars(sa.select(AnalyticsEvent).order_by(AnalyticsEvent.id)))


def status_of(contact: Contact) -> str:
    return db.session.scalar(sa.select(Contact.status).where(Contact.id == contact.id))


def test_forged_missing_or_stale_signatures_are_403_and_write_nothing(org, client, sendgrid_keys):
    sent = make_sent_campaign(1)
    db.session.commit()
    events = [sg_event("spamreport", sent.recipients[0])]
    body = json.dumps(events).encode()
    forged = SendGridKeys().headers(body)  # signed by someone else's key
    stale = sendgrid_keys.headers(body, timestamp=int(time.time()) - 301)
    good = sendgrid_keys.headers(body)
    tampered_body = body.replace(b"spamreport", b"delivered_")
    cases = [
        (body, forged, "invalid_signature"),
        (body, stale, "stale_timestamp"),
        (body, {"Content-Type": "application/json"}, "invalid_signature"),
        (tampered_body, good, "invalid_signature"),
        (
            body,
            {**good, "X-Twilio-Email-Event-Webhook-Signature": "not base64!"},
            "invalid_signature",
        ),
    ]
    for data, headers, code in cases:
        response = client.post("/webhooks/sendgrid", data=data, headers=headers)
        assert response.status_code == 403, (code, response.get_json())
        assert response.get_json()["code"] == code
    assert all_events() == []
    assert status_of(sent.contacts[0]) == "subscribed"
    assert post_events(client, sendgrid_keys, events).status_code == 200
    assert status_of(sent.contacts[0]) == "complained"


def test_without_a_configured_key_the_webhook_refuses_everything(org, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SENDGRID_WEBHOOK_PUBLIC_KEY", None)
    sent = make_sent_campaign(1)
    db.session.commit()
    response = post_events(client, SendGridKeys(), [sg_event("delivered", sent.recipients[0])])
    assert response.status_code == 403
    assert response.get_json()["code"] == "webhook_not_configured"
    assert all_events() == []


def test_events_are_applied_once_and_duplicates_ignored(org, client, sendgrid_keys):
    sent = make_sent_campaign(4)
    db.session.commit()
    r = sent.recipients
    batch = [
        *(sg_event("processed", x) for x in r),
        *(sg_event("delivered", x) for x in r[:3]),
        sg_event("bounce", r[3], type="bounce", status="5.1.1", reason="550 5.1.1 user unknown"),
        sg_event("deferred", r[2], response="451 try later", attempt="1"),
        sg_event("open", r[0], useragent="Mozilla/5.0", sg_machine_open=True),
        sg_event("open", r[1], useragent="Mozilla/5.0 (Windows NT 10.0) Chrome/126.0"),
        sg_event("click", r[1], url="https://shop.example/about?x=1", useragent="Chrome/126.0"),
        sg_event("spamreport", r[2]),
        sg_event("unsubscribe", r[1]),
        sg_event("group_resubscribe", r[0]),  # not handled: acknowledged
    ]
    first = post_events(client, sendgrid_keys, batch)
    assert first.status_code == 200
    assert first.get_json() == {
        "received": 15,
        "recorded": 14,
        "duplicates": 0,
        "unmatched": 0,
        "ignored_types": {"group_resubscribe": 1},
    }
    again = post_events(client, sendgrid_keys, batch)  # SendGrid retried the same batch
    assert again.get_json()["recorded"] == 0 and again.get_json()["duplicates"] == 14
    assert len(all_events()) == 14
    data = stats.campaign_stats(None, sent.campaign.id)
    assert data["delivered"] == 3 and data["deferred"] == 1
    assert data["bounces"] == 1 and data["complaints"] == 1 and data["unsubscribes"] == 1
    assert (data["opens"], data["unique_opens"], data["machine_opens"]) == (1, 1, 1)
    assert (data["clicks"], data["unique_clicks"]) == (1, 1)
    assert data["rates"]["delivered_base"] == "delivered"
    assert stats.links(None, sent.campaign.id)["links"][0]["url"].endswith("/about?x=1")
    assert [status_of(c) for c in sent.contacts] == [
        "subscribed",
        "unsubscribed",
        "complained",
        "bounced",
    ]
    assert audience.suppression_of(r[3].email).reason == "bounce"
    assert audience.suppression_of(r[2].email).reason == "complaint"
    assert audience.suppression_of(r[1].email) is None  # unsubscribed: status only
    bounce = next(e for e in all_events() if e.type == "bounce")
    assert bounce.data == {"hard": True, "status": "5.1.1", "reason": "550 5.1.1 user unknown"}


def test_a_soft_bounce_suppresses_nobody_and_status_only_gets_more_severe(
    org, client, sendgrid_keys
):
    sent = make_sent_campaign(2)
    db.session.commit()
    r = sent.recipients
    post_events(
        client,
        sendgrid_keys,
        [
            sg_event("bounce", r[0], type="blocked", status="5.7.1", reason="blocked as spam"),
            sg_event("spamreport", r[1]),
        ],
    )
    post_events(client, sendgrid_keys, [sg_event("unsubscribe", r[1]), sg_event("bounce", r[1])])
    assert status_of(sent.contacts[0]) == "subscribed"
    assert audience.suppression_of(r[0].email) is None
    assert status_of(sent.contacts[1]) == "complained"  # neither unsubscribed nor bounced
    data = stats.campaign_stats(None, sent.campaign.id)
    assert (data["bounces"], data["soft_bounces"], data["complaints"]) == (1, 1, 1)


def test_the_tenant_comes_only_from_custom_args_that_match_a_stored_recipient(
    org, client, sendgrid_keys
):
    sent = make_sent_campaign(1)
    db.session.commit()
    other = make_org()
    with tenant_context(other.id):
        theirs = make_sent_campaign(1)
        db.session.commit()
    mine = sent.recipients[0]
    lying = [
        sg_event("spamreport", mine, org_id=other.id),  # our recipient, their organization
        {**sg_event("spamreport", mine), "campaign_id": str(theirs.campaign.id)},
        {**sg_event("spamreport", mine), "recipient_id": "999999999999"},
        {k: v for k, v in sg_event("spamreport", mine).items() if k != "organization_id"},
        {**sg_event("spamreport", mine), "recipient_id": "12abc"},
        "not an object",
    ]
    response = post_events(client, sendgrid_keys, lying)
    assert response.status_code == 200
    assert response.get_json()["recorded"] == 0 and response.get_json()["unmatched"] == 6
    assert all_events() == []
    assert status_of(sent.contacts[0]) == "subscribed"
    with tenant_context(other.id):
        assert status_of(theirs.contacts[0]) == "subscribed"


def test_a_broken_body_is_400(org, client, sendgrid_keys):
    for body in (b"{not json", b'{"event": "open"}'):
        response = client.post("/webhooks/sendgrid", data=body, headers=sendgrid_keys.headers(body))
        assert response.status_code == 400
        assert response.get_json()["code"] == "invalid_payload"


def test_a_batch_of_a_thousand_events_is_written_in_bulk(org, client, sendgrid_keys, app):
    sent = make_sent_campaign(250)
    db.session.commit()
    batch = []
    for recipient in sent.recipients:
        batch += [
            sg_event("processed", recipient),
            sg_event("delivered", recipient),
            sg_event("open", recipient, useragent="Mozilla/5.0 (Macintosh) Firefox/128.0"),
            sg_event("click", recipient, url="https://shop.example/sale", useragent="Chrome/126"),
        ]
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*args, **kwargs):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = post_events(client, sendgrid_keys, batch)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.get_json()["recorded"] == 1000
    assert len(statements) < 40  # set-based: the statement count does not grow with the batch
    data = stats.campaign_stats(None, sent.campaign.id)
    assert (data["delivered"], data["unique_opens"], data["unique_clicks"]) == (250, 250, 250)
