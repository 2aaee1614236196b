"""The campaigns and messages REST API, with jobs run in this process."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from blueprints.billing import services as billing
from blueprints.campaigns.models import CampaignRecipient, TransactionalMessage
from blueprints.contacts import audience as contacts_audience
from engagex.db import db
from tests.campaigns.helpers import (
    addresses,
    campaign_mail,
    drain,
    make_audience,
    make_template,
    read_outbox,
)
from tests.factories import auth, make_key


@pytest.fixture
def headers(org):
    return auth(make_key(org, "campaign_manager"))


def create(client, headers, **body):
    body = {"name": "Spring", "from_email": "news@acme.example", **body}
    response = client.post("/api/v1/campaigns", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_read_update_list_and_delete(client, org, headers):
    template = make_template()
    group, _ = make_audience(3)
    db.session.commit()
    campaign = create(
        client,
        headers,
        template_id=template.id,
        subject="Spring news for {{ first_name }}",
        from_email="News@Acme.Example",
        from_name="Acme",
        group_ids=[group.id],
        seed_emails=["qa@acme.example"],
    )
    assert campaign["status"] == "draft"
    assert campaign["from_email"] == "news@acme.example"
    assert campaign["counts"]["recipients"] == 0
    item = f"/api/v1/campaigns/{campaign['id']}"
    patched = client.patch(item, json={"name": "Spring 2", "track_opens": False}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["track_opens"] is False
    listed = client.get("/api/v1/campaigns?status=draft", headers=headers).get_json()
    assert [c["id"] for c in listed["items"]] == [campaign["id"]]
    stats = client.get(f"{item}/stats", headers=headers).get_json()
    assert stats["audience"] == 4  # three contacts and the seed
    assert client.delete(item, headers=headers).status_code == 204
    assert client.get(item, headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"group_ids": [9_000_000]}, "group_not_found"),
        ({"segment_ids": [9_000_000]}, "segment_not_found"),
        ({"template_id": 9_000_000}, "template_not_found"),
        ({"from_email": "not an address"}, "invalid_email"),
        ({"seed_emails": [f"s{i}@x.example" for i in range(51)]}, "validation_error"),
        ({"scheduled_at": "2031-01-01T09:00:00"}, "validation_error"),  # no offset
        ({"subject": "Hi {{ frist_name }}", "template_id": "TEMPLATE"}, "template_invalid"),
        ({"group_ids": ["1"]}, "validation_error"),
    ],
)
def test_invalid_campaigns_are_422_with_a_code(client, org, headers, body, code):
    if body.get("template_id") == "TEMPLATE":
        body["template_id"] = make_template().id
        db.session.commit()
    response = client.post("/api/v1/campaigns", json={"name": "x", **body}, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == code


def test_send_through_the_api_delivers_each_recipient_once(client, org, headers, outbox):
    template = make_template(
        body='<p>Hi {{ first_name }}</p><p><a href="https://shop.example/sale?a=1&amp;b=2">Sale</a></p>'
    )
    group, emails = make_audience(5)
    db.session.commit()
    campaign = create(
        client,
        headers,
        template_id=template.id,
        from_email="news@acme.example",
        group_ids=[group.id],
        seed_emails=["qa@acme.example", emails[0]],  # a seed that is also in the audience
    )
    sent = client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    assert sent.status_code == 202, sent.get_json()
    assert sent.get_json()["counts"]["recipients"] == 6
    again = client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_transition"

    messages = campaign_mail(outbox)
    assert addresses(messages) == sorted(["qa@acme.example", *emails])
    for message in messages:
        assert re.fullmatch(r"<r\d+\.[0-9a-f]{8}@acme\.example>", message["Message-ID"])
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = message["List-Unsubscribe"].strip("<>")
        assert url.startswith("http") and "/u/" in url
        assert message["List-Id"].endswith(f"<o{org.id}.acme.example>")
        assert message["Feedback-ID"] == f"{campaign['id']}:{org.id}:campaign:engagex"
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert url in text and url in html, "a visible unsubscribe link in both parts"
        assert "shop.example" not in html, "links are tracked"
        assert "/t/c/" in html and "/t/o/" in html
    stats = client.get(f"/api/v1/campaigns/{campaign['id']}/stats", headers=headers).get_json()
    assert stats["status"] == "sent" and stats["sent"] == 6 and stats["percent"] == 100.0
    recipients = client.get(
        f"/api/v1/campaigns/{campaign['id']}/recipients?limit=2", headers=headers
    ).get_json()
    assert recipients["items"][0]["is_seed"] is True and recipients["next_cursor"]
    detail = client.get(f"/api/v1/campaigns/{campaign['id']}", headers=headers).get_json()
    assert detail["template_revision_id"] is not None  # pinned when it started


def test_schedule_unschedule_and_cancel(client, org, headers, allow_senders):
    template = make_template()
    group, _ = make_audience(2)
    db.session.commit()
    campaign = create(client, headers, template_id=template.id, group_ids=[group.id])
    item = f"/api/v1/campaigns/{campaign['id']}"
    when = (datetime.now(UTC) + timedelta(days=1)).astimezone().isoformat()
    scheduled = client.post(
        f"{item}/schedule", json={"scheduled_at": when, "timezone": "Europe/Paris"}, headers=headers
    )
    assert scheduled.status_code == 200, scheduled.get_json()
    assert scheduled.get_json()["status"] == "scheduled"
    assert scheduled.get_json()["timezone"] == "Europe/Paris"
    past = client.post(
        f"{item}/schedule", json={"scheduled_at": "2020-01-01T00:00:00+00:00"}, headers=headers
    )
    assert past.status_code == 422 and past.get_json()["code"] == "scheduled_in_past"
    assert client.post(f"{item}/pause", headers=headers).status_code == 409
    assert client.post(f"{item}/unschedule", headers=headers).get_json()["status"] == "draft"
    patched = client.patch(item, json={"scheduled_at": when}, headers=headers)
    assert patched.get_json()["status"] == "scheduled"
    assert client.delete(item, headers=headers).status_code == 409
    cancelled = client.post(f"{item}/cancel", headers=headers)
    assert cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"{item}/resume", headers=headers).status_code == 409
    edited = client.patch(item, json={"subject": "x"}, headers=headers)
    assert edited.status_code == 409 and edited.get_json()["code"] == "campaign_not_editable"


def test_editors_draft_but_only_senders_schedule(client, org):
    editor = auth(make_key(org, "editor"))
    when = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    denied = client.post(
        "/api/v1/campaigns", json={"name": "x", "scheduled_at": when}, headers=editor
    )
    assert denied.status_code == 403
    assert client.post("/api/v1/campaigns", json={"name": "x"}, headers=editor).status_code == 201


def test_quota_and_sender_domain_are_checked_before_sending(
    client, org, headers, outbox, app, monkeypatch
):
    billing.operator_set_plan(None, org.id, "free")  # 1,000 emails a month
    template = make_template()
    group, _ = make_audience(1001)
    db.session.commit()
    campaign = create(client, headers, template_id=template.id, group_ids=[group.id])
    refused = client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    assert refused.status_code == 402
    assert refused.get_json()["code"] == "quota_exceeded"
    assert refused.get_json()["details"]["requested"] == 1001
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignRecipient)) == 0
    assert (
        client.get(f"/api/v1/campaigns/{campaign['id']}", headers=headers).get_json()["status"]
        == "draft"
    )

    monkeypatch.setitem(app.config, "ENGAGEX_ALLOW_UNVERIFIED_SENDERS", False)
    unverified = client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    assert unverified.status_code == 422
    assert unverified.get_json()["code"] == "sender_domain_unverified"


def test_empty_audience_and_transactional_templates_are_refused(client, org, headers, outbox):
    group, _ = make_audience(0)
    campaign = create(client, headers, template_id=make_template().id, group_ids=[group.id])
    empty = client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    assert empty.status_code == 422 and empty.get_json()["code"] == "no_recipients"
    receipt = make_template(kind="transactional", body="<p>Receipt</p>")
    db.session.commit()
    client.patch(
        f"/api/v1/campaigns/{campaign['id']}", json={"template_id": receipt.id}, headers=headers
    )
    wrong = client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    assert wrong.get_json()["code"] == "transactional_template"


def test_test_send_goes_to_the_seed_list_marked_as_a_test(client, org, headers, outbox):
    template = make_template(subject="News for {{ first_name }}")
    db.session.commit()
    campaign = create(
        client, headers, template_id=template.id, seed_emails=["a@team.example", "b@team.example"]
    )
    item = f"/api/v1/campaigns/{campaign['id']}"
    result = client.post(f"{item}/test", json={}, headers=headers)
    assert result.status_code == 202, result.get_json()
    assert result.get_json()["subject"] == "[Test] News for Jane"
    messages = [m for m in read_outbox(outbox) if m["X-EngageX-Test"]]
    assert addresses(messages) == ["a@team.example", "b@team.example"]
    assert all(m["X-EngageX-Test"] == "1" for m in messages)
    assert "https://shop.example/sale" in messages[0].get_body(("html",)).get_content()
    seeds = client.put(f"{item}/seed-list", json={"emails": []}, headers=headers)
    assert seeds.get_json() == {"emails": []}
    none = client.post(f"{item}/test", json={}, headers=headers)
    assert none.status_code == 422 and none.get_json()["code"] == "no_recipients"


def test_duplicate_copies_content_not_the_schedule_or_state(client, org, headers, outbox):
    template = make_template()
    group, _ = make_audience(2)
    db.session.commit()
    campaign = create(
        client, headers, template_id=template.id, group_ids=[group.id], seed_emails=["q@a.example"]
    )
    client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=headers)
    copy = client.post(f"/api/v1/campaigns/{campaign['id']}/duplicate", json={}, headers=headers)
    assert copy.status_code == 201
    data = copy.get_json()
    assert data["name"] == "Copy of Spring" and data["status"] == "draft"
    assert data["group_ids"] == [group.id] and data["seed_emails"] == ["q@a.example"]
    assert data["template_revision_id"] is None and data["counts"]["recipients"] == 0


def test_transactional_messages(client, org, headers, queued):
    receipt = make_template(
        kind="transactional",
        subject="Receipt {{ order }}",
        body="<p>Thanks {{ first_name }}, order {{ order }}</p>",
        variables=[{"name": "order", "required": True}],
    )
    marketing = make_template()
    db.session.commit()
    body = {
        "template_id": receipt.id,
        "to": "Buyer@Example.com",
        "first_name": "Bea",
        "attributes": {"order": "A-17"},
        "from_email": "shop@acme.example",
        "idempotency_key": "order-A-17",
    }
    accepted = client.post("/api/v1/messages", json=body, headers=headers)
    assert accepted.status_code == 202, accepted.get_json()
    message = accepted.get_json()
    assert message["status"] == "queued" and message["to"] == "buyer@example.com"
    again = client.post("/api/v1/messages", json=body, headers=headers)
    assert again.get_json()["id"] == message["id"]
    assert drain("mail") == 1
    shown = client.get(f"/api/v1/messages/{message['id']}", headers=headers).get_json()
    assert shown["status"] == "sent"
    (delivered,) = [m for m in read_outbox(queued) if m["Message-ID"] == message["message_id"]]
    assert (
        delivered["Subject"] == "Receipt A-17" and delivered["Message-ID"] == message["message_id"]
    )
    assert "List-Unsubscribe" not in delivered

    missing = client.post(
        "/api/v1/messages", json={**body, "attributes": {}, "idempotency_key": "x"}, headers=headers
    )
    assert missing.status_code == 422 and missing.get_json()["code"] == "missing_variable"
    wrong = client.post(
        "/api/v1/messages",
        json={**body, "template_id": marketing.id, "idempotency_key": "y"},
        headers=headers,
    )
    assert wrong.get_json()["code"] == "marketing_template"
    contacts_audience.suppress("bounced@example.com", "bounce")
    db.session.commit()
    suppressed = client.post(
        "/api/v1/messages",
        json={**body, "to": "bounced@example.com", "idempotency_key": "z"},
        headers=headers,
    )
    assert suppressed.status_code == 422 and suppressed.get_json()["code"] == "recipient_suppressed"
    listed = client.get("/api/v1/messages", headers=headers).get_json()
    assert [m["id"] for m in listed["items"]] == [message["id"]]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TransactionalMessage)) == 1
