"""``engagex suppressions``: addresses and domains never sent to."""

from __future__ import annotations

from pathlib import Path

import rich_click as click
import sqlalchemy as sa

from blueprints.contacts import audience
from blueprints.contacts.models import SUPPRESSION_REASONS, Suppression
from cli._common import emit, json_option, org_option, org_transaction
from engagex.db import db
from engagex.errors import NotFound

reason_option = click.option(
    "--reason", type=click.Choice(SUPPRESSION_REASONS), default=None, help="Why it is suppressed."
)


HEADERS = {"email", "e-mail", "email address", "address", "domain", "value"}


@click.group()
def suppressions() -> None:
    """The suppression list: addresses and whole domains that are never sent to."""


@suppressions.command("list")
@org_option
@click.option("--kind", type=click.Choice(("email", "domain")))
@click.option("--search", metavar="TEXT")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@click.option("--cursor")
@json_option
def list_suppressions(
    org_slug: str,
    kind: str | None,
    search: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    with org_transaction(org_slug):
        page = audience.list_suppressions(
            None, limit=limit, cursor=cursor, kind=kind, search=search
        )
        items = [
            {
                "id": s.id,
                "kind": s.kind,
                "value": s.value,
                "reason": s.reason,
                "note": s.note,
                "created_at": s.created_at.isoformat(),
            }
            for s in page.items
        ]
    emit(
        {"items": items, "next_cursor": page.next_cursor},
        as_json,
        columns=["id", "kind", "value", "reason", "created"],
        rows=lambda: [
            (i["id"], i["kind"], i["value"], i["reason"], i["created_at"][:19]) for i in items
        ],
        title="Suppressions",
    )


@suppressions.command("add")
@click.argument("value")
@org_option
@reason_option
@click.option("--note")
@json_option
def add(value: str, org_slug: str, reason: str | None, note: str | None, as_json: bool) -> None:
    """Suppress VALUE: an address (a@b.example) or a whole domain (b.example)."""
    with org_transaction(org_slug):
        entry = audience.add_suppression(None, value, reason=reason or "manual", note=note)
        data = {"id": entry.id, "kind": entry.kind, "value": entry.value, "reason": entry.reason}
    emit(data, as_json) if as_json else click.echo(f"suppressed {data['kind']} {data['value']}")


@suppressions.command("remove")
@click.argument("value")
@org_option
def remove(value: str, org_slug: str) -> None:
    """Lift the suppression of VALUE."""
    with org_transaction(org_slug):
        _, normalized = audience.parse_suppression(value)
        entry = db.session.scalars(
            sa.select(Suppression).where(Suppression.value == normalized)
        ).first()
        if entry is None:
            raise NotFound(f"{normalized} is not suppressed")
        audience.remove_suppression(None, entry.id)
    click.echo(f"removed {normalized} from the suppression list")


@suppressions.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@org_option
@reason_option
@json_option
def import_file(file: Path, org_slug: str, reason: str | None, as_json: bool) -> None:
    """Suppress every address or domain in FILE (one per line; the first CSV column counts)."""
    lines = [
        line.split(",")[0].split(";")[0].strip().strip('"')
        for line in file.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    ]
    if lines and lines[0].lower() in HEADERS:
        lines[0] = ""  # a header row, not a value
    with org_transaction(org_slug):
        result = audience.import_suppressions(None, lines, reason=reason or "import")
    if as_json:
        emit(result, True)
        return
    click.echo(
        f"added {result['added']}, already suppressed {result['existing']}, "
        f"invalid {len(result['invalid'])}"
    )
    for problem in result["invalid"][:20]:
        click.echo(f"  line {problem['line']}: {problem['reason']}", err=True)


COMMANDS = [suppressions]
