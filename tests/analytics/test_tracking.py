"""The open pixel and the click redirect: tokens, no open redirect, buffering, machine
heuristics, exact counting."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa
import werkzeug.test
from sqlalchemy import event

from blueprints.analytics import buffer, stats
from blueprints.analytics.models import AnalyticsEvent, CampaignLinkStats, RecipientActivity
from blueprints.analytics.tasks import write_batch
from engagex.db import db
from engagex.tokens import sign
from tests.analytics.helpers import LINKS, SECRET, flush, make_sent_campaign
from tests.campaigns.helpers import drain
from tests.conftest import REDIS_URL

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
IPHONE_MAIL = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"


def events(campaign_id: int) -> list[AnalyticsEvent]:
    return list(
        db.session.scalars(
            sa.select(AnalyticsEvent)
            .where(AnalyticsEvent.campaign_id == campaign_id)
            .order_by(AnalyticsEvent.id)
        )
    )


def test_the_pixel_is_an_uncached_gif_and_touches_no_database(org, client, human, app):
    sent = make_sent_campaign(2)
    db.session.commit()
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2] if len(args) > 2 else args)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(sent.open_url(0), headers={"User-Agent": CHROME})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert response.mimetype == "image/gif"
    assert response.data.startswith(b"GIF89a") and len(response.data) < 64
    assert "no-store" in response.headers["Cache-Control"]
    assert statements == []  # buffered, written later in bulk
    assert buffer.pending() == 1
    assert events(sent.campaign.id) == []
    flush()
    (opened,) = events(sent.campaign.id)
    assert opened.type == "open" and not opened.machine
    assert opened.recipient_id == sent.recipients[0].id
    assert opened.contact_id == sent.contacts[0].id
    assert opened.user_agent == "Chrome on Windows"


def test_bad_tokens_are_404_json_and_record_nothing(org, client):
    sent = make_sent_campaign(1)
    db.session.commit()
    good = sent.open_url(0)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    unsubscribe_as_open = "/t/o/" + sign(SECRET, "unsubscribe", sent.recipients[0].id)
    for url in (tampered, unsubscribe_as_open, "/t/o/x", "/t/o/" + "A" * 300):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["code"] == "not_found"
    assert buffer.pending() == 0


def test_clicks_redirect_only_to_the_campaigns_own_links(org, client, human):
    sent = make_sent_campaign(2)
    db.session.commit()
    response = client.get(sent.click_url(0, 1))
    assert response.status_code == 302
    assert response.headers["Location"] == LINKS[1]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # No open redirect: a url= parameter, an unknown link, a tampered or foreign token.
    assert client.get(sent.click_url(0, 1) + "?url=https://evil.example").status_code == 404
    assert client.get(sent.click_url(0, 7)).status_code == 404
    bad = sent.click_url(0, 0)[:-3] + "abc"
    assert client.get(bad).status_code == 404
    open_token = sign(SECRET, "open", sent.recipients[0].id)
    assert client.get(f"/t/c/{open_token}").status_code == 404
    missing = sign(SECRET, "click", 9_000_000_000, 0)  # valid signature, no such recipient
    assert client.get(f"/t/c/{missing}").status_code == 404
    flush()
    (clicked,) = events(sent.campaign.id)
    assert (clicked.type, clicked.link_index, clicked.machine) == ("click", 1, False)


def test_counts_are_exact_unique_per_recipient_and_per_link(org, client, human):
    sent = make_sent_campaign(3)
    db.session.commit()
    for _ in range(3):
        client.get(sent.open_url(0), headers={"User-Agent": IPHONE_MAIL})
    client.get(sent.open_url(1), headers={"User-Agent": CHROME})
    client.get(sent.click_url(0, 0), headers={"User-Agent": CHROME})
    client.get(sent.click_url(0, 0), headers={"User-Agent": CHROME})
    client.get(sent.click_url(1, 0), headers={"User-Agent": CHROME})
    client.get(sent.click_url(1, 1), headers={"User-Agent": CHROME})
    result = flush()
    assert result["recorded"] == 8 and result["duplicates"] == 0
    data = stats.campaign_stats(None, sent.campaign.id)
    assert (data["opens"], data["unique_opens"], data["machine_opens"]) == (4, 2, 0)
    assert (data["clicks"], data["unique_clicks"], data["machine_clicks"]) == (4, 2, 0)
    assert data["rates"]["open_rate"] == round(2 / 3, 4)
    links = {
        row.link_index: (row.clicks, row.unique_clicks)
        for row in db.session.scalars(sa.select(CampaignLinkStats))
        if row.campaign_id == sent.campaign.id
    }
    assert links == {0: (3, 2), 1: (1, 1)}
    activity = db.session.get(RecipientActivity, sent.recipients[0].id)
    assert (activity.opens, activity.clicks, activity.contact_id) == (3, 2, sent.contacts[0].id)
    # Segments and timelines see the same numbers.
    timeline = stats.timeline(None, sent.campaign.id)
    assert sum(p["opens"] for p in timeline["points"]) == 4
    assert sum(p["unique_clicks"] for p in timeline["points"]) == 2


def test_machine_opens_and_clicks_are_flagged_and_counted_apart(org, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ENGAGEX_MACHINE_SECONDS", 5)
    old = make_sent_campaign(4, links=[*LINKS, "https://shop.example/third"])
    db.session.commit()
    client.get(old.open_url(0), headers={"User-Agent": "Mozilla/5.0"})  # Apple MPP
    client.get(old.open_url(1), headers={"User-Agent": "Barracuda Sentinel (EE)"})
    client.head(old.click_url(2, 0), headers={"User-Agent": CHROME})  # a link checker
    client.get(
        old.open_url(3), headers={"User-Agent": "Mozilla/5.0 (via ggpht.com GoogleImageProxy)"}
    )
    for link in (0, 1, 2, 1):  # a scanner following every link at once
        client.get(old.click_url(3, link), headers={"User-Agent": CHROME})
    fresh = make_sent_campaign(1, sent_ago=timedelta(seconds=0))
    db.session.commit()
    client.get(fresh.open_url(0), headers={"User-Agent": CHROME})  # before anyone could read
    flush()
    reasons = {
        (e.recipient_id, e.type): (e.machine, e.data.get("machine_reason"), e.user_agent)
        for e in events(old.campaign.id) + events(fresh.campaign.id)
    }
    r = old.recipients
    assert reasons[(r[0].id, "open")] == (True, "apple_privacy_proxy", "Apple Mail privacy proxy")
    assert reasons[(r[1].id, "open")][:2] == (True, "scanner")
    assert reasons[(r[2].id, "click")][:2] == (True, "head_request")
    assert reasons[(r[3].id, "open")] == (False, None, "Gmail image proxy")
    assert reasons[(fresh.recipients[0].id, "open")][:2] == (True, "too_fast")
    bursts = [e for e in events(old.campaign.id) if e.recipient_id == r[3].id and e.type == "click"]
    assert len(bursts) == 4 and all(e.data["machine_reason"] == "click_burst" for e in bursts)
    data = stats.campaign_stats(None, old.campaign.id)
    assert (data["opens"], data["unique_opens"], data["machine_opens"]) == (1, 1, 2)
    assert (data["clicks"], data["unique_clicks"], data["machine_clicks"]) == (0, 0, 5)
    assert data["rates"]["machine_open_share"] == round(2 / 3, 4)


def test_the_redis_buffer_enqueues_one_flush_and_rereading_a_batch_counts_nothing_twice(
    org, client, human, queued, app
):
    sent = make_sent_campaign(2)
    db.session.commit()
    for _ in range(5):
        assert client.get(sent.open_url(0)).status_code == 200
    conn = redis.Redis.from_url(REDIS_URL)
    key = queued + buffer.LIST_KEY
    assert conn.llen(key) == 5
    assert conn.llen(f"rq:queue:{queued}default") == 1  # one flush job per burst
    # A flush that wrote its batch but died before trimming it: the batch is read again.
    raws = [r.decode() for r in conn.lrange(key, 0, -1)]
    assert write_batch(raws).recorded == 5
    assert drain("default") == 1
    assert conn.llen(key) == 0
    data = stats.campaign_stats(None, sent.campaign.id)
    assert (data["opens"], data["unique_opens"]) == (5, 1)
    # The next hit schedules a new flush.
    client.get(sent.open_url(1))
    assert conn.llen(f"rq:queue:{queued}default") == 1
    drain("default")
    assert stats.campaign_stats(None, sent.campaign.id)["unique_opens"] == 2
    assert json.loads(raws[0])["k"] == "o"


def test_with_a_push_interval_hits_reach_redis_in_batches_from_a_background_thread(
    org, client, human, queued, app, monkeypatch
):
    monkeypatch.setitem(app.config, "ENGAGEX_TRACKING_PUSH_MS", 20)
    sent = make_sent_campaign(1)
    db.session.commit()
    conn = redis.Redis.from_url(REDIS_URL)
    key = queued + buffer.LIST_KEY
    for _ in range(3):
        assert client.get(sent.open_url(0)).status_code == 200
    queue = f"rq:queue:{queued}default"
    # The thread pushes the hits, then enqueues the flush in a second round trip: wait
    # for both (an upper bound, never reached when it works).
    deadline = time.monotonic() + 10
    while (conn.llen(key) < 3 or conn.llen(queue) < 1) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert conn.llen(key) == 3
    assert conn.llen(queue) == 1
    drain("default")
    assert stats.campaign_stats(None, sent.campaign.id)["opens"] == 3


@pytest.mark.parametrize("redis_buffer", [False, True])
def test_the_routes_work_outside_any_application_context(org, app, human, request, redis_buffer):
    """As under gunicorn: the middleware answers with no Flask context around it."""
    if redis_buffer:
        request.getfixturevalue("queued")
    sent = make_sent_campaign(1)
    db.session.commit()
    bare = werkzeug.test.Client(app)  # no app context pushed, unlike Flask's test client
    assert bare.get(sent.open_url(0), headers={"User-Agent": CHROME}).status_code == 200
    clicked = bare.get(sent.click_url(0, 0), headers={"User-Agent": CHROME})
    assert clicked.status_code == 302 and clicked.headers["Location"] == LINKS[0]
    assert bare.get(sent.click_url(0, 5)).status_code == 404
    if redis_buffer:
        drain("default")
    else:
        flush()
    data = stats.campaign_stats(None, sent.campaign.id)
    assert (data["unique_opens"], data["unique_clicks"]) == (1, 1)
