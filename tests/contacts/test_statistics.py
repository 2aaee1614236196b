"""After a bulk import the planner's statistics of the contacts tables are refreshed,
through the owner's function, by the application role that may not ANALYZE itself."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.contacts import importing, staging, tasks
from engagex.db import db


def test_the_application_role_refreshes_the_statistics(org):
    assert db.session.execute(sa.text("SELECT current_user")).scalar() == "engagex_app"
    db.session.execute(
        sa.text(
            "INSERT INTO contacts (organization_id, email, attributes, status, source) SELECT :org, 'n' || g || '@stats.example', '{}', 'subscribed', 'api' FROM generate_series(1, 300) g"
        ),
        {"org": org.id},
    )

    staging.refresh_statistics()

    analysed = db.session.execute(
        sa.text("SELECT reltuples FROM pg_class WHERE relname = 'contacts'")
    ).scalar()
    assert analysed >= 300  # the rows of this transaction were sampled


def test_only_a_large_import_asks_for_it(org, tmp_path, monkeypatch):
    asked: list[dict] = []
    monkeypatch.setattr(tasks.refresh_statistics, "delay", lambda **kw: asked.append(kw))
    monkeypatch.setattr(tasks, "ANALYZE_AFTER_ROWS", 3)
    for count in (2, 3):
        path = tmp_path / f"{count}.csv"
        path.write_text("email\n" + "".join(f"s{count}-{i}@x.example\n" for i in range(count)))
        record = importing.create_import(None, filename=path.name, path=path)
        tasks.run_import(record.id)
    assert asked == [{"org_id": org.id}]
