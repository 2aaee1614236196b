"""``engagex analytics``: campaign reports in the terminal, exports, and the cron jobs
of the analytics (writing buffered tracking events, the complaint guard)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import IO, Any

import rich_click as click
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from blueprints.accounts import services as accounts
from blueprints.analytics import buffer, guard, stats, tasks
from blueprints.analytics.models import EVENT_TYPES
from blueprints.analytics.sql import aware
from cli._common import emit, json_option, org_option, org_transaction, transaction
from engagex.tenancy import system_scope, tenant_context

BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 60


def sparkline(values: Sequence[int], width: int = SPARK_WIDTH) -> str:
    """Values as a line of block characters, summed into at most ``width`` columns."""
    if not values:
        return ""
    size = max(1, -(-len(values) // width))
    sums = [sum(values[i : i + size]) for i in range(0, len(values), size)]
    top = max(sums)
    if top == 0:
        return BARS[0] * len(sums)
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in sums)


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def _stats_table(data: dict[str, Any]) -> Table:
    rates = data["rates"]
    table = Table(title=f"Campaign {data['campaign_id']}: {data['name']} ({data['status']})")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_column("rate", justify="right")
    rows = [
        ("recipients", data["recipients"], ""),
        ("sent", data["sent"], ""),
        ("failed to send", data["failed"], ""),
        ("delivered", data["delivered"], "" if data["delivered"] else "(not reported)"),
        ("hard bounces", data["bounces"], _pct(rates["bounce_rate"])),
        ("soft bounces", data["soft_bounces"], ""),
        ("unique opens", data["unique_opens"], _pct(rates["open_rate"])),
        ("opens", data["opens"], ""),
        ("machine opens", data["machine_opens"], _pct(rates["machine_open_share"]) + " of opens"),
        ("unique clicks", data["unique_clicks"], _pct(rates["click_rate"])),
        ("clicks", data["clicks"], f"{_pct(rates['click_to_open_rate'])} of openers"),
        ("machine clicks", data["machine_clicks"], ""),
        ("complaints", data["complaints"], _pct(rates["complaint_rate"])),
        ("unsubscribes", data["unsubscribes"], _pct(rates["unsubscribe_rate"])),
    ]
    for name, count, rate in rows:
        table.add_row(name, f"{count:,}", rate)
    return table


def _sparklines(timeline: dict[str, Any]) -> Text:
    points = timeline["points"]
    text = Text()
    if not points:
        return text
    start = points[0]["hour"].strftime("%Y-%m-%d %H:00")
    end = points[-1]["hour"].strftime("%Y-%m-%d %H:00")
    for label, key, style in (("opens ", "opens", "green"), ("clicks", "clicks", "cyan")):
        series = [p[key] for p in points]
        text.append(f"{label} ", style="bold")
        text.append(sparkline(series), style=style)
        text.append(f"  {sum(series):,}\n")
    text.append(f"       {start} -> {end} UTC, {len(points)} hours", style="dim")
    return text


@click.group()
def analytics() -> None:
    """Campaign reports, the event log, exports; cron: flush and guard."""


@analytics.command("campaign")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@json_option
def campaign(campaign_id: int, org_slug: str, as_json: bool) -> None:
    """A campaign's engagement: counts, rates and a sparkline of opens and clicks."""
    with org_transaction(org_slug):
        data = stats.campaign_stats(None, campaign_id)
        timeline = stats.timeline(None, campaign_id)
    if as_json:
        emit({**data, "timeline": timeline["points"]}, True)
        return
    Console().print(Group(_stats_table(data), _sparklines(timeline)))


@analytics.command("timeline")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@click.option("--since", type=click.DateTime(), help="From (UTC).")
@click.option("--until", type=click.DateTime(), help="Until (UTC).")
@click.option("--all-hours", is_flag=True, help="Also list hours without activity.")
@json_option
def timeline(
    campaign_id: int,
    org_slug: str,
    since: datetime | None,
    until: datetime | None,
    all_hours: bool,
    as_json: bool,
) -> None:
    """Hourly counters of a campaign (UTC)."""
    with org_transaction(org_slug):
        data = stats.timeline(None, campaign_id, since=_utc(since), until=_utc(until))
    points = [p for p in data["points"] if all_hours or any(p[k] for k in stats.SERIES)]
    columns = ["hour (UTC)", "sent", "delivered", "opens", "unique", "machine", "clicks", "bounces", "complaints", "unsubs"]  # fmt: skip
    emit(
        data["points"] if as_json else points,
        as_json,
        columns=columns,
        rows=lambda: [
            (
                p["hour"].strftime("%Y-%m-%d %H:00"),
                p["sent"],
                p["delivered"],
                p["opens"],
                p["unique_opens"],
                p["machine_opens"],
                p["clicks"],
                p["bounces"],
                p["complaints"],
                p["unsubscribes"],
            )
            for p in points
        ],
        title=f"Campaign {campaign_id}: timeline",
    )
    if not as_json:
        Console().print(_sparklines(data))


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@analytics.command("links")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@json_option
def links(campaign_id: int, org_slug: str, as_json: bool) -> None:
    """Clicks per link of a campaign, most clicked first."""
    with org_transaction(org_slug):
        data = stats.links(None, campaign_id)
    emit(
        data,
        as_json,
        columns=["#", "url", "clicks", "unique", "machine", "share"],
        rows=lambda: [
            (
                link["index"],
                link["url"],
                link["clicks"],
                link["unique_clicks"],
                link["machine_clicks"],
                _pct(link["share"]),
            )
            for link in data["links"]
        ],
        title=f"Campaign {campaign_id}: {data['total_clicks']:,} clicks",
    )


@analytics.command("overview")
@org_option
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True)
@json_option
def overview(org_slug: str, days: int, as_json: bool) -> None:
    """The organization's last days: totals, rates, per day, and its campaigns."""
    with org_transaction(org_slug):
        data = stats.overview(None, days=days)
    if as_json:
        emit(data, True)
        return
    totals, rates = data["totals"], data["rates"]
    table = Table(title=f"{org_slug}: last {days} days ({totals['campaigns']} campaigns)")
    for name in ("sent", "delivered", "unique opens", "unique clicks", "bounces", "complaints", "unsubscribes"):  # fmt: skip
        table.add_column(name, justify="right")
    table.add_row(
        f"{totals['sent']:,}",
        f"{totals['delivered']:,}",
        f"{totals['unique_opens']:,} ({_pct(rates['open_rate'])})",
        f"{totals['unique_clicks']:,} ({_pct(rates['click_rate'])})",
        f"{totals['bounces']:,} ({_pct(rates['bounce_rate'])})",
        f"{totals['complaints']:,} ({_pct(rates['complaint_rate'])})",
        f"{totals['unsubscribes']:,} ({_pct(rates['unsubscribe_rate'])})",
    )
    campaigns = Table(title="Campaigns")
    for name in ("id", "name", "sent", "open rate", "click rate", "complaints"):
        campaigns.add_column(name)
    for item in data["campaigns"]:
        campaigns.add_row(
            str(item["campaign_id"]),
            item["name"] or "",
            f"{item['sent']:,}",
            _pct(item["rates"]["open_rate"]),
            _pct(item["rates"]["click_rate"]),
            str(item["complaints"]),
        )
    daily = Text()
    for label, key in (("sent  ", "sent"), ("opens ", "unique_opens"), ("clicks", "unique_clicks")):
        daily.append(f"{label} ", style="bold")
        daily.append(sparkline([d[key] for d in data["daily"]]) + "\n")
    Console().print(Group(table, daily, campaigns))


def _event_row(event: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "occurred_at": aware(event.occurred_at),
        "campaign_id": event.campaign_id,
        "recipient_id": event.recipient_id,
        "contact_id": event.contact_id,
        "link_index": event.link_index,
        "machine": event.machine,
        "client": event.user_agent,
        "source": event.source,
        "details": event.data or {},
    }


def _filters(
    campaign_id: int | None, kind: str | None, contact_id: int | None, machine: bool | None
) -> dict[str, Any]:
    return {"campaign_id": campaign_id, "type": kind, "contact_id": contact_id, "machine": machine}


filter_options = [
    click.option("--campaign", "campaign_id", type=click.IntRange(1), help="One campaign."),
    click.option("--type", "kind", type=click.Choice(EVENT_TYPES), help="One event type."),
    click.option("--contact", "contact_id", type=click.IntRange(1), help="One contact id."),
    click.option(
        "--machine/--human", "machine", default=None, help="Only machine (or people's) events."
    ),
]


def _with_filters(func: Any) -> Any:
    for option in reversed(filter_options):
        func = option(func)
    return func


@analytics.command("events")
@org_option
@_with_filters
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@json_option
def events(
    org_slug: str,
    campaign_id: int | None,
    kind: str | None,
    contact_id: int | None,
    machine: bool | None,
    limit: int,
    as_json: bool,
) -> None:
    """The latest events, newest first."""
    with org_transaction(org_slug):
        page = stats.list_events(
            None, limit=limit, **_filters(campaign_id, kind, contact_id, machine)
        )
        rows = [_event_row(e) for e in page.items]
    emit(
        rows,
        as_json,
        columns=["id", "time (UTC)", "type", "campaign", "recipient", "link", "machine", "client"],
        rows=lambda: [
            (
                r["id"],
                r["occurred_at"].strftime("%Y-%m-%d %H:%M:%S"),
                r["type"],
                r["campaign_id"],
                r["recipient_id"],
                r["link_index"],
                (r["details"].get("machine_reason") or "yes") if r["machine"] else "",
                r["client"],
            )
            for r in rows
        ],
        title="Events",
    )


EXPORT_FIELDS = ["id", "occurred_at", "type", "campaign_id", "recipient_id", "contact_id", "link_index", "url", "machine", "machine_reason", "client", "source", "details"]  # fmt: skip


@analytics.command("export")
@org_option
@_with_filters
@click.option("--since", type=click.DateTime(), help="From (UTC).")
@click.option("--until", type=click.DateTime(), help="Until (UTC).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout)."
)
def export(
    org_slug: str,
    campaign_id: int | None,
    kind: str | None,
    contact_id: int | None,
    machine: bool | None,
    since: datetime | None,
    until: datetime | None,
    fmt: str,
    output: str | None,
) -> None:
    """Export events (oldest first) as CSV or JSON lines, streamed."""
    filters = {
        **_filters(campaign_id, kind, contact_id, machine),
        "since": _utc(since),
        "until": _utc(until),
    }
    out: IO[str] = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    count = 0
    try:
        with org_transaction(org_slug):
            writer = csv.DictWriter(out, EXPORT_FIELDS) if fmt == "csv" else None
            if writer:
                writer.writeheader()
            tables: dict[int, list[str]] = {}
            for event in stats.iter_events(None, **filters):
                row = _event_row(event)
                details = dict(row.pop("details"))
                cid = row["campaign_id"]
                if cid is not None and cid not in tables:
                    tables.update(stats.link_urls([cid]))
                urls = tables.get(cid, []) if cid is not None else []
                index = row["link_index"]
                row["url"] = (
                    urls[index]
                    if index is not None and 0 <= index < len(urls)
                    else details.get("url")
                )
                row["machine_reason"] = details.pop("machine_reason", None)
                row["occurred_at"] = row["occurred_at"].isoformat()
                row["details"] = json.dumps(details, sort_keys=True) if details else ""
                if writer:
                    writer.writerow(row)
                else:
                    out.write(json.dumps(row, default=str) + "\n")
                count += 1
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"exported {count:,} events to {output}", err=True)


@analytics.command("flush")
@json_option
def flush(as_json: bool) -> None:
    """Write the buffered opens and clicks now (cron backstop, every minute)."""
    with transaction():
        waiting = buffer.pending()
        result = tasks.flush_events()
    emit(
        {"pending_before": waiting, **result},
        as_json,
        columns=["", "value"],
        rows=lambda: [("buffered", waiting), *((k, v) for k, v in result.items() if k != "types")],
        title="Tracking events written",
    )


@analytics.command("guard")
@click.option("--org", "org_slug", metavar="SLUG", help="One organization (default: all).")
@json_option
def guard_command(org_slug: str | None, as_json: bool) -> None:
    """Run the complaint guard (warn at 0.1 %, pause at 0.3 % over 24 h); cron, hourly."""
    results = []
    with transaction():
        with system_scope():
            orgs = (
                [accounts.get_organization(org_slug)] if org_slug else accounts.list_organizations()
            )
            ids = [(o.id, o.slug) for o in orgs]
        for org_id, slug in ids:
            with tenant_context(org_id):
                judged = guard.check()
            results.append(
                {
                    "organization": slug,
                    "level": judged.level,
                    "rate": judged.rate,
                    "complaints": judged.complaints,
                    "volume": judged.volume,
                    "paused": list(judged.paused),
                }
            )
    emit(
        results,
        as_json,
        columns=["organization", "level", "rate", "complaints", "messages", "paused"],
        rows=lambda: [
            (
                r["organization"],
                r["level"],
                _pct(r["rate"]),
                r["complaints"],
                r["volume"],
                ", ".join(map(str, r["paused"])),
            )
            for r in results
        ],
        title="Complaint guard (24 h)",
    )


COMMANDS = [analytics]
