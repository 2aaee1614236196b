"""Background jobs of the contacts domain."""

from __future__ import annotations

import logging

from blueprints.contacts import importing, staging
from blueprints.contacts.progress import DatabaseProgress
from engagex.db import db
from engagex.errors import AppError
from engagex.jobs import job
from engagex.tenancy import require_org_id

log = logging.getLogger(__name__)

#: An import that writes at least this many contacts refreshes the planner's statistics.
ANALYZE_AFTER_ROWS = 5_000


@job(queue="bulk", timeout=6 * 3600)
def run_import(import_id: int) -> None:
    """Apply an import; a failure is recorded on the import (nothing applied), not retried.

    The job returns normally after recording a failure so that its transaction commits
    the ``failed`` status; unexpected errors are logged with their traceback.
    """
    record = importing.get_import(None, import_id)
    if record.status != "pending":  # delivered twice: the first run decided
        log.warning("import %s is %s; not run again", import_id, record.status)
        return
    progress = DatabaseProgress(require_org_id(), import_id)
    try:
        done = importing.run_import(None, import_id, progress=progress)
        if done.created + done.updated >= ANALYZE_AFTER_ROWS:
            refresh_statistics.delay(org_id=require_org_id())
    except AppError as exc:
        db.session.rollback()
        importing.mark_failed(import_id, exc.message)
    except Exception:
        log.exception("import %s failed", import_id)
        db.session.rollback()
        importing.mark_failed(
            import_id, "the import stopped on an internal error; nothing was applied"
        )


@job(queue="bulk")
def refresh_statistics() -> None:
    """Re-read the contacts tables' statistics (released by the import's commit, so the
    new rows are counted)."""
    staging.refresh_statistics()


def enqueue_import(org_id: int, import_id: int) -> None:
    """Run the import on the ``bulk`` queue once the current transaction commits."""
    run_import.delay(import_id, org_id=org_id, job_id=f"contacts-import-{import_id}")
