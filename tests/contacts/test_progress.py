"""Live progress of an import, seen from outside its transaction (real commits)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blueprints.accounts.models import Organization
from blueprints.contacts import importing
from blueprints.contacts.models import Contact, Import
from blueprints.contacts.progress import DatabaseProgress
from engagex.db import db
from engagex.tenancy import system_scope, tenant_context
from tests.factories import make_org


def read_from_outside(import_id: int) -> dict:
    """The row as another request would see it: a separate connection."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT set_config('engagex.scope', 'system', false)")
        row = conn.execute(
            sa.select(Import.status, Import.processed_rows, Import.progress, Import.created).where(
                Import.id == import_id
            )
        ).one()
        conn.exec_driver_sql("SELECT set_config('engagex.scope', '', false)")
        conn.rollback()
    return dict(row._mapping)


def test_progress_is_visible_while_the_import_transaction_is_open(app, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    path = tmp_path / "many.csv"
    path.write_text("email\n" + "".join(f"p{i}@x.example\n" for i in range(10)))
    seen: list[dict] = []

    class Watching(DatabaseProgress):
        def update(self, rows, fraction, rate):
            super().update(rows, fraction, rate)
            seen.append(read_from_outside(self.import_id))

    with app.app_context():
        org = make_org()
        org_id = org.id
        try:
            with tenant_context(org_id):
                import_id = importing.create_import(None, filename=path.name, path=path).id
                db.session.commit()
                progress = Watching(org_id, import_id, interval=0)
                importing.run_import(None, import_id, progress=progress)
                assert read_from_outside(import_id)["status"] == "running"  # not committed yet
                db.session.commit()
            assert [s["processed_rows"] for s in seen] == [3, 6, 9, 10]
            assert all(s["status"] == "running" and s["created"] == 0 for s in seen)
            assert seen[-1]["progress"] == 100.0
            assert read_from_outside(import_id)["status"] == "completed"
            assert read_from_outside(import_id)["created"] == 10
        finally:
            db.session.rollback()
            with system_scope():
                db.session.execute(sa.delete(Contact).where(Contact.organization_id == org_id))
                db.session.execute(sa.delete(Organization).where(Organization.id == org_id))
                db.session.commit()


def test_a_silent_running_import_is_reported_as_interrupted(org, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("email\na@x.example\n")
    record = importing.create_import(None, filename="x.csv", path=path)
    record.status = "running"
    record.heartbeat_at = record.created_at = db.session.scalar(
        sa.select(sa.func.now())
    ) - timedelta(hours=1)
    db.session.flush()
    shown = importing.show_import(None, record.id)
    assert shown.status == "failed" and shown.error == importing.STALLED_MESSAGE
