"""The pre-send review: every sending check reported at once, nothing changed."""

from __future__ import annotations

import pytest

from blueprints.billing import services as billing
from blueprints.campaigns import services
from blueprints.campaigns.models import Campaign, CampaignRecipient
from blueprints.contacts import services as contacts
from engagex.db import db
from tests.campaigns.helpers import make_audience, make_template
from tests.factories import auth, make_key


@pytest.fixture
def headers(org):
    return auth(make_key(org, "analyst"))


def review(client, headers, campaign_id):
    response = client.get(f"/api/v1/campaigns/{campaign_id}/review", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body, {check["name"]: check for check in body["checks"]}


def draft(status: str = "draft", **fields) -> Campaign:
    campaign = services.create_campaign(
        None, {"name": "Spring", "from_email": "news@acme.example", **fields}
    )
    campaign.status = status
    db.session.commit()
    return campaign


def test_a_sendable_campaign_is_ready_with_its_count(client, org, headers, allow_senders):
    group, emails = make_audience(3)
    campaign = draft(
        template_id=make_template().id,
        group_ids=[group.id],
        # A seed who is in the audience too receives one message, and is counted once.
        seed_emails=["qa@acme.example", emails[1]],
    )
    contacts.find_contact(None, emails[0]).status = "unsubscribed"
    db.session.commit()

    body, checks = review(client, headers, campaign.id)

    assert body["ready"] is True
    assert body["recipients"] == 3  # two subscribed contacts and the seed
    assert [c["name"] for c in body["checks"]] == [
        "audience",
        "template",
        "sender",
        "billing",
        "quota",
    ]
    assert all(c["ok"] and c["code"] is None for c in body["checks"])
    assert checks["audience"]["message"] == "3 contacts will receive it"
    # Not verified, but this installation lets any sender through (allow_senders).
    assert body["sender"] == {
        "email": "news@acme.example",
        "domain": "acme.example",
        "verified": False,
        "allowed": True,
    }
    assert checks["sender"]["message"] == (
        "the sending domain acme.example is not verified, which this installation allows"
    )
    assert body["quota"]["remaining"] == body["quota"]["limit"] - body["quota"]["used"]
    assert db.session.query(CampaignRecipient).count() == 0  # a review snapshots nothing


def test_every_failed_check_is_reported_with_its_message(client, org, headers):
    billing.operator_set_plan(None, org.id, "free")
    group, _ = make_audience(0)
    campaign = draft(group_ids=[group.id])

    body, checks = review(client, headers, campaign.id)

    assert body["ready"] is False
    assert checks["audience"]["code"] == "no_recipients"
    assert checks["template"]["code"] == "template_required"
    assert checks["sender"]["code"] == "sender_domain_unverified"
    assert "acme.example" in checks["sender"]["message"]
    assert body["sender"] == {
        "email": "news@acme.example",
        "domain": "acme.example",
        "verified": False,
        "allowed": False,
    }
    assert checks["billing"]["ok"] is True and checks["quota"]["ok"] is True


def test_over_quota_and_already_sent(client, org, headers, allow_senders):
    billing.operator_set_plan(None, org.id, "free")
    db.session.commit()
    used, limit, _start, _end = billing.emails_used(org.id)
    group, _ = make_audience(limit - used + 1)
    campaign = draft(template_id=make_template().id, group_ids=[group.id], status="sent")

    body, checks = review(client, headers, campaign.id)

    assert body["ready"] is False
    assert checks["status"] == {
        "name": "status",
        "ok": False,
        "message": "the campaign is sent",
        "code": "campaign_not_sendable",
    }
    assert checks["quota"]["code"] == "quota_exceeded"
    assert checks["quota"]["message"].startswith(f"needs {limit - used + 1:,} emails")


def test_unknown_campaign_is_404(client, org, headers):
    response = client.get("/api/v1/campaigns/999999/review", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["code"] == "campaign_not_found"
