"""Progress of a running import, reported while its own transaction is still open.

``DatabaseProgress`` writes to the import's row on a separate connection, committed at
once, so the API shows percent and rows/s live; the import's transaction never touches
that row until it records the outcome (a lock there would stall these writes).
Reporting is best effort: a failed write is logged and the import goes on.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa

from blueprints.contacts.models import Import
from engagex.db import db

log = logging.getLogger(__name__)


class Progress:
    """Receives progress; the base class ignores it."""

    def start(self) -> None:
        """The import begins."""

    def update(self, rows: int, fraction: float | None, rate: float) -> None:
        """``rows`` read so far, ``fraction`` of the work done (0..1, or None), rows/s."""

    def close(self) -> None:
        """The import ended (either way)."""


class Combined(Progress):
    def __init__(self, *parts: Progress) -> None:
        self.parts = parts

    def start(self) -> None:
        for part in self.parts:
            part.start()

    def update(self, rows: int, fraction: float | None, rate: float) -> None:
        for part in self.parts:
            part.update(rows, fraction, rate)

    def close(self) -> None:
        for part in self.parts:
            part.close()


class DatabaseProgress(Progress):
    def __init__(self, org_id: int, import_id: int, interval: float = 0.5) -> None:
        self.org_id = org_id
        self.import_id = import_id
        self.interval = interval
        self._last = 0.0
        self._conn: sa.Connection | None = None

    def _write(self, **values: object) -> None:
        try:
            if self._conn is None:
                self._conn = db.engine.connect()
                if self._conn.dialect.name == "sqlite":
                    # Never wait long for the database lock: progress is not worth it.
                    self._conn.exec_driver_sql("PRAGMA busy_timeout = 100")
                    self._conn.commit()
            with self._conn.begin():
                if self._conn.dialect.name == "postgresql":
                    self._conn.execute(
                        sa.text("SELECT set_config('engagex.org_id', :org, true)"),
                        {"org": str(self.org_id)},
                    )
                table = Import.__table__
                self._conn.execute(
                    sa.update(table)
                    .where(table.c.id == self.import_id, table.c.organization_id == self.org_id)
                    .values(heartbeat_at=sa.func.now(), **values)
                )
        except sa.exc.SQLAlchemyError as exc:
            if isinstance(exc, sa.exc.OperationalError) and self._sqlite():
                # The import's own transaction holds the lock (its final statements).
                log.debug("progress of import %s not recorded: %s", self.import_id, exc.orig)
                return
            log.warning("could not record the progress of import %s", self.import_id, exc_info=True)

    def _sqlite(self) -> bool:
        return self._conn is not None and self._conn.dialect.name == "sqlite"

    def start(self) -> None:
        self._write(status="running", started_at=sa.func.now())

    def update(self, rows: int, fraction: float | None, rate: float) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        values: dict[str, object] = {"processed_rows": rows, "rows_per_second": rate}
        if fraction is not None:
            values["progress"] = round(min(fraction, 1.0) * 100, 1)
        self._write(**values)

    def close(self) -> None:
        if self._conn is not None:
            if self._conn.dialect.name == "sqlite":
                self._conn.exec_driver_sql("PRAGMA busy_timeout = 5000")
            self._conn.close()
            self._conn = None
