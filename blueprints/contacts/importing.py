"""Importing contacts from CSV and Excel files: the service behind the job and the CLI.

``create_import`` records an import (and stores an uploaded file where a worker can read
it); ``run_import`` applies it inside the caller's transaction, so the whole file is
applied or none of it. Reading and validating run in a thread that stays up to two
chunks ahead of the database (``blueprints.contacts.staging``), so parsing overlaps
with the server's work. Memory stays bounded: chunks are released once applied, and
the in-file duplicate check keeps at most ``checking.SEEN_IN_MEMORY`` addresses in memory before
it spills to a temporary SQLite file.

Row numbers are spreadsheet row numbers (the header is row 1). A rejected row is
reported with its first problem; the full list is ``rejected.csv`` next to the upload.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import logging
import queue
import shutil
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from blueprints.contacts import services
from blueprints.contacts.checking import Reject, SeenAddresses, check_chunk
from blueprints.contacts.mapping import Plan, resolve
from blueprints.contacts.models import IMPORT_MODES, Import
from blueprints.contacts.progress import Progress
from blueprints.contacts.readers import Source
from blueprints.contacts.signals import import_completed
from blueprints.contacts.staging import ConcurrentWrite, Counts, Stage
from blueprints.contacts.storage import import_dir, remove_quietly
from blueprints.contacts.validation import EmailNormalizer, neutralize_cell
from engagex.api import Page, keyset_page
from engagex.db import as_utc, db, utcnow
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

log = logging.getLogger(__name__)

CHUNK_ROWS = 25_000
_SWITCH_INTERVAL = 0.0005
ERROR_SAMPLE = 100


class RejectedRows:
    """Writes rejected rows to CSV (formula-safe) and keeps the first few for the API."""

    def __init__(self, path: Path, headers: list[str]) -> None:
        self.path = path
        self.headers = headers
        self.count = 0
        self.sample: list[dict[str, Any]] = []
        self._file: IO[str] | None = None
        self._writer: Any = None

    def write(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._file)
            self._writer.writerow(["row", "field", "reason", *self.headers])
        for row, field_name, reason, cells in rejects:
            self.count += 1
            if len(self.sample) < ERROR_SAMPLE:
                self.sample.append({"row": row, "field": field_name, "reason": reason})
            # Reasons start with a letter (our own text); cells are the user's data.
            self._writer.writerow([row, field_name, reason, *map(neutralize_cell, cells)])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass
class _Failure:
    error: BaseException


_DONE = object()


@dataclass
class Outcome:
    counts: Counts = field(default_factory=Counts)
    invalid: int = 0
    rows: int = 0


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while chunks are built.

    A chunk is tens of thousands of small lists that live until applied; each collection
    walks them all, which costs about a third of the parsing time. The import creates no
    reference cycles, so nothing is left for the collector to find.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _switching_often() -> Iterator[None]:
    """Have the reader thread hand the interpreter back sooner than every 5 ms.

    The applying thread mostly waits on the server; each time an answer arrives it needs
    the interpreter lock, which the busy reader would otherwise hold for a whole switch
    interval: several times per chunk, a tenth of an import.
    """
    interval = sys.getswitchinterval()
    if interval <= _SWITCH_INTERVAL:  # another import in this process already set it
        yield
        return
    sys.setswitchinterval(_SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _pipeline(
    source: Source, plan: Plan, stage: Stage, rejected: RejectedRows, progress: Progress
) -> Outcome:
    """Read and validate in a thread, apply in this one (which owns the transaction)."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()
    normalizer, seen = EmailNormalizer(), SeenAddresses()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for raw in source.chunks(CHUNK_ROWS):
                if stop.is_set():
                    return
                checked = check_chunk(raw, plan, normalizer, seen)
                checked.prepared = stage.prepare(checked.columns)
                put(checked)
            put(_DONE)
        except BaseException as exc:  # handed to the applying thread, which raises it
            put(_Failure(exc))

    reader = threading.Thread(target=produce, name="contacts-import-reader", daemon=True)
    outcome = Outcome()
    started = time.monotonic()
    reader.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.error
            outcome.counts.add(stage.apply(item.prepared, item.valid))
            rejected.write(item.rejects)
            outcome.invalid += len(item.rejects)
            outcome.rows += item.rows
            elapsed = max(time.monotonic() - started, 1e-6)
            fraction = None if item.fraction is None else item.fraction * stage.weight
            progress.update(outcome.rows, fraction, outcome.rows / elapsed)
    finally:
        stop.set()
        while True:
            try:
                handoff.get_nowait()
            except queue.Empty:
                break
        reader.join()
        seen.close()
    outcome.counts.add(stage.finish())
    return outcome


# --- services ---------------------------------------------------------------------------


def _check_options(mode: str, mapping: object, sheet: object) -> None:
    if mode not in IMPORT_MODES:
        raise ValidationFailed(
            f"mode must be one of {', '.join(IMPORT_MODES)}", code="invalid_mode"
        )
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ValidationFailed(
            "mapping must map field names to column names", code="invalid_mapping"
        )
    if sheet is not None and not isinstance(sheet, str | int):
        raise ValidationFailed("sheet must be a name or a 1-based number", code="invalid_value")


def create_import(
    actor: Actor | None,
    *,
    filename: str,
    path: Path | None = None,
    upload: IO[bytes] | None = None,
    mode: str = "upsert",
    group: int | str | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | int | None = None,
    create_fields: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Import:
    """Record an import of a local ``path`` (CLI) or of an ``upload`` stored now (API).

    ``group`` (an id, or a name created if missing) receives every imported contact.
    """
    require(actor, "contacts:import")
    mapping = mapping or {}
    _check_options(mode, mapping, sheet)
    group_id = None
    if isinstance(group, int):
        group_id = services.get_group(actor, group).id
    elif isinstance(group, str) and group.strip():
        group_id = services.get_or_create_group(None, group).id
    name = Path(filename or "upload").name[:255] or "upload"
    record = Import(
        status="pending",
        mode=mode,
        filename=name,
        group_id=group_id,
        options={
            "mapping": mapping,
            "sheet": sheet,
            "create_fields": bool(create_fields),
            "delimiter": delimiter,
            "encoding": encoding,
            "stored": upload is not None,
        },
    )
    db.session.add(record)
    db.session.flush()
    if upload is not None:
        target = import_dir(record) / ("upload" + Path(name).suffix.lower()[:8])
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(upload, out, 1024 * 1024)
        record.path = str(target)
    elif path is not None:
        record.path = str(Path(path).resolve())
    else:
        raise ValidationFailed("no file to import", code="invalid_file")
    record.total_bytes = Path(record.path).stat().st_size if Path(record.path).is_file() else None
    db.session.flush()
    return record


def get_import(actor: Actor | None, import_id: int) -> Import:
    require(actor, "contacts:read")
    found = db.session.get(Import, import_id)
    if found is None or found.organization_id != require_org_id():
        raise NotFound(f"import {import_id} not found", code="import_not_found")
    return found


def _open_source(record: Import) -> Source:
    options = record.options or {}
    return Source.open(
        Path(record.path or ""),
        sheet=options.get("sheet"),
        delimiter=options.get("delimiter"),
        encoding=options.get("encoding"),
    )


def run_import(actor: Actor | None, import_id: int, progress: Progress | None = None) -> Import:
    """Apply a pending import in the current transaction and record its outcome.

    Raises ``ValidationFailed`` for a file that cannot be read or mapped (nothing is
    applied); the caller rolls back and calls ``mark_failed``.
    """
    require(actor, "contacts:import")
    record = get_import(actor, import_id)
    if record.status != "pending":
        raise Conflict(f"import {import_id} is {record.status}, not pending", code="not_pending")
    progress = progress or Progress()
    started, started_at = time.monotonic(), utcnow()
    progress.start()
    options = record.options or {}
    source = _open_source(record)
    rejected = RejectedRows(import_dir(record) / "rejected.csv", source.headers)
    try:
        plan = resolve(
            source.headers,
            options.get("mapping") or {},
            services.field_types(),
            create_fields=bool(options.get("create_fields")),
        )
        stage = Stage.for_session(
            require_org_id(),
            record.mode,
            list(plan.builtins),
            [(name, kind) for name, kind, _ in plan.attributes],
            record.group_id,
        )
        stage.open()
        with _collector_paused(), _switching_often():
            if not stage.optimistic:
                outcome = _pipeline(source, plan, stage, rejected, progress)
            else:
                attempt = db.session.begin_nested()
                db.session.connection()  # emits the SAVEPOINT now, before the raw cursor's work
                try:
                    outcome = _pipeline(source, plan, stage, rejected, progress)
                    attempt.commit()
                except ConcurrentWrite:
                    # Someone added one of the file's addresses meanwhile: all of it again,
                    # merging with what is there now.
                    log.info("import %s met a concurrent write; applying it again", import_id)
                    attempt.rollback()
                    source.close()
                    rejected.close()
                    source = _open_source(record)
                    rejected = RejectedRows(rejected.path, source.headers)
                    stage.open(optimistic=False)
                    outcome = _pipeline(source, plan, stage, rejected, progress)
        # After the rows: on SQLite, a write to a shared table locks the progress writer
        # out until the commit, and the stage writes to them only at its very end.
        for name in plan.new_fields:
            services.create_field(None, name=name, type="text")
    except BaseException:
        rejected.close()
        remove_quietly(rejected.path)
        raise
    finally:
        source.close()
        progress.close()
    rejected.close()
    elapsed = max(time.monotonic() - started, 1e-6)
    counts = outcome.counts
    record.status = "completed"
    record.file_format, record.encoding = source.format, source.encoding
    record.delimiter, record.columns = source.delimiter, plan.describe(source.headers)
    if source.sheet:
        record.options = {**options, "sheet": source.sheet}
    record.created, record.updated, record.unchanged = (
        counts.created,
        counts.updated,
        counts.unchanged,
    )
    record.skipped, record.invalid = counts.skipped, outcome.invalid
    record.errors = rejected.sample
    record.rejected_path = str(rejected.path) if rejected.count else None
    record.processed_rows, record.progress = outcome.rows, 100.0
    record.rows_per_second = outcome.rows / elapsed
    record.started_at, record.finished_at = started_at, utcnow()
    db.session.flush()
    if options.get("stored"):
        remove_quietly(Path(record.path or ""))
    import_completed.send(
        Import,
        org_id=record.organization_id,
        import_id=record.id,
        created=counts.created,
        updated=counts.updated,
    )
    return record


def mark_failed(import_id: int, message: str) -> Import:
    """Record that an import applied nothing and why (its uploaded file is removed)."""
    record = db.session.get(Import, import_id)
    if record is None or record.organization_id != require_org_id():
        raise LookupError(import_id)
    record.status, record.error = "failed", message[:2000]
    record.finished_at = utcnow()
    if (record.options or {}).get("stored"):
        remove_quietly(Path(record.path or ""))
    db.session.flush()
    return record


def iter_errors(record: Import) -> Iterator[dict[str, Any]]:
    """Every rejected row of a completed import (row, field, reason)."""
    if not record.rejected_path or not Path(record.rejected_path).is_file():
        yield from record.errors or []
        return
    with Path(record.rejected_path).open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for cells in reader:
            yield {"row": int(cells[0]), "field": cells[1], "reason": cells[2]}


STALLED_AFTER = timedelta(minutes=30)
STALLED_MESSAGE = (
    "interrupted: the import stopped reporting progress (its worker ended); nothing was applied"
)


def _expire_stalled(records: Iterable[Import]) -> None:
    """A running import silent for ``STALLED_AFTER`` died with its worker: its
    transaction was rolled back by the database, so it applied nothing."""
    limit = utcnow() - STALLED_AFTER
    for record in records:
        beat = record.heartbeat_at or record.created_at
        if record.status == "running" and beat is not None and as_utc(beat) < limit:
            record.status, record.error = "failed", STALLED_MESSAGE
            record.finished_at = utcnow()
    db.session.flush()


def show_import(actor: Actor | None, import_id: int) -> Import:
    record = get_import(actor, import_id)
    _expire_stalled([record])
    return record


def list_imports(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    """Imports of the organization, newest first."""
    require(actor, "contacts:read")
    page = keyset_page(sa.select(Import), [Import.id], limit=limit, cursor=cursor, descending=True)
    _expire_stalled(page.items)
    return page


def rejected_file(actor: Actor | None, import_id: int) -> Path:
    """The rejected rows of an import as a CSV file (404 when there were none)."""
    require(actor, "contacts:import")
    record = get_import(actor, import_id)
    path = Path(record.rejected_path) if record.rejected_path else None
    if path is None or not path.is_file():
        raise NotFound(f"import {import_id} has no rejected rows", code="no_rejected_rows")
    return path
