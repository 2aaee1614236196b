"""The unsubscribe page, RFC 8058 one-click, preferences, view in browser."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.analytics import stats
from blueprints.analytics.models import AnalyticsEvent
from blueprints.campaigns import services as campaigns
from blueprints.campaigns.models import CampaignRecipient
from blueprints.contacts import audience
from blueprints.contacts.models import Contact, GroupMember
from engagex.api import SESSION_COOKIE
from engagex.db import db
from engagex.tokens import sign
from tests.analytics.helpers import SECRET, make_sent_campaign
from tests.campaigns.helpers import drain, make_audience, make_campaign, make_template


def status_of(contact: Contact) -> str:
    return db.session.scalar(sa.select(Contact.status).where(Contact.id == contact.id))


def test_get_shows_a_branded_accessible_form_and_never_unsubscribes(org, client):
    sent = make_sent_campaign(1)
    db.session.commit()
    for _ in range(3):  # link scanners and prefetchers GET the link
        response = client.get(sent.unsubscribe_url(0), headers={"Accept": "text/html"})
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert org.name in html and '<html lang="en">' in html and "<main>" in html
    assert 'method="post"' in html and "<script" not in html
    assert "p***@example.com" in html and sent.recipients[0].email not in html
    assert 'name="action" value="lists"' in html  # the campaign was sent to a group
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert status_of(sent.contacts[0]) == "subscribed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsEvent)) == 0


def test_one_click_post_answers_200_without_redirect_after_committing(org, client):
    sent = make_sent_campaign(2)
    db.session.commit()
    # RFC 8058: a POST with this body, no cookie, no CSRF token; a stray cookie changes nothing.
    client.set_cookie(SESSION_COOKIE, "garbage")
    response = client.post(
        sent.unsubscribe_url(0),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "Location" not in response.headers
    # Visible from another session: the request's transaction committed.
    assert status_of(sent.contacts[0]) == "unsubscribed"
    assert status_of(sent.contacts[1]) == "subscribed"
    # Mail providers may post more than once: counted once.
    client.post(sent.unsubscribe_url(0), data="List-Unsubscribe=One-Click")
    data = stats.campaign_stats(None, sent.campaign.id)
    assert data["unsubscribes"] == 1
    page = client.get(sent.unsubscribe_url(0)).get_data(as_text=True)
    assert "You are unsubscribed" in page and 'value="resubscribe"' in page


def test_leaving_only_the_list_keeps_the_contact_subscribed(org, client):
    sent = make_sent_campaign(1)
    db.session.commit()
    response = client.post(sent.unsubscribe_url(0), data={"action": "lists"})
    assert response.status_code == 200 and "You left this list" in response.get_data(as_text=True)
    assert status_of(sent.contacts[0]) == "subscribed"
    members = db.session.scalar(
        sa.select(sa.func.count()).where(GroupMember.group_id == sent.group_id)
    )
    assert members == 0
    assert stats.campaign_stats(None, sent.campaign.id)["unsubscribes"] == 1


def test_resubscribing_undoes_an_unsubscription_but_never_a_bounce(org, client):
    sent = make_sent_campaign(2)
    db.session.commit()
    client.post(sent.unsubscribe_url(0), data={"action": "all"})
    assert status_of(sent.contacts[0]) == "unsubscribed"
    page = client.post(sent.unsubscribe_url(0), data={"action": "resubscribe"})
    assert "You are subscribed" in page.get_data(as_text=True)
    assert status_of(sent.contacts[0]) == "subscribed"
    client.post(sent.unsubscribe_url(0), data={"action": "all"})
    assert status_of(sent.contacts[0]) == "unsubscribed"  # no new event, same effect
    db.session.execute(
        sa.update(Contact).where(Contact.id == sent.contacts[1].id).values(status="bounced")
    )
    db.session.commit()
    client.post(sent.unsubscribe_url(1), data={"action": "resubscribe"})
    assert status_of(sent.contacts[1]) == "bounced"
    assert "No emails are sent" in client.get(sent.unsubscribe_url(1)).get_data(as_text=True)


def test_a_seed_address_is_suppressed(org, client):
    sent = make_sent_campaign(0, seeds=["team@acme.example"])
    db.session.commit()
    client.post(sent.unsubscribe_url(0), data="List-Unsubscribe=One-Click")
    assert audience.suppression_of("team@acme.example").reason == "unsubscribe"
    page = client.get(sent.unsubscribe_url(0)).get_data(as_text=True)
    assert "You are unsubscribed" in page and "resubscribe" not in page


def test_bad_links_are_404_html_for_people_and_json_for_machines(org, client):
    sent = make_sent_campaign(1)
    db.session.commit()
    forged = "/u/" + sign("another-secret", "unsubscribe", sent.recipients[0].id)
    page = client.get(forged, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "This link does not work" in page.get_data(as_text=True)
    posted = client.post(forged, data="List-Unsubscribe=One-Click")
    assert posted.status_code == 404 and posted.get_json()["code"] == "invalid_link"
    assert status_of(sent.contacts[0]) == "subscribed"
    gone = "/u/" + sign(SECRET, "unsubscribe", 8_000_000_000)
    assert client.get(gone, headers={"Accept": "application/json"}).status_code == 404


def test_view_in_browser_renders_the_message_sandboxed(org, client, queued):
    group, _emails = make_audience(1)
    template = make_template(
        body='<p>Hello {{ first_name }}</p><p><a href="https://shop.example/sale">Sale</a></p>'
    )
    campaign = make_campaign(template, [group.id])
    db.session.commit()
    campaigns.send_campaign(None, campaign.id)
    db.session.commit()
    drain("bulk")
    recipient = db.session.scalars(
        sa.select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
    ).one()
    response = client.get(f"/v/{sign(SECRET, 'view', recipient.id)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hello N0" in html and "/t/c/" in html and "/u/" in html
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert client.get(f"/v/{sign(SECRET, 'open', recipient.id)}").status_code == 404
