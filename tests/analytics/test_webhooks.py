"""Outgoing webhooks: endpoints, SSRF safety, signatures, retries, the log, replays."""

from __future__ import annotations

import json
import time

import pytest
import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from blueprints.analytics.outgoing import services, signing, tasks, transport
from blueprints.analytics.outgoing.models import WebhookDelivery
from engagex.db import db
from engagex.jobs import get_queue
from tests.analytics.helpers import Receiver, make_sent_campaign, post_events, sg_event
from tests.campaigns.helpers import drain
from tests.conftest import REDIS_URL
from tests.factories import auth, make_key


def test_endpoints_are_managed_through_the_api_and_the_secret_is_shown_once(org, client):
    key = make_key(org, "admin")
    created = client.post(
        "/api/v1/webhooks",
        json={
            "url": "https://hooks.example.com/x",
            "event_types": ["email.bounced", "email.bounced"],
        },
        headers=auth(key),
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["secret"].startswith("whsec_") and body["event_types"] == ["email.bounced"]
    item = client.get(f"/api/v1/webhooks/{body['id']}", headers=auth(key)).get_json()
    assert "secret" not in item
    patched = client.patch(
        f"/api/v1/webhooks/{body['id']}",
        json={"enabled": False, "event_types": ["*"]},
        headers=auth(key),
    ).get_json()
    assert patched["enabled"] is False and patched["event_types"] == ["*"]
    rotated = client.post(f"/api/v1/webhooks/{body['id']}/rotate-secret", headers=auth(key))
    assert rotated.get_json()["secret"] != body["secret"]
    types = client.get("/api/v1/webhooks/event-types", headers=auth(key)).get_json()["items"]
    assert {"email.bounced", "contact.unsubscribed", "campaign.sent"} <= {t["type"] for t in types}
    listed = client.get("/api/v1/webhooks", headers=auth(key)).get_json()
    assert [w["id"] for w in listed["items"]] == [body["id"]]
    bad = client.post(
        "/api/v1/webhooks",
        json={"url": "https://x.example", "event_types": ["email.nope"]},
        headers=auth(key),
    )
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_event_types"
    analyst = make_key(org, "analyst")
    assert client.get("/api/v1/webhooks", headers=auth(analyst)).status_code == 403
    assert client.delete(f"/api/v1/webhooks/{body['id']}", headers=auth(key)).status_code == 204


def test_private_targets_are_refused_unless_the_development_setting_allows_them(
    org, app, monkeypatch
):
    refused = [
        "http://hooks.example.com/x",  # not https
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://localhost:8443/x",
        "https://user:pw@hooks.example.com/x",
        "ftp://hooks.example.com/x",
    ]
    for url in refused:
        try:
            services.create_endpoint(None, {"url": url, "event_types": ["*"]})
        except Exception as exc:
            assert getattr(exc, "code", None) == "invalid_webhook_url", url
        else:
            raise AssertionError(f"{url} was accepted")
    # A public name that resolves to a private address is refused at delivery time.
    monkeypatch.setattr(
        transport.socket,
        "getaddrinfo",
        lambda host, port, **kw: [(2, 1, 6, "", ("192.168.1.10", port))],
    )
    answer = transport.post(
        "https://rebinding.example/x", b"{}", {}, timeout=2, allow_private=False
    )
    assert answer.status is None and "non-public" in answer.error
    monkeypatch.setitem(app.config, "ENGAGEX_WEBHOOKS_ALLOW_PRIVATE", True)
    assert services.create_endpoint(None, {"url": "http://127.0.0.1:9/x", "event_types": ["*"]}).id


def test_deliveries_are_signed_and_verifiable(org, client, allow_private, sendgrid_keys):
    sent = make_sent_campaign(1)
    with Receiver() as receiver:
        endpoint = services.create_endpoint(
            None, {"url": receiver.url, "event_types": ["email.complained", "contact.unsubscribed"]}
        )
        db.session.commit()
        post_events(
            client,
            sendgrid_keys,
            [
                sg_event("spamreport", sent.recipients[0]),
                sg_event("open", sent.recipients[0], useragent="Chrome/1"),
            ],
        )
    (hit,) = receiver.received  # the open is not subscribed
    assert hit.path == "/hooks/engagex"
    headers = {k.lower(): v for k, v in hit.headers.items()}
    assert signing.verify(
        endpoint.secret, hit.body, headers["x-engagex-timestamp"], headers["x-engagex-signature"]
    )
    assert not signing.verify(
        "whsec_other", hit.body, headers["x-engagex-timestamp"], headers["x-engagex-signature"]
    )
    assert not signing.verify(
        endpoint.secret, hit.body, str(int(time.time()) - 600), headers["x-engagex-signature"]
    )
    payload = hit.json
    assert payload["type"] == "email.complained" == headers["x-engagex-event"]
    assert payload["id"] == headers["x-engagex-delivery"]
    assert payload["organization_id"] == org.id
    assert payload["data"]["email"] == sent.recipients[0].email
    assert payload["data"]["campaign_id"] == sent.campaign.id
    (delivery,) = services.list_deliveries(None, endpoint.id).items
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)


def test_failures_are_logged_retried_by_rq_with_backoff_and_replayable(
    org, client, allow_private, queued
):
    with Receiver(statuses=[500, 503]) as receiver:
        endpoint = services.create_endpoint(None, {"url": receiver.url, "event_types": ["*"]})
        db.session.commit()
        delivery = services.send_test(None, endpoint.id)
        db.session.commit()
        queue = get_queue("default")
        job = Job.fetch(
            queue.job_ids[0], connection=redis.Redis.from_url(REDIS_URL), serializer=JSONSerializer
        )
        assert job.retries_left == len(tasks.RETRY_DELAYS)
        assert job.retry_intervals == list(tasks.RETRY_DELAYS)
        queue.remove(job.id)  # its attempts are played below, as a worker would
        outcome = services.attempt(delivery.id, retries_left=6)
        db.session.commit()
        assert not outcome.ok and not outcome.final
        row = db.session.get(WebhookDelivery, delivery.id, populate_existing=True)
        assert (row.status, row.attempts, row.response_status) == ("retrying", 1, 500)
        assert row.error == "the endpoint answered 500"
        # The last attempt fails for good.
        services.attempt(delivery.id, retries_left=0)
        db.session.commit()
        row = db.session.get(WebhookDelivery, delivery.id, populate_existing=True)
        assert (row.status, row.attempts) == ("failed", 2)
        # A person replays it: a new delivery of the same event, which now succeeds.
        key = make_key(org, "owner")
        replayed = client.post(
            f"/api/v1/webhooks/deliveries/{delivery.id}/replay", headers=auth(key)
        )
        assert replayed.status_code == 202
        drain("default")
    copy = db.session.get(WebhookDelivery, replayed.get_json()["id"])
    assert copy.replay_of_id == delivery.id and copy.event_id == delivery.event_id
    assert copy.status == "succeeded"
    assert [r.json["id"] for r in receiver.received] == [delivery.event_id] * 3
    log = client.get(f"/api/v1/webhooks/{endpoint.id}/deliveries", headers=auth(key)).get_json()
    assert [d["status"] for d in log["items"]] == ["succeeded", "failed"]


def test_in_process_a_failure_is_final_on_a_worker_the_job_raises_to_be_retried(
    org, allow_private, monkeypatch
):
    with Receiver(statuses=[502, 500]) as receiver:
        endpoint = services.create_endpoint(None, {"url": receiver.url, "event_types": ["*"]})
        delivery = services.send_test(None, endpoint.id)  # in-process: runs after the commit
        db.session.commit()
        row = db.session.get(WebhookDelivery, delivery.id, populate_existing=True)
        assert (row.status, row.attempts, row.response_status) == ("failed", 1, 502)

        class Worker:  # what rq.get_current_job() gives on a worker
            retries_left = 3

        monkeypatch.setattr(tasks, "get_current_job", lambda: Worker())
        monkeypatch.setattr(tasks.deliver_webhook, "delay", lambda *a, **k: None)
        again = services.replay(None, delivery.id)
        db.session.commit()
        with pytest.raises(tasks.DeliveryFailed):
            tasks.deliver_webhook.func(again.id)
        row = db.session.get(WebhookDelivery, again.id, populate_existing=True)
        assert (row.status, row.attempts, row.response_status) == ("retrying", 1, 500)
        assert tasks.deliver_webhook.func(again.id)["ok"] is True
    row = db.session.get(WebhookDelivery, again.id, populate_existing=True)
    assert (row.status, row.attempts) == ("succeeded", 2)
    assert len(receiver.received) == 3


def test_after_a_rotation_both_secrets_sign_for_a_day(org, allow_private):
    with Receiver() as receiver:
        endpoint = services.create_endpoint(None, {"url": receiver.url, "event_types": ["*"]})
        old = endpoint.secret
        services.rotate_secret(None, endpoint.id)
        db.session.commit()
        services.send_test(None, endpoint.id)
        db.session.commit()
    (hit,) = receiver.received
    headers = {k.lower(): v for k, v in hit.headers.items()}
    assert headers["x-engagex-signature"].count("v1=") == 2
    for secret in (old, endpoint.secret):
        assert signing.verify(
            secret, hit.body, headers["x-engagex-timestamp"], headers["x-engagex-signature"]
        )
    assert json.loads(hit.body)["type"] == "ping"
