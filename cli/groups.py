"""``engagex groups``: lists of contacts."""

from __future__ import annotations

import rich_click as click

from blueprints.contacts import services
from cli._common import emit, json_option, org_option, org_transaction


@click.group()
def groups() -> None:
    """Groups (lists) of contacts."""


def _data(group: object) -> dict[str, object]:
    return {
        "id": group.id,  # type: ignore[attr-defined]
        "name": group.name,  # type: ignore[attr-defined]
        "description": group.description,  # type: ignore[attr-defined]
        "contact_count": getattr(group, "contact_count", None),
    }


@groups.command("list")
@org_option
@json_option
def list_groups(org_slug: str, as_json: bool) -> None:
    """Every group with its number of contacts."""
    data: list[dict[str, object]] = []
    with org_transaction(org_slug):
        cursor = None
        while True:
            page = services.list_groups(None, limit=200, cursor=cursor)
            data.extend(_data(g) for g in page.items)
            if not (cursor := page.next_cursor):
                break
    emit(
        data,
        as_json,
        columns=["id", "name", "contacts", "description"],
        rows=lambda: [(d["id"], d["name"], d["contact_count"], d["description"]) for d in data],
        title="Groups",
    )


@groups.command("create")
@click.argument("name")
@org_option
@click.option("--description")
@json_option
def create(name: str, org_slug: str, description: str | None, as_json: bool) -> None:
    """Create group NAME."""
    with org_transaction(org_slug):
        data = _data(services.create_group(None, name=name, description=description))
    emit(data, as_json) if as_json else click.echo(f"created group {data['id']} {data['name']}")


@groups.command("rename")
@click.argument("group")
@click.argument("new_name")
@org_option
def rename(group: str, new_name: str, org_slug: str) -> None:
    """Rename GROUP (a name or an id) to NEW_NAME."""
    with org_transaction(org_slug):
        found = services.find_group(None, group)
        services.update_group(None, found.id, {"name": new_name})
    click.echo(f"renamed group {found.id} to {new_name}")


@groups.command("delete")
@click.argument("group")
@org_option
def delete(group: str, org_slug: str) -> None:
    """Delete GROUP; its contacts stay."""
    with org_transaction(org_slug):
        found = services.find_group(None, group)
        services.delete_group(None, found.id)
    click.echo(f"deleted group {found.id} {found.name}")


@groups.command("add")
@click.argument("group")
@click.argument("emails", nargs=-1, required=True)
@org_option
def add(group: str, emails: tuple[str, ...], org_slug: str) -> None:
    """Add existing contacts (by address) to GROUP."""
    with org_transaction(org_slug):
        found = services.find_group(None, group)
        added = services.add_to_group(None, found.id, emails=list(emails))
    click.echo(f"added {added} contact(s) to {found.name}")


@groups.command("remove")
@click.argument("group")
@click.argument("emails", nargs=-1, required=True)
@org_option
def remove(group: str, emails: tuple[str, ...], org_slug: str) -> None:
    """Remove contacts (by address) from GROUP."""
    with org_transaction(org_slug):
        found = services.find_group(None, group)
        removed = services.remove_from_group(None, found.id, emails=list(emails))
    click.echo(f"removed {removed} contact(s) from {found.name}")


COMMANDS = [groups]
