"""Token buckets (Redis and local), paced delivery, and transactional mail first."""

from __future__ import annotations

import uuid

import pytest
import redis

from blueprints.campaigns import ratelimit, services
from blueprints.campaigns.services import messages, pipeline
from engagex.db import db
from engagex.jobs import get_queue
from tests.campaigns.helpers import (
    campaign_mail,
    drain,
    make_audience,
    make_campaign,
    make_template,
)
from tests.conftest import REDIS_URL


@pytest.fixture
def redis_buckets():
    connection = redis.Redis.from_url(REDIS_URL)
    prefix = f"test-{uuid.uuid4().hex[:8]}-"
    yield ratelimit.RedisBuckets(connection, prefix)
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)


@pytest.mark.parametrize("kind", ["redis", "local"])
def test_a_bucket_gives_one_second_of_burst_then_the_rate(kind, redis_buckets):
    bucket = redis_buckets if kind == "redis" else ratelimit.LocalBuckets()
    t0 = 1_000_000.0
    assert bucket.reserve("org:1", 10, 10, now=t0) == 0  # a full bucket: one second's worth
    assert bucket.reserve("org:1", 10, 5, now=t0) == pytest.approx(0.5)  # then wait for them
    assert bucket.reserve("org:1", 10, 5, now=t0) == pytest.approx(1.0)  # reserved after those
    assert bucket.reserve("org:1", 10, 1, now=t0 + 10) == 0  # refilled (to one second's worth)
    assert bucket.reserve("org:2", 10, 10, now=t0) == 0  # buckets are per key


def test_delivery_is_paced_in_chunks_of_the_slowest_limit(app, org, outbox, monkeypatch):
    group, _ = make_audience(7)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    reserved: list[tuple[int, float, float]] = []

    def reserve(org_id, backend, count, org_rate, backend_rate):
        reserved.append((count, org_rate, backend_rate))
        return 0.0

    monkeypatch.setattr(ratelimit, "reserve", reserve)
    org.settings = {**(org.settings or {}), "send_rate_per_second": 3}
    db.session.commit()
    monkeypatch.setitem(app.config, "ENGAGEX_SEND_RATE_PER_BACKEND", 100)
    services.send_campaign(None, campaign.id)
    db.session.commit()
    assert reserved == [(3, 3.0, 100.0), (3, 3.0, 100.0), (1, 3.0, 100.0)]
    assert len(campaign_mail(outbox)) == 7


def test_a_waiting_transactional_message_goes_before_the_campaign(org, queued, monkeypatch):
    monkeypatch.setattr(pipeline, "POLL", 0.0)  # look at the mail queue before every batch
    monkeypatch.setattr(pipeline, "_takes_mail", lambda: True)  # a worker on every queue
    receipt = make_template(kind="transactional", body="<p>Receipt</p>")
    group, _ = make_audience(3)
    campaign = make_campaign(make_template(), [group.id])
    db.session.commit()
    services.send_campaign(None, campaign.id)
    message, _ = services.send_message(
        None, {"template_id": receipt.id, "to": "buyer@example.com", "from_email": "s@acme.example"}
    )
    db.session.commit()
    order: list[str] = []
    runner = pipeline.run_campaign

    def watch(campaign_id, generation, slot, continuation):
        order.append(f"runner c{continuation}")
        runner(campaign_id, generation, slot, continuation)

    original = messages.deliver

    def deliver(message_id):
        order.append("message")
        original(message_id)

    monkeypatch.setattr(pipeline, "run_campaign", watch)
    monkeypatch.setattr(messages, "deliver", deliver)
    bulk = get_queue("bulk")
    bulk.connection.ltrim(bulk.key, 0, 0)  # one runner is enough here
    drain("bulk", limit=1)  # the worker took the runner before the message arrived
    drain()  # then, as a worker does, the mail queue first
    assert order == ["runner c0", "message", "runner c1"]
    assert services.get_campaign(None, campaign.id).status == "sent"
    assert services.get_message(None, message.id).status == "sent"
