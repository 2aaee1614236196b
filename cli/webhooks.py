"""``engagex webhooks``: outgoing webhook endpoints, their delivery log and replays."""

from __future__ import annotations

from typing import Any

import rich_click as click

from blueprints.analytics.outgoing import services
from blueprints.analytics.outgoing.models import DELIVERY_STATUSES
from cli._common import emit, json_option, org_option, org_transaction

EVENT_HELP = "Event type to send (repeat; '*' for all; see 'engagex webhooks event-types')."


def endpoint_data(endpoint: Any, *, secret: bool = False) -> dict[str, Any]:
    data = {
        "id": endpoint.id,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "description": endpoint.description,
        "last_success_at": endpoint.last_success_at,
        "last_failure_at": endpoint.last_failure_at,
    }
    if secret:
        data["secret"] = endpoint.secret
    return data


def delivery_data(delivery: Any) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "error": delivery.error,
        "duration_ms": delivery.duration_ms,
        "replay_of_id": delivery.replay_of_id,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
    }


def _show(data: dict[str, Any], as_json: bool, title: str) -> None:
    emit(data, as_json, columns=["", "value"], rows=lambda: list(data.items()), title=title)


@click.group()
def webhooks() -> None:
    """Outgoing webhooks: signed HTTPS deliveries of events to your systems."""


@webhooks.command("event-types")
@json_option
def event_types(as_json: bool) -> None:
    """The event types an endpoint can receive."""
    data = [{"type": t, "description": d} for t, d in services.EVENT_TYPES.items()]
    emit(data, as_json, columns=["type", "description"], rows=lambda: [(d["type"], d["description"]) for d in data], title="Event types")  # fmt: skip


@webhooks.command("list")
@org_option
@json_option
def list_endpoints(org_slug: str, as_json: bool) -> None:
    """The organization's endpoints."""
    with org_transaction(org_slug):
        data = [endpoint_data(e) for e in services.list_endpoints(None, limit=200).items]
    emit(
        data,
        as_json,
        columns=["id", "url", "events", "enabled", "last success", "last failure"],
        rows=lambda: [
            (d["id"], d["url"], ", ".join(d["event_types"]), "yes" if d["enabled"] else "no", d["last_success_at"], d["last_failure_at"])
            for d in data
        ],
        title="Webhooks",
    )  # fmt: skip


@webhooks.command("create")
@click.argument("url")
@org_option
@click.option("--event", "events", multiple=True, required=True, metavar="TYPE", help=EVENT_HELP)
@click.option("--description", help="What the endpoint is for.")
@click.option("--disabled", is_flag=True, help="Create it turned off.")
@json_option
def create(
    url: str,
    org_slug: str,
    events: tuple[str, ...],
    description: str | None,
    disabled: bool,
    as_json: bool,
) -> None:
    """Register URL for the given event types; prints the signing secret (only now)."""
    with org_transaction(org_slug):
        endpoint = services.create_endpoint(
            None,
            {
                "url": url,
                "event_types": list(events),
                "description": description,
                "enabled": not disabled,
            },
        )
        data = endpoint_data(endpoint, secret=True)
    _show(data, as_json, "Webhook created: store the secret now, it is not shown again")


@webhooks.command("show")
@click.argument("webhook_id", type=click.IntRange(1))
@org_option
@json_option
def show(webhook_id: int, org_slug: str, as_json: bool) -> None:
    """One endpoint."""
    with org_transaction(org_slug):
        data = endpoint_data(services.get_endpoint(None, webhook_id))
    _show(data, as_json, f"Webhook {webhook_id}")


@webhooks.command("update")
@click.argument("webhook_id", type=click.IntRange(1))
@org_option
@click.option("--url", help="New URL.")
@click.option(
    "--event", "events", multiple=True, metavar="TYPE", help=EVENT_HELP + " Replaces the list."
)
@click.option("--description", help="New description.")
@click.option("--enable/--disable", "enabled", default=None, help="Turn it on or off.")
@json_option
def update(
    webhook_id: int,
    org_slug: str,
    url: str | None,
    events: tuple[str, ...],
    description: str | None,
    enabled: bool | None,
    as_json: bool,
) -> None:
    """Change an endpoint."""
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = url
    if events:
        changes["event_types"] = list(events)
    if description is not None:
        changes["description"] = description
    if enabled is not None:
        changes["enabled"] = enabled
    if not changes:
        raise click.UsageError(
            "nothing to change: give --url, --event, --description or --enable/--disable"
        )
    with org_transaction(org_slug):
        data = endpoint_data(services.update_endpoint(None, webhook_id, changes))
    _show(data, as_json, f"Webhook {webhook_id} updated")


@webhooks.command("delete")
@click.argument("webhook_id", type=click.IntRange(1))
@org_option
def delete(webhook_id: int, org_slug: str) -> None:
    """Remove an endpoint and its delivery log."""
    with org_transaction(org_slug):
        services.delete_endpoint(None, webhook_id)
    click.echo(f"deleted webhook {webhook_id}")


@webhooks.command("rotate-secret")
@click.argument("webhook_id", type=click.IntRange(1))
@org_option
@json_option
def rotate_secret(webhook_id: int, org_slug: str, as_json: bool) -> None:
    """A new signing secret (the old one also signs for 24 hours)."""
    with org_transaction(org_slug):
        data = endpoint_data(services.rotate_secret(None, webhook_id), secret=True)
    _show(data, as_json, "New secret: store it now")


@webhooks.command("test")
@click.argument("webhook_id", type=click.IntRange(1))
@org_option
@json_option
def test(webhook_id: int, org_slug: str, as_json: bool) -> None:
    """Send a 'ping' event to an endpoint."""
    with org_transaction(org_slug):
        delivery_id = services.send_test(None, webhook_id).id
    # The delivery runs after the commit (in-process without REDIS_URL): read its outcome.
    with org_transaction(org_slug):
        data = delivery_data(services.get_delivery(None, delivery_id))
    _show(data, as_json, f"Ping to webhook {webhook_id}")


@webhooks.command("deliveries")
@click.argument("webhook_id", type=click.IntRange(1))
@org_option
@click.option("--status", type=click.Choice(DELIVERY_STATUSES), help="Only this status.")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@json_option
def deliveries(
    webhook_id: int, org_slug: str, status: str | None, limit: int, as_json: bool
) -> None:
    """The delivery log of an endpoint, newest first."""
    with org_transaction(org_slug):
        page = services.list_deliveries(None, webhook_id, status=status, limit=limit)
        data = [delivery_data(d) for d in page.items]
    emit(
        data,
        as_json,
        columns=["id", "event", "status", "attempts", "answer", "ms", "error", "created"],
        rows=lambda: [
            (d["id"], d["event_type"], d["status"], d["attempts"], d["response_status"], d["duration_ms"], d["error"], d["created_at"])
            for d in data
        ],
        title=f"Deliveries of webhook {webhook_id}",
    )  # fmt: skip


@webhooks.command("replay")
@click.argument("delivery_id", type=click.IntRange(1))
@org_option
@json_option
def replay(delivery_id: int, org_slug: str, as_json: bool) -> None:
    """Deliver an event again (same event id, new delivery)."""
    with org_transaction(org_slug):
        new_id = services.replay(None, delivery_id).id
    with org_transaction(org_slug):
        data = delivery_data(services.get_delivery(None, new_id))
    _show(data, as_json, f"Replay of delivery {delivery_id}")


COMMANDS = [webhooks]
