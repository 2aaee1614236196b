"""Exporting contacts to CSV and XLSX, streamed from the database in batches.

Every text cell is defused against spreadsheet formula injection (a leading ``= + - @``
TAB or CR gets an apostrophe), in both formats. Typed custom attributes keep their type
in XLSX (numbers, dates, booleans); timestamps are UTC.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from blueprints.contacts import services
from blueprints.contacts.models import Contact, ContactField, Group
from blueprints.contacts.models import GroupMember as Member
from blueprints.contacts.validation import neutralize_cell
from engagex.db import db
from engagex.permissions import Actor, require

FORMATS = ("csv", "xlsx")
BATCH = 2000
BASE_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "status",
    "source",
    "consent_at",
    "consent_ip",
    "created_at",
    "updated_at",
    "groups",
)


class Export:
    """The header and a lazily-read row iterator of one export."""

    def __init__(self, header: list[str], rows: Iterator[list[Any]]) -> None:
        self.header = header
        self.rows = rows


def _group_names(contact_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = db.session.execute(
        sa.select(Member.contact_id, Group.name)
        .join(Group, Group.id == Member.group_id)
        .where(Member.contact_id.in_(contact_ids))
        .order_by(Group.name)
    )
    for contact_id, name in rows:
        names.setdefault(contact_id, []).append(name)
    return names


def export_contacts(
    actor: Actor | None,
    *,
    group_id: int | None = None,
    segment_id: int | None = None,
    status: str | None = None,
) -> Export:
    """All live contacts, a group or a segment; the rows are read when iterated."""
    require(actor, "contacts:export")
    stmt = services.contacts_query(
        actor, group_id=group_id, segment_id=segment_id, status=status
    ).order_by(Contact.id)
    fields = list(
        db.session.execute(
            sa.select(ContactField.name, ContactField.type).order_by(ContactField.name)
        ).all()
    )
    header = [*BASE_COLUMNS, *(name for name, _ in fields)]

    def rows() -> Iterator[list[Any]]:
        batch: list[Contact] = []
        result = db.session.scalars(stmt.execution_options(yield_per=BATCH))
        for contact in result:
            batch.append(contact)
            if len(batch) == BATCH:
                yield from _rows(batch, fields)
                batch = []
        if batch:
            yield from _rows(batch, fields)

    return Export(header, rows())


def _rows(batch: list[Contact], fields: list[tuple[str, str]]) -> Iterator[list[Any]]:
    groups = _group_names([c.id for c in batch])
    for c in batch:
        attributes = c.attributes or {}
        values: list[Any] = [
            c.id,
            c.email,
            c.first_name,
            c.last_name,
            c.status,
            c.source,
            c.consent_at,
            c.consent_ip,
            c.created_at,
            c.updated_at,
            "; ".join(groups.get(c.id, [])),
        ]
        for name, kind in fields:
            value = attributes.get(name)
            if kind == "date" and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = date.fromisoformat(value)
            values.append(value)
        yield values


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralize_cell(value)


def csv_chunks(export: Export, rows_per_chunk: int = 500) -> Iterator[str]:
    """The export as CSV text, in pieces (for a streamed response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export.header)
    for count, row in enumerate(export.rows, start=1):
        writer.writerow([_csv_value(v) for v in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(export: Export, out: IO[str]) -> int:
    count = 0
    for piece in csv_chunks(export):
        out.write(piece)
        count += 1
    return count


def _xlsx_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime):
        # Excel has no time zones: timestamps are written in UTC.
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):
        # Control characters other than TAB, LF and CR cannot be stored in XLSX.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralize_cell(value)


def write_xlsx(export: Export, path: Path) -> int:
    """Write the export as a one-sheet workbook; returns the number of contacts."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Contacts")
    sheet.append(export.header)
    count = 0
    for row in export.rows:
        sheet.append([_xlsx_value(v) for v in row])
        count += 1
    book.save(path)
    return count
