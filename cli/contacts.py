"""``engagex contacts``: import, export, list, count, show, add, delete, erase; fields."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import rich_click as click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from blueprints.contacts import exporting, importing, privacy, services
from blueprints.contacts.audience import find_segment
from blueprints.contacts.mapping import parse_map_options
from blueprints.contacts.models import CONTACT_STATUSES, FIELD_TYPES, IMPORT_MODES, Import
from blueprints.contacts.progress import Combined, DatabaseProgress
from blueprints.contacts.progress import Progress as ImportProgress
from cli._common import emit, json_option, org_option, org_transaction
from engagex.errors import ValidationFailed

SHOWN_ERRORS = 20


class ImportBar(ImportProgress):
    """A rich progress bar on stderr: percent, rows read and rows/s."""

    def __init__(self, name: str) -> None:
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]:,} rows  {task.fields[rate]:,.0f} rows/s"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.bar.add_task(f"importing {name}", total=100, rows=0, rate=0.0)

    def start(self) -> None:
        self.bar.start()

    def update(self, rows: int, fraction: float | None, rate: float) -> None:
        values: dict[str, Any] = {"rows": rows, "rate": rate}
        if fraction is not None:
            values["completed"] = fraction * 100
        self.bar.update(self.task, **values)

    def close(self) -> None:
        self.bar.stop()


def import_report(record: Import, *, full_errors: bool) -> dict[str, Any]:
    """The ``--json`` summary (every rejected row when asked) and a printer for humans.

    Reads everything while ``record`` is attached to its session.
    """
    errors = list(
        importing.iter_errors(record)
        if full_errors
        else islice(importing.iter_errors(record), SHOWN_ERRORS)
    )
    summary = {
        "created": record.created,
        "updated": record.updated,
        "skipped": record.skipped,
        "invalid": record.invalid,
        "errors": errors,
    }
    title = f"Import {record.id}: {record.filename}"
    unchanged, rows, invalid = record.unchanged, record.processed_rows, record.invalid
    rate, rejected_path = record.rows_per_second or 0.0, record.rejected_path

    def show() -> None:
        console = Console()
        table = Table(title=title)
        for name in ("created", "updated", "skipped", "invalid"):
            table.add_column(name, justify="right")
        updated = f"{summary['updated']:,}" + (f" ({unchanged:,} unchanged)" if unchanged else "")
        table.add_row(f"{summary['created']:,}", updated, f"{summary['skipped']:,}", f"{invalid:,}")
        console.print(table)
        console.print(f"{rows:,} rows at {rate:,.0f} rows/s")
        if errors:
            rejected = Table(title="Rejected rows")
            for name in ("row", "field", "reason"):
                rejected.add_column(name)
            for error in errors[:SHOWN_ERRORS]:
                rejected.add_row(str(error["row"]), error["field"], error["reason"])
            console.print(rejected)
            if invalid > SHOWN_ERRORS:
                console.print(f"... and {invalid - SHOWN_ERRORS:,} more")
        if rejected_path:
            console.print(f"rejected rows: {rejected_path}")

    printer: Callable[[], None] = show
    return {"summary": summary, "print": printer}


def contact_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            c["id"],
            c["email"],
            " ".join(p for p in (c["first_name"], c["last_name"]) if p),
            c["status"],
            ",".join(map(str, c["group_ids"])),
            c["created_at"][:19],
        ]
        for c in items
    ]


@click.group()
def contacts() -> None:
    """Contacts: import and export files, list, inspect, erase."""


def _filters(group: str | None, segment: str | None, status: str | None) -> dict[str, Any]:
    return {
        "group_id": services.find_group(None, group).id if group else None,
        "segment_id": find_segment(None, segment).id if segment else None,
        "status": status,
    }


filter_options = [
    click.option("--group", metavar="NAME", help="Only this group (name or id)."),
    click.option("--segment", metavar="NAME", help="Only this segment (name or id)."),
    click.option("--status", type=click.Choice(CONTACT_STATUSES)),
]


def with_filters(func: Any) -> Any:
    for option in reversed(filter_options):
        func = option(func)
    return func


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@org_option
@click.option(
    "--group", metavar="NAME", help="Add every imported contact to this group (created if missing)."
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Map a column explicitly, e.g. email=E-mail (repeatable).",
)
@click.option("--mode", type=click.Choice(IMPORT_MODES), default="upsert", show_default=True)
@click.option(
    "--sheet", metavar="NAME|N", help="Excel sheet (name or 1-based number); default: the first."
)
@click.option("--create-fields", is_flag=True, help="Turn unmapped columns into new text fields.")
@click.option("--delimiter", metavar="CHAR", help="CSV delimiter (default: detected).")
@click.option("--encoding", metavar="NAME", help="CSV encoding (default: detected).")
@json_option
def import_file(
    file: Path,
    org_slug: str,
    group: str | None,
    maps: tuple[str, ...],
    mode: str,
    sheet: str | None,
    create_fields: bool,
    delimiter: str | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    """Import contacts from a CSV or Excel FILE (all rows apply, or none).

    Unsubscribed, bounced, complained and suppressed contacts are never resubscribed.
    Rejected rows are listed with their row number and saved as CSV.
    """
    mapping = parse_map_options(maps)
    with org_transaction(org_slug) as org:
        record = importing.create_import(
            None,
            filename=file.name,
            path=file,
            mode=mode,
            group=group,
            mapping=mapping,
            sheet=int(sheet) if sheet and sheet.isdigit() else sheet,
            create_fields=create_fields,
            delimiter=delimiter,
            encoding=encoding,
        )
        org_id, import_id = org.id, record.id
    parts = [DatabaseProgress(org_id, import_id)]
    if sys.stderr.isatty():
        parts.append(ImportBar(file.name))
    try:
        with org_transaction(org_slug):
            record = importing.run_import(None, import_id, progress=Combined(*parts))
            report = import_report(record, full_errors=as_json)
    except Exception as exc:
        message = getattr(exc, "message", None) or "internal error; nothing was applied"
        with org_transaction(org_slug):
            importing.mark_failed(import_id, message)
        raise
    if as_json:
        click.echo(json.dumps(report["summary"], indent=2))
        return
    report["print"]()


@contacts.command("export")
@org_option
@with_filters
@click.option(
    "--format", "fmt", type=click.Choice(exporting.FORMATS), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (CSV goes to stdout without it).",
)
def export(
    org_slug: str,
    group: str | None,
    segment: str | None,
    status: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Export contacts as CSV or XLSX (formula-safe)."""
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE")
    with org_transaction(org_slug):
        data = exporting.export_contacts(None, **_filters(group, segment, status))
        if fmt == "xlsx":
            assert output is not None
            count = exporting.write_xlsx(data, output)
            click.echo(f"exported {count} contacts to {output}", err=True)
        elif output is None:
            exporting.write_csv(data, sys.stdout)
        else:
            with output.open("w", newline="", encoding="utf-8") as fh:
                exporting.write_csv(data, fh)
            click.echo(f"exported contacts to {output}", err=True)


@contacts.command("list")
@org_option
@with_filters
@click.option("--search", metavar="TEXT", help="Text in the address or the name.")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@click.option("--cursor", help="next_cursor of the previous page.")
@json_option
def list_contacts(
    org_slug: str,
    group: str | None,
    segment: str | None,
    status: str | None,
    search: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """List contacts, newest first."""
    with org_transaction(org_slug):
        page = services.list_contacts(
            None, limit=limit, cursor=cursor, search=search, **_filters(group, segment, status)
        )
        items = [services_contact(c) for c in page.items]
    data = {"items": items, "next_cursor": page.next_cursor}
    emit(
        data,
        as_json,
        columns=["id", "email", "name", "status", "groups", "created"],
        rows=lambda: contact_rows(items),
        title="Contacts",
    )
    if not as_json and page.next_cursor:
        click.echo(f"more: --cursor {page.next_cursor}", err=True)


def services_contact(contact: Any) -> dict[str, Any]:
    return {
        "id": contact.id,
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "attributes": contact.attributes,
        "status": contact.status,
        "source": contact.source,
        "group_ids": getattr(contact, "group_ids", []),
        "created_at": contact.created_at.isoformat(),
    }


@contacts.command("count")
@org_option
@with_filters
@json_option
def count(
    org_slug: str, group: str | None, segment: str | None, status: str | None, as_json: bool
) -> None:
    """Count contacts (all, or a group, a segment, a status)."""
    with org_transaction(org_slug):
        total = services.count_contacts(None, **_filters(group, segment, status))
    emit({"count": total} if as_json else total, as_json)


@contacts.command("show")
@click.argument("contact")
@org_option
@json_option
def show(contact: str, org_slug: str, as_json: bool) -> None:
    """Everything held about CONTACT (an address or an id): the data subject export."""
    with org_transaction(org_slug):
        email = contact if not contact.isdigit() else services.find_contact(None, contact).email
        data = privacy.contact_data(None, email)
    if as_json:
        emit(data, True)
        return
    Console().print_json(json.dumps(data, default=str))


@contacts.command("add")
@click.argument("email")
@org_option
@click.option("--first-name")
@click.option("--last-name")
@click.option(
    "--attr",
    "attrs",
    multiple=True,
    metavar="NAME=VALUE",
    help="A custom field value (repeatable).",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME",
    help="Add to this group, created if missing (repeatable).",
)
@click.option("--status", type=click.Choice(CONTACT_STATUSES))
@json_option
def add(
    email: str,
    org_slug: str,
    first_name: str | None,
    last_name: str | None,
    attrs: tuple[str, ...],
    groups: tuple[str, ...],
    status: str | None,
    as_json: bool,
) -> None:
    """Create one contact."""
    attributes = dict(a.partition("=")[::2] for a in attrs)
    with org_transaction(org_slug):
        group_ids = [services.get_or_create_group(None, g).id for g in groups]
        data: dict[str, Any] = {"email": email, "group_ids": group_ids, "attributes": attributes}
        for key, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("status", status),
        ):
            if value is not None:
                data[key] = value
        created = services.create_contact(None, data, source="cli")
        result = services_contact(services.with_group_ids([created])[0])
    emit(result, as_json) if as_json else click.echo(
        f"created contact {result['id']} {result['email']}"
    )


@contacts.command("delete")
@click.argument("contact")
@org_option
def delete(contact: str, org_slug: str) -> None:
    """Delete CONTACT (an address or an id); its data stays until erased."""
    with org_transaction(org_slug):
        found = services.find_contact(None, contact)
        services.delete_contact(None, found.id)
    click.echo(f"deleted contact {found.id} {found.email}")


@contacts.command("erase")
@click.argument("email")
@org_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
def erase(email: str, org_slug: str, yes: bool, as_json: bool) -> None:
    """Erase every piece of personal data held about EMAIL (cannot be undone)."""
    if not yes:
        click.confirm(f"Erase all data about {email} in {org_slug}?", abort=True, err=True)
    with org_transaction(org_slug):
        result = privacy.erase_contact(None, email)
    if as_json:
        emit(result, True)
    else:
        click.echo(
            f"erased: {result['contacts']} contact(s), {result['suppressions']} suppression(s), "
            f"{result['rejected_rows']} rejected import row(s)"
        )


@contacts.group("fields")
def fields() -> None:
    """Custom fields: typed attributes used by imports and segments."""


@fields.command("list")
@org_option
@json_option
def list_fields(org_slug: str, as_json: bool) -> None:
    with org_transaction(org_slug):
        data = [
            {"id": f.id, "name": f.name, "type": f.type, "label": f.label}
            for f in services.list_fields(None)
        ]
    emit(
        data,
        as_json,
        columns=["id", "name", "type", "label"],
        rows=lambda: [list(d.values()) for d in data],
        title="Custom fields",
    )


@fields.command("add")
@click.argument("name")
@org_option
@click.option("--type", "kind", type=click.Choice(FIELD_TYPES), default="text", show_default=True)
@click.option("--label")
@json_option
def add_field(name: str, org_slug: str, kind: str, label: str | None, as_json: bool) -> None:
    """Define custom field NAME."""
    with org_transaction(org_slug):
        created = services.create_field(None, name=name, type=kind, label=label)
        data = {
            "id": created.id,
            "name": created.name,
            "type": created.type,
            "label": created.label,
        }
    emit(data, as_json) if as_json else click.echo(f"created field {name} ({kind})")


@fields.command("remove")
@click.argument("name")
@org_option
def remove_field(name: str, org_slug: str) -> None:
    """Delete custom field NAME and its values on every contact."""
    with org_transaction(org_slug):
        match = [f for f in services.list_fields(None) if f.name == name]
        if not match:
            raise ValidationFailed(f"no custom field named {name!r}")
        services.delete_field(None, match[0].id)
    click.echo(f"removed field {name}")


COMMANDS = [contacts]
