"""Validating import rows a chunk at a time, column by column.

Each column is checked with list comprehensions over C-level string methods for the
common shape, falling back to the full rules (which word the problem) only for the
cells that need them. A row is rejected with its first problem, in column order: the
address first. In-file duplicates are checked last, in row order, among valid rows.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blueprints.contacts.mapping import Plan
from blueprints.contacts.readers import RawChunk
from blueprints.contacts.validation import (
    NAME_MAX,
    EmailNormalizer,
    InvalidValue,
    clean_consent_at,
    clean_ip,
    clean_name,
    clean_status,
    parse_cells,
)

SEEN_IN_MEMORY = 1_000_000

Reject = tuple[int, str, str, list[str]]
"""(row number, field, reason, the row's cells)."""


class SeenAddresses:
    """The first row of every address seen so far, for the in-file duplicate check.

    Up to ``limit`` addresses live in a dict; later ones go to a temporary SQLite file
    so that a file of any size fits in bounded memory.
    """

    def __init__(self, limit: int = SEEN_IN_MEMORY) -> None:
        self.memory: dict[str, int] = {}
        self._limit = limit
        self._disk: sqlite3.Connection | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    def has_room(self, count: int) -> bool:
        """Whether ``count`` more addresses fit in memory (nothing has spilled yet)."""
        return self._disk is None and len(self.memory) + count <= self._limit

    def first_row(self, address: str, row: int) -> int | None:
        """The row where ``address`` was first seen, or None (and remember this one)."""
        first = self.memory.get(address)
        if first is not None:
            return first
        if self._disk is not None:
            hit = self._disk.execute(
                "SELECT row FROM seen WHERE address = ?", (address,)
            ).fetchone()
            if hit:
                return int(hit[0])
        if len(self.memory) < self._limit:
            self.memory[address] = row
            return None
        if self._disk is None:
            self._dir = tempfile.TemporaryDirectory(prefix="engagex-import-")
            self._disk = sqlite3.connect(Path(self._dir.name) / "seen.db")
            self._disk.execute("PRAGMA journal_mode = OFF")
            self._disk.execute("PRAGMA synchronous = OFF")
            self._disk.execute(
                "CREATE TABLE seen (address TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID"
            )
        self._disk.execute("INSERT INTO seen VALUES (?, ?)", (address, row))
        return None

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
        if self._dir is not None:
            self._dir.cleanup()
        self.memory.clear()


@dataclass
class Checked:
    """A validated chunk: columns of its valid rows and its rejected rows."""

    columns: dict[str, list[Any]]
    valid: int
    rows: int
    rejects: list[Reject]
    fraction: float | None
    prepared: Any = None


def _names(cells: Sequence[str], label: str, bad: dict[int, tuple[str, str]]) -> list[Any]:
    values = [cell.strip() or None for cell in cells]
    if "\x00" in "".join(cells) or max(map(len, cells), default=0) > NAME_MAX:
        return _each(cells, lambda cell: clean_name(cell, label), label, bad)
    return values


def _each(
    cells: Sequence[str],
    clean: Callable[[str], Any],
    label: str,
    bad: dict[int, tuple[str, str]],
) -> list[Any]:
    values: list[Any] = []
    for index, cell in enumerate(cells):
        try:
            values.append(clean(cell))
        except InvalidValue as exc:
            values.append(None)
            bad.setdefault(index, (label, str(exc)))
    return values


_OTHER_BUILTINS: dict[str, Callable[[str], Any]] = {
    "status": clean_status,
    "consent_at": clean_consent_at,
    "consent_ip": clean_ip,
}


def check_chunk(
    raw: RawChunk, plan: Plan, normalizer: EmailNormalizer, seen: SeenAddresses
) -> Checked:
    """Validate one chunk; ``columns`` holds the valid rows of every mapped field."""
    count = len(raw.rows)
    by_column = list(zip(*raw.rows, strict=True)) if count else []
    bad: dict[int, tuple[str, str]] = {}
    blank: set[int] = set()
    columns: dict[str, list[Any]] = {}
    if count:
        emails, problems = normalizer.column(by_column[plan.builtins["email"]])
        for index, reason in problems:
            if not "".join(raw.rows[index]).strip():
                blank.add(index)  # a row of spaces is an empty row, not an error
            else:
                bad.setdefault(index, ("email", reason))
        columns["email"] = emails
        for name, index in plan.builtins.items():
            if name in ("first_name", "last_name"):
                columns[name] = _names(by_column[index], name, bad)
            elif name != "email":
                columns[name] = _each(by_column[index], _OTHER_BUILTINS[name], name, bad)
        for position, (name, kind, index) in enumerate(plan.attributes):
            values, problems = parse_cells(name, kind, by_column[index])
            for row_index, reason in problems:
                bad.setdefault(row_index, (name, reason))
            columns[f"a{position}"] = values
    else:
        columns = {name: [] for name in plan.builtins}
        columns.update({f"a{i}": [] for i in range(len(plan.attributes))})
    numbers, skip = raw.row_numbers, bad.keys() | blank
    if seen.has_room(count):
        remember = seen.memory.setdefault  # the common case: one dictionary operation a row
        for index, address in enumerate(columns["email"]):
            if index not in skip and (first := remember(address, numbers[index])) != numbers[index]:
                bad[index] = ("email", f"duplicate of row {first}")
    else:
        for index, address in enumerate(columns["email"]):
            if index not in skip and (first := seen.first_row(address, numbers[index])):
                bad[index] = ("email", f"duplicate of row {first}")
    if bad or blank:
        keep = [i for i in range(count) if i not in bad and i not in blank]
        valid = {name: [values[i] for i in keep] for name, values in columns.items()}
        valid["row_no"] = [numbers[i] for i in keep]
    else:
        valid, keep = columns, numbers
        valid["row_no"] = list(numbers)
    rejects: list[Reject] = [
        (numbers[i], field_name, reason, raw.rows[i]) for i, (field_name, reason) in bad.items()
    ]
    rejects.extend((row, "row", reason, cells) for row, cells, reason in raw.problems)
    rejects.sort(key=lambda item: item[0])
    return Checked(valid, len(keep), count - len(blank) + len(raw.problems), rejects, raw.fraction)
