"""The issue's "done when": a campaign sent through the SendGrid fake, then signed
webhook batches (with duplicates and a forged one) and real hits on the tracking
routes, yield exactly the expected stats, suppressions and outgoing deliveries."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from blueprints.analytics import stats
from blueprints.analytics.outgoing import services as webhooks
from blueprints.analytics.outgoing import signing
from blueprints.campaigns import services as campaigns
from blueprints.contacts import audience
from blueprints.contacts.models import Contact
from engagex.db import db
from engagex.tokens import verify
from tests.analytics.helpers import SECRET, Receiver, SendGridKeys, post_events, sg_event
from tests.campaigns.helpers import drain, make_audience, make_campaign, make_template
from tests.support.sendgrid_fake import SendGridFake

LINKS = ("https://shop.example/sale", "https://shop.example/new")
BODY = (
    "<p>Hello {{ first_name }}</p>"
    f'<p><a href="{LINKS[0]}">Sale</a> and <a href="{LINKS[1]}">what is new</a></p>'
)
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"


@pytest.fixture
def sendgrid(app, monkeypatch, queued):
    with SendGridFake() as fake:
        monkeypatch.setitem(app.config, "ENGAGEX_MAIL_BACKEND", "sendgrid")
        monkeypatch.setitem(app.config, "SENDGRID_API_KEY", fake.api_key)
        monkeypatch.setitem(app.config, "SENDGRID_API_HOST", fake.url)
        app.extensions.pop("engagex.mail_backend", None)
        yield fake
        app.extensions.pop("engagex.mail_backend", None)


def urls(html: str) -> dict[str, list[str]]:
    found = {
        kind: re.findall(rf"https?://[^/\"]+(/{kind}/[A-Za-z0-9_-]+)", html)
        for kind in ("t/o", "t/c", "u")
    }
    return found


def test_a_campaign_through_sendgrid_then_events_and_hits_yield_exact_results(
    org, client, sendgrid, sendgrid_keys, allow_private, human
):
    group, emails = make_audience(6)
    campaign = make_campaign(make_template(body=BODY), [group.id])
    with Receiver() as receiver:
        endpoint = webhooks.create_endpoint(
            None,
            {
                "url": receiver.url,
                "event_types": [
                    "email.bounced",
                    "email.complained",
                    "email.clicked",
                    "contact.unsubscribed",
                    "campaign.sent",
                ],
            },
        )
        db.session.commit()
        campaigns.send_campaign(None, campaign.id)
        db.session.commit()
        drain()
        assert campaigns.get_campaign(None, campaign.id).status == "sent"
        # The campaign's messages (the owner also gets a "campaign sent" notification).
        mail = {
            d["to"]: d for d in sendgrid.deliveries if "recipient_id" in d.get("custom_args", {})
        }
        assert sorted(mail) == sorted(emails)
        r = [mail[e] for e in emails]  # recipient i: its delivery
        ids = [int(d["custom_args"]["recipient_id"]) for d in r]
        links = [urls(d["html"]) for d in r]

        def click(i: int, index: int) -> str:
            for path in links[i]["t/c"]:
                if verify(SECRET, "click", path.rsplit("/", 1)[1], 2)[1] == index:
                    return path
            raise AssertionError(f"no link {index}")

        # --- people and machines on the tracking routes --------------------------------
        hits = [
            (links[0]["t/o"][0], CHROME),
            (links[0]["t/o"][0], CHROME),
            (click(0, 0), CHROME),
            (click(0, 0), CHROME),
            (click(0, 1), CHROME),
            (links[1]["t/o"][0], CHROME),
            (click(1, 0), CHROME),
            (links[2]["t/o"][0], IPHONE),
            (links[3]["t/o"][0], "Mozilla/5.0"),  # Apple Mail Privacy Protection
        ]
        for path, agent in hits:
            response = client.get(path, headers={"User-Agent": agent})
            assert response.status_code in (200, 302), path
        assert client.get(click(0, 0)).headers["Location"] == LINKS[0]
        assert client.get(click(1, 1) + "?url=https://evil.example").status_code == 404
        assert client.get(click(0, 1)[:-2] + "xx").status_code == 404
        # Unsubscribe: a prefetcher's GET changes nothing; the one-click POST does.
        assert client.get(links[4]["u"][0]).status_code == 200
        one_click = client.post(links[4]["u"][0], data="List-Unsubscribe=One-Click")
        assert one_click.status_code == 200
        drain()  # the buffered opens and clicks are written by the flush job

        # --- SendGrid's signed event batches ----------------------------------------------
        recipients = {x.id: x for x in campaigns.list_recipients(None, campaign.id, limit=50).items}
        rows = [recipients[i] for i in ids]
        delivered = [sg_event("processed", x) for x in rows] + [
            sg_event("delivered", x) for x in rows
        ]
        complaints = [
            sg_event("bounce", rows[5], type="bounce", status="5.1.1", reason="user unknown"),
            sg_event("spamreport", rows[2]),
            sg_event("group_resubscribe", rows[0]),
        ]
        assert post_events(client, sendgrid_keys, delivered).get_json()["recorded"] == 12
        assert post_events(client, sendgrid_keys, complaints).get_json()["recorded"] == 2
        duplicate = post_events(client, sendgrid_keys, delivered + complaints).get_json()
        assert duplicate["recorded"] == 0 and duplicate["duplicates"] == 14
        forged = post_events(client, SendGridKeys(), [sg_event("spamreport", rows[1])])
        assert forged.status_code == 403
        drain()  # outgoing webhook deliveries (and the complaint guard's check)

    # --- exactly the expected statistics -------------------------------------------------
    data = stats.campaign_stats(None, campaign.id)
    expected = {
        "sent": 6,
        "delivered": 6,
        "bounces": 1,
        "soft_bounces": 0,
        "opens": 4,
        "unique_opens": 3,
        "machine_opens": 1,
        "clicks": 5,
        "unique_clicks": 2,
        "machine_clicks": 0,
        "complaints": 1,
        "unsubscribes": 1,
    }
    assert {k: data[k] for k in expected} == expected
    assert data["rates"]["open_rate"] == 0.5 and data["rates"]["complaint_rate"] == round(1 / 6, 4)
    per_link = {
        link["url"]: (link["clicks"], link["unique_clicks"])
        for link in stats.links(None, campaign.id)["links"]
    }
    assert per_link == {LINKS[0]: (4, 2), LINKS[1]: (1, 1)}

    # --- contacts and suppressions -------------------------------------------------------
    status = dict(
        db.session.execute(
            sa.select(Contact.email, Contact.status).where(Contact.email.in_(emails))
        ).all()
    )
    assert [status[e] for e in emails] == [
        "subscribed",
        "subscribed",
        "complained",
        "subscribed",
        "unsubscribed",
        "bounced",
    ]
    assert audience.suppression_of(emails[5]).reason == "bounce"
    assert audience.suppression_of(emails[2]).reason == "complaint"
    assert audience.suppression_of(emails[4]) is None
    assert audience.suppression_of(emails[1]) is None  # the forged complaint did nothing

    # --- outgoing webhook deliveries -------------------------------------------------------
    assert receiver.types() == [
        "campaign.sent",
        "contact.unsubscribed",
        "email.bounced",
        "email.clicked",
        "email.clicked",
        "email.clicked",
        "email.clicked",
        "email.clicked",
        "email.complained",
    ]
    for hit in receiver.received:
        headers = {k.lower(): v for k, v in hit.headers.items()}
        assert signing.verify(
            endpoint.secret,
            hit.body,
            headers["x-engagex-timestamp"],
            headers["x-engagex-signature"],
        )
    clicked = {
        h.json["data"]["url"] for h in receiver.received if h.json["type"] == "email.clicked"
    }
    assert clicked == set(LINKS)
    bounced = next(h.json for h in receiver.received if h.json["type"] == "email.bounced")
    assert bounced["data"]["email"] == emails[5] and bounced["data"]["hard"] is True
    log = webhooks.list_deliveries(None, endpoint.id, limit=50).items
    assert len(log) == 9 and {d.status for d in log} == {"succeeded"}
