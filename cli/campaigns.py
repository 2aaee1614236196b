"""``engagex campaigns``: create, send, schedule, watch and steer campaigns; cron entry.

``engagex campaigns send-due`` is the cron job (every minute, all organizations):
it starts the scheduled campaigns whose time has come, once each however many copies
run, and restarts the runners of sending campaigns that stopped making progress.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import rich_click as click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from blueprints.campaigns import services
from blueprints.campaigns.models import STATUSES
from cli._common import emit, json_option, org_option, org_transaction, transaction
from engagex.errors import AppError
from engagex.tenancy import tenant_context


def campaign_data(campaign: Any) -> dict[str, Any]:
    """The fields shown by ``show``/``--json`` (read inside the transaction)."""
    fields = (
        "id",
        "name",
        "status",
        "status_code",
        "status_reason",
        "template_id",
        "template_revision_id",
        "subject",
        "from_email",
        "from_name",
        "reply_to",
        "group_ids",
        "segment_ids",
        "exclude_group_ids",
        "exclude_segment_ids",
        "seed_emails",
        "track_opens",
        "track_clicks",
        "scheduled_at",
        "timezone",
        "started_at",
        "finished_at",
        "created_at",
    )
    data = {name: getattr(campaign, name) for name in fields}
    data["counts"] = campaign.counts
    return data


def _print(data: dict[str, Any], as_json: bool, verb: str) -> None:
    if as_json:
        emit(data, True)
        return
    line = f"{verb} campaign {data['id']} '{data['name']}' ({data['status']})"
    if data["status"] == "scheduled" and data.get("scheduled_at"):
        line += f" for {data['scheduled_at']}"
    if data["counts"]["recipients"]:
        line += f", {data['counts']['recipients']:,} recipients"
    if data.get("status_reason") and data["status"] in ("paused", "failed"):
        line += f": {data['status_reason']}"
    click.echo(line)


def _when(at: str, zone: str | None, org_zone: str) -> tuple[datetime, str | None]:
    """``--at`` as an aware datetime: its own offset, else ``--timezone``, else the
    organization's time zone."""
    try:
        value = datetime.fromisoformat(at.strip())
    except ValueError as exc:
        raise click.BadParameter(
            "use ISO 8601, e.g. 2026-03-01T09:00 or 2026-03-01T09:00:00+01:00", param_hint="--at"
        ) from exc
    name = zone or org_zone or "UTC"
    if value.tzinfo is None:
        try:
            value = value.replace(tzinfo=ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise click.BadParameter(
                f"unknown time zone {name!r}", param_hint="--timezone"
            ) from exc
        return value, name
    return value, zone


def content_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--template", "template_ref", metavar="ID|NAME", help="The template."),
        click.option("--revision", "revision_id", type=click.IntRange(1), help="Pin a revision."),
        click.option("--subject", help="Subject override (a Jinja line)."),
        click.option("--from-email", help="Sender address (a verified sending domain)."),
        click.option("--from-name", help="Sender name."),
        click.option("--reply-to", help="Reply-To address."),
        click.option("--group", "groups", multiple=True, metavar="ID|NAME", help="Audience group (repeatable)."),
        click.option("--segment", "segments", multiple=True, metavar="ID|NAME", help="Audience segment (repeatable)."),
        click.option("--exclude-group", "exclude_groups", multiple=True, metavar="ID|NAME", help="Leave out a group."),
        click.option("--exclude-segment", "exclude_segments", multiple=True, metavar="ID|NAME", help="Leave out a segment."),
        click.option("--seed", "seeds", multiple=True, metavar="EMAIL", help="Seed address: gets it first (repeatable)."),
        click.option("--track-opens/--no-track-opens", default=None, help="Open tracking (default on)."),
        click.option("--track-clicks/--no-track-clicks", default=None, help="Click tracking (default on)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _content(values: dict[str, Any]) -> dict[str, Any]:
    """Options given -> service fields (names resolved inside the transaction)."""
    data: dict[str, Any] = {}
    if values.get("template_ref"):
        data["template_id"] = services.resolve_template(None, values["template_ref"])
    for option, field in (
        ("revision_id", "template_revision_id"),
        ("subject", "subject"),
        ("from_email", "from_email"),
        ("from_name", "from_name"),
        ("reply_to", "reply_to"),
        ("track_opens", "track_opens"),
        ("track_clicks", "track_clicks"),
    ):
        if values.get(option) is not None:
            data[field] = values[option]
    for option, field, resolve in (
        ("groups", "group_ids", services.resolve_groups),
        ("segments", "segment_ids", services.resolve_segments),
        ("exclude_groups", "exclude_group_ids", services.resolve_groups),
        ("exclude_segments", "exclude_segment_ids", services.resolve_segments),
    ):
        if values.get(option):
            data[field] = resolve(None, values[option])
    if values.get("seeds"):
        data["seed_emails"] = list(values["seeds"])
    return data


@click.group()
def campaigns() -> None:
    """Create, send, schedule and follow campaigns."""


@campaigns.command("create")
@org_option
@click.option("--name", required=True, help="Campaign name.")
@content_options
@click.option("--schedule-at", "at", metavar="WHEN", help="Schedule (ISO 8601; see 'schedule').")
@click.option("--timezone", "zone", metavar="ZONE", help="Time zone of --schedule-at.")
@json_option
def create(
    org_slug: str, name: str, at: str | None, zone: str | None, as_json: bool, **values: Any
) -> None:
    """Create a draft campaign (scheduled at once with --schedule-at)."""
    with org_transaction(org_slug) as org:
        campaign = services.create_campaign(None, {"name": name, **_content(values)})
        if at:
            when, zone_name = _when(at, zone, org.timezone)
            campaign = services.schedule_campaign(None, campaign.id, when, zone_name)
        data = campaign_data(campaign)
    _print(data, as_json, "created")


@campaigns.command("update")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@click.option("--name", help="New name.")
@content_options
@json_option
def update(campaign_id: int, org_slug: str, name: str | None, as_json: bool, **values: Any) -> None:
    """Change a draft or scheduled campaign (a started one can only be renamed)."""
    with org_transaction(org_slug):
        data = _content(values)
        if name is not None:
            data["name"] = name
        if not data:
            raise click.UsageError("nothing to change: give at least one option")
        result = campaign_data(services.update_campaign(None, campaign_id, data))
    _print(result, as_json, "updated")


@campaigns.command("list")
@org_option
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@json_option
def list_campaigns(org_slug: str, status: str | None, limit: int, as_json: bool) -> None:
    """List campaigns, newest first."""
    with org_transaction(org_slug):
        page = services.list_campaigns(None, limit=limit, status=status)
        data = [campaign_data(c) for c in page.items]
    emit(
        data,
        as_json,
        columns=["id", "name", "status", "recipients", "sent", "failed", "scheduled", "started"],
        rows=lambda: [
            (
                d["id"],
                d["name"],
                d["status"],
                d["counts"]["recipients"],
                d["counts"]["sent"],
                d["counts"]["failed"],
                d["scheduled_at"],
                d["started_at"],
            )
            for d in data
        ],
        title="Campaigns",
    )


@campaigns.command("show")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@json_option
def show(campaign_id: int, org_slug: str, as_json: bool) -> None:
    """Show campaign CAMPAIGN_ID."""
    with org_transaction(org_slug):
        data = campaign_data(services.get_campaign(None, campaign_id))
    emit(
        data,
        as_json,
        columns=["field", "value"],
        rows=lambda: (
            [(k, v) for k, v in data.items() if k != "counts"]
            + [(k, v) for k, v in data["counts"].items()]
        ),
        title=data["name"],
    )


@campaigns.command("delete")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
def delete(campaign_id: int, org_slug: str) -> None:
    """Delete a campaign that is not scheduled or running."""
    with org_transaction(org_slug):
        services.delete_campaign(None, campaign_id)
    click.echo(f"deleted campaign {campaign_id}")


@campaigns.command("duplicate")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@click.option("--name", help="Name of the copy (default: 'Copy of ...').")
@json_option
def duplicate(campaign_id: int, org_slug: str, name: str | None, as_json: bool) -> None:
    """Copy a campaign into a new draft."""
    with org_transaction(org_slug):
        data = campaign_data(services.duplicate_campaign(None, campaign_id, name))
    _print(data, as_json, "created")


def _action(verb: str, run: Callable[[int], Any]) -> Callable[..., None]:
    def command(campaign_id: int, org_slug: str, as_json: bool) -> None:
        with org_transaction(org_slug):
            data = campaign_data(run(campaign_id))
        _print(data, as_json, verb)

    return command


for _name, _verb, _run, _help in (
    ("pause", "paused", lambda i: services.pause_campaign(None, i), "Pause a sending campaign."),
    ("resume", "resumed", lambda i: services.resume_campaign(None, i), "Resume a paused campaign."),
    ("cancel", "cancelled", lambda i: services.cancel_campaign(None, i), "Cancel for good."),
    (
        "unschedule",
        "unscheduled",
        lambda i: services.unschedule_campaign(None, i),
        "Back to draft.",
    ),
):
    campaigns.command(_name, help=_help)(
        click.argument("campaign_id", type=click.IntRange(1))(
            org_option(json_option(_action(_verb, _run)))
        )
    )


@campaigns.command("send")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@click.option("--watch", is_flag=True, help="Follow the progress until it is done.")
@json_option
def send(campaign_id: int, org_slug: str, watch: bool, as_json: bool) -> None:
    """Send now: snapshot the audience and queue the batches (once)."""
    with org_transaction(org_slug):
        data = campaign_data(services.send_campaign(None, campaign_id))
    if watch:
        _watch(org_slug, campaign_id, 1.0, as_json)
        return
    with org_transaction(org_slug):  # in-process mode: already delivered
        data = campaign_data(services.get_campaign(None, campaign_id))
    _print(data, as_json, "started" if data["status"] == "sending" else data["status"])


@campaigns.command("schedule")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@click.option(
    "--at", "at", required=True, metavar="WHEN", help="ISO 8601, with an offset or in --timezone."
)
@click.option(
    "--timezone", "zone", metavar="ZONE", help="IANA zone of --at (default: the organization's)."
)
@json_option
def schedule(campaign_id: int, org_slug: str, at: str, zone: str | None, as_json: bool) -> None:
    """Send at a given time ('engagex campaigns send-due' starts it)."""
    with org_transaction(org_slug) as org:
        when, zone_name = _when(at, zone, org.timezone)
        data = campaign_data(services.schedule_campaign(None, campaign_id, when, zone_name))
    _print(data, as_json, "scheduled")


def _stats(org_slug: str, campaign_id: int) -> dict[str, Any]:
    with org_transaction(org_slug):
        return services.stats(None, campaign_id)


def _summary(stats: dict[str, Any]) -> list[tuple[str, Any]]:
    rate = stats["rate_per_second"] or stats["average_rate_per_second"]
    return [
        ("status", stats["status"] + (f" ({stats['status_reason']})" if stats["status_reason"] else "")),
        ("recipients", f"{stats['recipients']:,}"),
        ("sent", f"{stats['sent']:,}"),
        ("failed", f"{stats['failed']:,}"),
        ("skipped", f"{stats['skipped']:,}"),
        ("cancelled", f"{stats['cancelled']:,}"),
        ("queued", f"{stats['queued']:,}"),
        ("done", f"{stats['percent']}%"),
        ("rate", f"{rate:,.0f}/s"),
        ("ETA", f"{stats['eta_seconds']:,.0f} s" if stats["eta_seconds"] is not None else "-"),
        ("errors", "; ".join(stats["errors"]) or "-"),
    ]  # fmt: skip


def _watch(org_slug: str, campaign_id: int, interval: float, as_json: bool) -> None:
    """Poll the stats until the campaign is no longer scheduled or sending."""
    stats = _stats(org_slug, campaign_id)
    if not sys.stderr.isatty() or as_json:
        while stats["status"] in ("scheduled", "sending"):
            time.sleep(interval)
            stats = _stats(org_slug, campaign_id)
    else:
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[sent]:,} sent  {task.fields[failed]:,} failed  {task.fields[queued]:,} queued"),
            TextColumn("{task.fields[rate]:,.0f}/s  ETA {task.fields[eta]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )  # fmt: skip
        with bar:
            task = bar.add_task(f"campaign {campaign_id}", total=max(stats["recipients"], 1))
            while True:
                eta = stats["eta_seconds"]
                bar.update(
                    task,
                    total=max(stats["recipients"], 1),
                    completed=stats["recipients"] - stats["queued"],
                    description=f"campaign {campaign_id} {stats['status']}",
                    sent=stats["sent"],
                    failed=stats["failed"],
                    queued=stats["queued"],
                    rate=stats["rate_per_second"],
                    eta=f"{eta:,.0f}s" if eta is not None else "-",
                )
                if stats["status"] not in ("scheduled", "sending"):
                    break
                time.sleep(interval)
                stats = _stats(org_slug, campaign_id)
    _emit_stats(stats, as_json)


def _emit_stats(stats: dict[str, Any], as_json: bool) -> None:
    emit(
        stats,
        as_json,
        columns=["", "value"],
        rows=lambda: _summary(stats),
        title=f"Campaign {stats['campaign_id']}",
    )


@campaigns.command("status")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@click.option("--watch", is_flag=True, help="Follow with a progress bar until it is done.")
@click.option("--interval", type=click.FloatRange(0.2, 60), default=1.0, show_default=True)
@json_option
def status(campaign_id: int, org_slug: str, watch: bool, interval: float, as_json: bool) -> None:
    """Progress of a campaign: counts, rate, ETA."""
    if watch:
        _watch(org_slug, campaign_id, interval, as_json)
    else:
        _emit_stats(_stats(org_slug, campaign_id), as_json)


@campaigns.command("test-send")
@click.argument("campaign_id", type=click.IntRange(1))
@org_option
@click.option(
    "--to", "emails", multiple=True, metavar="EMAIL", help="Recipient (default: the seed list)."
)
@click.option(
    "--contact",
    "contact_ref",
    metavar="ID",
    type=click.IntRange(1),
    help="Render for this contact.",
)
@json_option
def test_send(
    campaign_id: int, org_slug: str, emails: Sequence[str], contact_ref: int | None, as_json: bool
) -> None:
    """Send a test of the campaign ('[Test] ' subject) to a few addresses."""
    with org_transaction(org_slug):
        result = services.send_test(
            None, campaign_id, emails=list(emails) or None, contact_id=contact_ref
        )
    if as_json:
        emit(result, True)
    else:
        click.echo(f"test '{result['subject']}' queued for {', '.join(result['recipients'])}")


@campaigns.command("send-due")
@json_option
def send_due(as_json: bool) -> None:
    """Start every scheduled campaign whose time has come, in every organization, and
    restart stalled ones. For cron, every minute; safe when runs overlap."""
    with transaction():
        due = services.due_campaigns()
    report: dict[str, list[Any]] = {"started": [], "failed": [], "restarted": []}
    for campaign_id, org_id in due:
        try:
            with transaction(), tenant_context(org_id):
                started = services.start_due(campaign_id)
            if started is not None:
                report["started"].append(campaign_id)
        except AppError as exc:
            with transaction(), tenant_context(org_id):
                if services.fail_campaign(
                    campaign_id, exc.code, exc.message, only_from=("scheduled",)
                ):
                    report["failed"].append(
                        {"id": campaign_id, "code": exc.code, "reason": exc.message}
                    )
    with transaction():
        stalled = services.stalled_campaigns()
    for campaign_id, org_id in stalled:
        with transaction(), tenant_context(org_id):
            if services.restart_stalled(campaign_id):
                report["restarted"].append(campaign_id)
    if as_json:
        emit(report, True)
        return
    click.echo(
        f"started {len(report['started'])}, failed {len(report['failed'])}, "
        f"restarted {len(report['restarted'])}"
    )
    for failure in report["failed"]:
        click.echo(f"  campaign {failure['id']} failed: {failure['reason']}")


COMMANDS = [campaigns]
