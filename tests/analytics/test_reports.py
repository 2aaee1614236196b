"""Reports through the REST API and the CLI: stats, timeline, links, overview, events,
export."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.analytics import stats
from cli import cli
from cli.analytics import sparkline
from engagex.db import db
from tests.analytics.helpers import LINKS, flush, make_sent_campaign
from tests.factories import auth, make_key, make_org

CHROME = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def engaged(client, count: int = 3):
    sent = make_sent_campaign(count)
    db.session.commit()
    client.get(sent.open_url(0), headers={"User-Agent": CHROME})
    client.get(sent.open_url(1), headers={"User-Agent": CHROME})
    client.get(sent.open_url(2), headers={"User-Agent": "Mozilla/5.0"})
    client.get(sent.click_url(0, 1), headers={"User-Agent": CHROME})
    flush()
    return sent


def test_the_api_reports_stats_timeline_links_overview_and_events(org, client, human):
    sent = engaged(client)
    key = auth(make_key(org, "analyst"))
    base = f"/api/v1/analytics/campaigns/{sent.campaign.id}"
    data = client.get(base, headers=key).get_json()
    assert (data["sent"], data["unique_opens"], data["machine_opens"], data["clicks"]) == (
        3,
        2,
        1,
        1,
    )
    assert data["rates"]["open_rate"] == round(2 / 3, 4)
    assert data["rates"]["delivered_base"] == "sent_minus_bounces"
    timeline = client.get(f"{base}/timeline", headers=key).get_json()
    assert sum(p["opens"] for p in timeline["points"]) == 2
    assert sum(p["sent"] for p in timeline["points"]) == 3
    hours = [p["hour"] for p in timeline["points"]]
    assert hours == sorted(hours) and len(hours) >= 2  # sent an hour ago, opened now
    links = client.get(f"{base}/links", headers=key).get_json()
    assert [(link["url"], link["clicks"]) for link in links["links"]] == [
        (LINKS[1], 1),
        (LINKS[0], 0),
    ]
    overview = client.get("/api/v1/analytics/overview?days=7", headers=key).get_json()
    assert overview["totals"]["sent"] == 3 and overview["totals"]["unique_opens"] == 2
    assert overview["totals"]["campaigns"] == 1 and len(overview["daily"]) == 7
    assert overview["campaigns"][0]["campaign_id"] == sent.campaign.id
    page = client.get("/api/v1/analytics/events?type=open&limit=2", headers=key).get_json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    # Each event names its recipient's address, so a report needs no lookup per row.
    assert {event["email"] for event in page["items"]} <= {r.email for r in sent.recipients}
    assert None not in {event["email"] for event in page["items"]}
    rest = client.get(
        f"/api/v1/analytics/events?type=open&cursor={page['next_cursor']}", headers=key
    )
    assert len(rest.get_json()["items"]) == 1
    machines = client.get("/api/v1/analytics/events?machine=true", headers=key).get_json()["items"]
    assert [(e["type"], e["client"], e["details"]["machine_reason"]) for e in machines] == [
        ("open", "Apple Mail privacy proxy", "apple_privacy_proxy")
    ]
    assert client.get("/api/v1/analytics/overview?days=0", headers=key).status_code == 422
    assert client.get("/api/v1/analytics/events?type=nope", headers=key).status_code == 422


def test_another_organizations_campaign_is_404(org, client):
    sent = make_sent_campaign(1)
    db.session.commit()
    stranger = make_org()
    key = auth(make_key(stranger, "owner"))
    assert (
        client.get(f"/api/v1/analytics/campaigns/{sent.campaign.id}", headers=key).status_code
        == 404
    )
    events = client.get(f"/api/v1/analytics/events?campaign_id={sent.campaign.id}", headers=key)
    assert events.get_json()["items"] == []


def run(app, *args: str):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_the_cli_prints_a_table_with_sparklines_and_exports(app, org, client, human, tmp_path):
    sent = engaged(client)
    cid = str(sent.campaign.id)
    shown = run(app, "analytics", "campaign", cid, "--org", org.slug)
    assert shown.exit_code == 0, shown.output
    assert "unique opens" in shown.stdout and "66.7 %" in shown.stdout
    assert "opens " in shown.stdout and any(c in shown.stdout for c in "▁▂▃▄▅▆▇█")
    as_json = json.loads(run(app, "analytics", "campaign", cid, "--org", org.slug, "--json").stdout)
    assert as_json["unique_opens"] == 2 and as_json["timeline"]
    links = json.loads(run(app, "analytics", "links", cid, "--org", org.slug, "--json").stdout)
    assert links["total_clicks"] == 1
    overview = run(app, "analytics", "overview", "--org", org.slug)
    assert overview.exit_code == 0 and "last 30 days" in overview.stdout
    events = json.loads(
        run(app, "analytics", "events", "--org", org.slug, "--machine", "--json").stdout
    )
    assert [e["type"] for e in events] == ["open"]
    out = tmp_path / "events.csv"
    exported = run(app, "analytics", "export", "--org", org.slug, "--campaign", cid, "-o", str(out))
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["type"] for r in rows] == ["open", "open", "open", "click"]
    assert rows[3]["url"] == LINKS[1] and rows[2]["machine_reason"] == "apple_privacy_proxy"
    lines = run(
        app, "analytics", "export", "--org", org.slug, "--format", "jsonl", "--type", "click"
    )
    assert [json.loads(line)["link_index"] for line in lines.stdout.splitlines()] == [1]
    missing = run(app, "analytics", "campaign", "999999999", "--org", org.slug)
    assert missing.exit_code == 1 and missing.output.strip() == "error: campaign not found"


def test_flush_and_guard_commands(app, org, client, human):
    sent = make_sent_campaign(1)
    db.session.commit()
    client.get(sent.open_url(0), headers={"User-Agent": CHROME})
    flushed = json.loads(run(app, "analytics", "flush", "--json").stdout)
    assert flushed["pending_before"] == 1 and flushed["recorded"] == 1
    guarded = json.loads(run(app, "analytics", "guard", "--org", org.slug, "--json").stdout)
    assert guarded == [
        {
            "organization": org.slug,
            "level": "ok",
            "rate": 0.0,
            "complaints": 0,
            "volume": 1,
            "paused": [],
        }
    ]
    assert stats.campaign_stats(None, sent.campaign.id)["unique_opens"] == 1


def test_sparkline():
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert len(sparkline(list(range(1000)), width=50)) <= 50
    assert sparkline([]) == ""
