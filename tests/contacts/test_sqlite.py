"""The embedded mode: imports, segments and the API on SQLite give the PostgreSQL answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa

from blueprints.accounts import services as accounts
from blueprints.contacts import audience, importing, services
from blueprints.contacts.models import Import
from blueprints.contacts.progress import DatabaseProgress
from engagex import create_app
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.conftest import app_config
from tests.contacts.helpers import FILES, counts, errors, run_file


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sqlite")
    app = create_app(app_config(tmp, DATABASE_URL=f"sqlite:///{tmp / 'embedded.db'}"))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    return app


@pytest.fixture
def org(sqlite_app) -> Iterator[int]:
    import uuid

    with sqlite_app.app_context():
        created = accounts.create_organization(
            None, slug=f"lite-{uuid.uuid4().hex[:8]}", name="Lite", owner_email="o@lite.example"
        )
        db.session.commit()
        with tenant_context(created.id):
            yield created.id
            db.session.rollback()


def test_messy_files_give_the_same_counts(org):
    services.create_field(None, name="company", type="text")
    services.create_field(None, name="signup", type="date")
    services.create_field(None, name="score", type="number")
    services.create_field(None, name="vip", type="boolean")
    expected = {
        "semicolon_bom.csv": (4, 0),
        "latin1.csv": (3, 0),
        "utf16_tabs.txt": (2, 0),
        "quoted_newlines.csv": (3, 1),
        "duplicates_case.csv": (2, 3),
        "invalid_addresses.csv": (2, 7),
        "formulas.csv": (2, 1),
        "ragged.csv": (2, 1),
    }
    for name, (created, invalid) in expected.items():
        record = run_file(name)
        assert (record.created, record.invalid) == (created, invalid), name
    sheet = run_file("two_sheets.xlsx", sheet="Contacts")
    assert counts(sheet) == {"created": 3, "updated": 0, "skipped": 0, "invalid": 2}
    assert errors(sheet) == [(5, "score: 'n/a' is not a number"), (6, "duplicate of row 2")]
    assert services.find_contact(None, "a@example.com").attributes == {
        "signup": "2024-01-15",
        "score": 42,
        "vip": True,
    }
    db.session.commit()


def test_modes_status_suppression_and_groups(org, tmp_path):
    services.create_field(None, name="plan", type="text")
    services.create_contact(None, {"email": "gone@x.io", "status": "unsubscribed"})
    audience.add_suppression(None, "x-bounce.io", reason="bounce")
    path = tmp_path / "a.csv"
    path.write_text(
        "email,plan,status\ngone@x.io,pro,subscribed\nnew@x.io,free,\nb@x-bounce.io,,\n"
    )
    record = run_file(path, group="Imported")
    assert counts(record) == {"created": 2, "updated": 1, "skipped": 0, "invalid": 0}
    again = run_file(path)
    assert (again.updated, again.unchanged) == (3, 3)
    statuses = {c.email: c.status for c in services.list_contacts(None).items}
    assert statuses == {
        "gone@x.io": "unsubscribed",
        "new@x.io": "subscribed",
        "b@x-bounce.io": "bounced",
    }
    assert services.find_contact(None, "gone@x.io").attributes == {"plan": "pro"}
    group = services.find_group(None, "Imported")
    assert services.count_contacts(None, group_id=group.id) == 3
    created = run_file(path, mode="create", group="Fresh")
    assert (created.created, created.skipped) == (0, 3)
    assert services.count_contacts(None, group_id=services.find_group(None, "Fresh").id) == 0
    updated = run_file(path, mode="update")
    assert (updated.updated, updated.skipped) == (3, 0)


def test_segments_compile_for_sqlite(org):
    services.create_field(None, name="score", type="number")
    services.create_field(None, name="joined", type="date")
    services.create_field(None, name="vip", type="boolean")
    services.create_contact(
        None, {"email": "a@x.io", "attributes": {"score": 9, "joined": "2024-02-01", "vip": True}}
    )
    services.create_contact(None, {"email": "b@x.io", "attributes": {"score": 2.5, "vip": False}})
    services.create_contact(None, {"email": "c@y.io", "first_name": "C_"})

    def count(definition):
        return audience.count_matching(None, definition)

    assert count({"field": "attributes.score", "op": "gt", "value": 3}) == 1
    assert count({"field": "attributes.score", "op": "between", "value": [2, 9]}) == 2
    assert count({"field": "attributes.vip", "op": "eq", "value": False}) == 1
    assert count({"field": "attributes.vip", "op": "neq", "value": True}) == 2
    assert count({"field": "attributes.joined", "op": "after", "value": "2024-01-01"}) == 1
    assert count({"field": "attributes.joined", "op": "exists", "value": False}) == 2
    assert count({"field": "email", "op": "contains", "value": "@X.IO"}) == 2
    assert count({"field": "first_name", "op": "starts_with", "value": "c_"}) == 1
    assert count({"field": "first_name", "op": "contains", "value": "%"}) == 0
    assert count({"field": "attributes.score", "op": "in", "value": [9, 2.5]}) == 2


def test_the_api_import_job_and_export_in_embedded_mode(sqlite_app, org):
    _key, token = accounts.create_api_key(None, name="lite", role="admin")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = sqlite_app.test_client()
    with (FILES / "formulas.csv").open("rb") as fh:
        started = client.post(
            "/api/v1/contacts/imports",
            data={"file": (fh, "f.csv"), "create_fields": "true"},
            headers=headers,
            content_type="multipart/form-data",
        )
    assert started.status_code == 202, started.get_json()
    done = client.get(
        f"/api/v1/contacts/imports/{started.get_json()['id']}", headers=headers
    ).get_json()
    assert (done["status"], done["created"], done["invalid"]) == ("completed", 2, 1)
    exported = client.get("/api/v1/contacts/export", headers=headers)
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(exported.get_data(as_text=True)))}
    assert rows["formula@example.com"]["first_name"] == "'=1+2"
    assert rows["formula@example.com"]["company"] == "'@SUM(A1)"


def test_progress_stays_visible_when_an_import_creates_fields(org, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    path = tmp_path / "new.csv"
    path.write_text("email,colour\n" + "".join(f"c{i}@x.example,red\n" for i in range(6)))
    record = importing.create_import(None, filename=path.name, path=path, create_fields=True)
    db.session.commit()
    importing.run_import(None, record.id, progress=DatabaseProgress(org, record.id, interval=0))
    with db.engine.connect() as conn:  # outside the import's transaction, not yet committed
        row = conn.execute(
            sa.select(Import.status, Import.processed_rows).where(Import.id == record.id)
        ).one()
    assert tuple(row) == ("running", 6)
    assert "could not record" not in caplog.text
    db.session.commit()
    assert services.field_types()["colour"] == "text"
