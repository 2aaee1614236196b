"""``engagex segments``: saved condition trees over contacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import rich_click as click

from blueprints.contacts import audience
from cli._common import emit, json_option, org_option, org_transaction
from engagex.errors import ValidationFailed


@click.group()
def segments() -> None:
    """Segments: saved queries over contacts (see docs/contacts.md for the language)."""


def _definition(raw: str) -> Any:
    """JSON text, or ``@FILE`` holding it."""
    text = Path(raw[1:]).read_text(encoding="utf-8") if raw.startswith("@") else raw
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(f"the definition is not valid JSON ({exc})") from exc


def _data(segment: Any) -> dict[str, Any]:
    return {
        "id": segment.id,
        "name": segment.name,
        "description": segment.description,
        "definition": segment.definition,
    }


@segments.command("list")
@org_option
@json_option
def list_segments(org_slug: str, as_json: bool) -> None:
    data: list[dict[str, Any]] = []
    with org_transaction(org_slug):
        cursor = None
        while True:
            page = audience.list_segments(None, limit=200, cursor=cursor)
            data.extend(_data(s) for s in page.items)
            if not (cursor := page.next_cursor):
                break
    emit(
        data,
        as_json,
        columns=["id", "name", "definition"],
        rows=lambda: [(d["id"], d["name"], json.dumps(d["definition"])) for d in data],
        title="Segments",
    )


@segments.command("create")
@click.argument("name")
@org_option
@click.option("--definition", required=True, metavar="JSON|@FILE", help="The condition tree.")
@click.option("--description")
@json_option
def create(
    name: str, org_slug: str, definition: str, description: str | None, as_json: bool
) -> None:
    """Save segment NAME, e.g. --definition '{"field": "status", "op": "eq", "value": "subscribed"}'."""
    with org_transaction(org_slug):
        segment = audience.create_segment(
            None, name=name, definition=_definition(definition), description=description
        )
        data = _data(segment)
        data["count"] = audience.count_matching(None, segment.definition)
    if as_json:
        emit(data, True)
    else:
        click.echo(f"created segment {data['id']} {data['name']} ({data['count']} contacts)")


@segments.command("count")
@click.argument("segment", required=False)
@org_option
@click.option("--definition", metavar="JSON|@FILE", help="Count an unsaved definition instead.")
@json_option
def count(segment: str | None, org_slug: str, definition: str | None, as_json: bool) -> None:
    """How many contacts SEGMENT (a name or an id) matches."""
    if (segment is None) == (definition is None):
        raise click.UsageError("give a SEGMENT or --definition")
    with org_transaction(org_slug):
        tree = (
            _definition(definition)
            if definition is not None
            else audience.find_segment(None, segment or "").definition
        )
        total = audience.count_matching(None, tree)
    emit({"count": total} if as_json else total, as_json)


@segments.command("preview")
@click.argument("segment")
@org_option
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@json_option
def preview(segment: str, org_slug: str, limit: int, as_json: bool) -> None:
    """The newest contacts SEGMENT matches."""
    with org_transaction(org_slug):
        found = audience.find_segment(None, segment)
        page = audience.preview_matching(None, found.definition, limit=limit)
        items = [
            {
                "id": c.id,
                "email": c.email,
                "first_name": c.first_name,
                "last_name": c.last_name,
                "status": c.status,
                "attributes": c.attributes,
            }
            for c in page.items
        ]
    emit(
        {"items": items, "next_cursor": page.next_cursor},
        as_json,
        columns=["id", "email", "name", "status"],
        rows=lambda: [
            (
                i["id"],
                i["email"],
                " ".join(filter(None, (i["first_name"], i["last_name"]))),
                i["status"],
            )
            for i in items
        ],
        title=f"Segment {found.name}",
    )


@segments.command("delete")
@click.argument("segment")
@org_option
def delete(segment: str, org_slug: str) -> None:
    with org_transaction(org_slug):
        found = audience.find_segment(None, segment)
        audience.delete_segment(None, found.id)
    click.echo(f"deleted segment {found.id} {found.name}")


COMMANDS = [segments]
