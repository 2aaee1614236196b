"""``engagex notifications``: read a member's notifications from the terminal."""

from __future__ import annotations

import rich_click as click

from blueprints.notifications import services
from cli._common import emit, json_option, org_option, org_transaction


@click.group()
def notifications() -> None:
    """In-app notifications of members."""


@notifications.command("list")
@org_option
@click.option("--user", "email", required=True, metavar="EMAIL", help="The member.")
@click.option("--unread", is_flag=True, help="Only unread notifications.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200))
@json_option
def list_notifications(org_slug: str, email: str, unread: bool, limit: int, as_json: bool) -> None:
    """List the notifications of member EMAIL, newest first."""
    with org_transaction(org_slug) as org:
        actor = services.member_actor(org.id, email)
        page = services.list_notifications(actor, unread_only=unread, limit=limit)
        data = [
            {
                "id": n.id,
                "type": n.type,
                "title": n.title,
                "link": n.link,
                "read": n.read_at is not None,
                "created_at": n.created_at.isoformat(),
            }
            for n in page.items
        ]
    emit(
        data,
        as_json,
        columns=["id", "when", "type", "title", "read"],
        rows=lambda: [
            (
                d["id"],
                d["created_at"][:16].replace("T", " "),
                d["type"],
                d["title"],
                "" if d["read"] else "unread",
            )
            for d in data
        ],
        title=f"Notifications of {email}",
    )


COMMANDS = [notifications]
