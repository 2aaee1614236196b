"""Reading import files: CSV (any common delimiter and encoding) and Excel, in chunks.

A ``Source`` detects what it can before the first row is read (format, encoding,
delimiter, header) and then yields ``RawChunk`` values: padded rows of text cells with
the spreadsheet row number of each (the header is row 1; a quoted field spanning lines
is one row, blank lines count, as in a spreadsheet), plus rows rejected for their shape.

CSV is read with the standard library's C parser in strict mode: a malformed file (an
unclosed quote, text after a closing quote) stops the import with the row number rather
than silently merging rows. Encodings: a BOM decides (UTF-8, UTF-16, UTF-32); otherwise
UTF-16 without a BOM is recognised by its NUL bytes, the whole file is checked as
UTF-8, and anything else is Windows-1252 (Latin-1 when it has bytes 1252 leaves undefined).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

from engagex.errors import ValidationFailed

DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 256 * 1024
FIELD_LIMIT = 1024 * 1024  # one cell; a larger one is a broken quote, not data
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


class ImportFileError(ValidationFailed):
    """The file cannot be read as a table; nothing is imported."""

    code = "invalid_file"


@dataclass
class RawChunk:
    rows: list[list[str]]
    row_numbers: list[int]
    problems: list[tuple[int, list[str], str]] = field(default_factory=list)
    """Rows rejected for their shape: (row number, cells, reason)."""
    fraction: float | None = None
    """How far into the file this chunk ends (0..1), when the size is known."""


def detect_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return name
    if head and head.count(0) > len(head) // 4:
        odd_zeros = head[1::2].count(0)
        return "utf-16-le" if odd_zeros > head[0::2].count(0) else "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while block := fh.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        undefined = False
        while not undefined and (block := fh.read(1024 * 1024)):
            undefined = _CP1252_UNDEFINED.search(block) is not None
    return "latin-1" if undefined else "cp1252"


def detect_delimiter(sample: str) -> str:
    """The candidate that splits the first records most consistently into most fields."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= SNIFF_BYTES // 2 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    text = "".join(lines)
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r][:50]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def is_xlsx(path: Path) -> bool:
    return zipfile.is_zipfile(path)


class Source:
    """An import file opened for reading; ``headers`` is known after construction."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    headers: list[str]

    def chunks(self, size: int) -> Iterator[RawChunk]:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""

    @staticmethod
    def open(
        path: Path,
        *,
        sheet: str | int | None = None,
        delimiter: str | None = None,
        encoding: str | None = None,
    ) -> Source:
        if not path.is_file():
            raise ImportFileError(f"no such file: {path.name}")
        if is_xlsx(path):
            return XlsxSource(path, sheet)
        with path.open("rb") as fh:
            if fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
                raise ImportFileError(
                    "old Excel (.xls) files are not supported; save it as .xlsx or CSV"
                )
        if sheet is not None:
            raise ImportFileError("--sheet applies to Excel files only; this file is CSV")
        return CsvSource(path, delimiter=delimiter, encoding=encoding)


def _shape(
    cells: list[str], width: int, number: int, problems: list[tuple[int, list[str], str]]
) -> list[str] | None:
    """Pad short rows; reject a row with more non-empty cells than the header has columns."""
    if len(cells) == width:
        return cells
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    if any(c.strip() for c in cells[width:]):
        problems.append((number, cells, f"has {len(cells)} cells but the header has {width}"))
        return None
    return cells[:width]


class CsvSource(Source):
    format = "csv"

    def __init__(
        self, path: Path, *, delimiter: str | None = None, encoding: str | None = None
    ) -> None:
        self.path = path
        self.total = path.stat().st_size
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError as exc:
                raise ImportFileError(f"unknown encoding {encoding!r}") from exc
        self.encoding = encoding or detect_encoding(path)
        with path.open("rb") as fh:
            sample = fh.read(SNIFF_BYTES).decode(self.encoding, errors="ignore")
        if delimiter is not None and len(delimiter) != 1:
            raise ImportFileError("the delimiter must be a single character")
        self.delimiter = delimiter or detect_delimiter(sample)
        self._raw = path.open("rb")
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, newline="")
        csv.field_size_limit(FIELD_LIMIT)
        self._reader = csv.reader(self._text, delimiter=self.delimiter, strict=True)
        self._row = 0
        header = None
        while header is None:
            cells = self._next()
            if cells is None:
                raise ImportFileError("the file has no header row")
            if any(c.strip() for c in cells):
                header = cells
        self.headers = [h.strip() for h in header]

    def _next(self) -> list[str] | None:
        try:
            cells = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise ImportFileError(
                f"row {self._row + 1} is not valid CSV ({exc}); nothing was imported"
            ) from exc
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"row {self._row + 1} cannot be decoded as {self.encoding}; nothing was imported"
            ) from exc
        self._row += 1
        return cells

    def chunks(self, size: int) -> Iterator[RawChunk]:
        width = len(self.headers)
        number = self._row
        while True:
            try:
                # islice/list keep the per-row work in C; rows are checked per column later.
                batch = list(islice(self._reader, size))
            except csv.Error as exc:
                raise ImportFileError(
                    f"the file is not valid CSV at line {self._reader.line_num} ({exc}); "
                    "nothing was imported"
                ) from exc
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"the file cannot be decoded as {self.encoding} after line "
                    f"{self._reader.line_num}; nothing was imported"
                ) from exc
            if not batch:
                break
            numbers = list(range(number + 1, number + 1 + len(batch)))
            number += len(batch)
            chunk = RawChunk(batch, numbers)
            irregular = [i for i, cells in enumerate(batch) if len(cells) != width]
            if irregular:
                chunk.rows, chunk.row_numbers = [], []
                for i, cells in enumerate(batch):
                    if len(cells) != width:
                        if not any(c.strip() for c in cells):
                            continue  # a blank line
                        cells = _shape(cells, width, numbers[i], chunk.problems)
                        if cells is None:
                            continue
                    chunk.rows.append(cells)
                    chunk.row_numbers.append(numbers[i])
            chunk.fraction = min(self._raw.tell() / self.total, 1.0) if self.total else 1.0
            yield chunk

    def close(self) -> None:
        self._text.close()


def cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold (dates in ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


class XlsxSource(Source):
    format = "xlsx"

    def __init__(self, path: Path, sheet: str | int | None) -> None:
        import openpyxl

        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken archive
            raise ImportFileError(f"the file is not a readable Excel workbook ({exc})") from exc
        names = self._book.sheetnames
        if sheet is None:
            chosen = names[0]
        elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
            index = int(sheet) - 1
            if not 0 <= index < len(names):
                raise ImportFileError(f"the workbook has {len(names)} sheet(s): {', '.join(names)}")
            chosen = names[index]
        elif sheet in names:
            chosen = sheet
        else:
            raise ImportFileError(f"no sheet named {sheet!r}; sheets: {', '.join(names)}")
        self.sheet = chosen
        self._sheet = self._book[chosen]
        self._max_row = self._sheet.max_row
        self._rows = enumerate(self._sheet.iter_rows(values_only=True), start=1)
        header = None
        for _number, values in self._rows:
            cells = [cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                header = cells
                break
        if header is None:
            self.close()
            raise ImportFileError(f"the sheet {chosen!r} has no header row")
        while header and not header[-1].strip():
            header.pop()
        self.headers = [h.strip() for h in header]

    def chunks(self, size: int) -> Iterator[RawChunk]:
        width = len(self.headers)
        chunk = RawChunk([], [])
        number = 0
        for number, values in self._rows:
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            shaped = _shape(cells, width, number, chunk.problems)
            if shaped is not None:
                chunk.rows.append(shaped)
                chunk.row_numbers.append(number)
            if len(chunk.rows) + len(chunk.problems) >= size:
                if self._max_row:
                    chunk.fraction = min(number / self._max_row, 1.0)
                yield chunk
                chunk = RawChunk([], [])
        chunk.fraction = 1.0
        yield chunk

    def close(self) -> None:
        self._book.close()
