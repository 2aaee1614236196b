"""Import semantics: modes, merging, never resubscribing, suppression, groups, chunking."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from blueprints.contacts import audience, importing, services, staging
from blueprints.contacts.checking import SeenAddresses
from blueprints.contacts.models import Contact, Import
from blueprints.contacts.progress import Progress
from engagex.db import db
from engagex.errors import Conflict
from tests.contacts.helpers import counts, errors, run_file


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def contact(email: str) -> Contact:
    return services.find_contact(None, email)


@pytest.fixture
def fields(org):
    services.create_field(None, name="plan", type="text")
    services.create_field(None, name="score", type="number")
    services.create_field(None, name="joined", type="date")
    services.create_field(None, name="vip", type="boolean")


def test_upsert_twice_updates_and_merges_without_clearing(org, fields, tmp_path):
    first = write(
        tmp_path, "a.csv", "email,first_name,plan,score\na@x.io,Ann,pro,5\nb@x.io,Bob,free,\n"
    )
    assert counts(run_file(first)) == {"created": 2, "updated": 0, "skipped": 0, "invalid": 0}
    again = run_file(first)
    assert counts(again) == {"created": 0, "updated": 2, "skipped": 0, "invalid": 0}
    assert again.unchanged == 2
    second = write(tmp_path, "b.csv", "email,first_name,score,vip\na@x.io,,7,yes\nc@x.io,Cy,1,no\n")
    record = run_file(second)
    assert counts(record) == {"created": 1, "updated": 1, "skipped": 0, "invalid": 0}
    assert record.unchanged == 0
    ann = contact("a@x.io")
    # Empty cells keep what is there; given values replace; other attributes stay.
    assert ann.first_name == "Ann"
    assert ann.attributes == {"plan": "pro", "score": 7, "vip": True}
    assert contact("c@x.io").attributes == {"score": 1, "vip": False}
    assert ann.source == "import"


def test_create_and_update_modes_skip(org, fields, tmp_path):
    run_file(write(tmp_path, "seed.csv", "email,plan\nold@x.io,free\n"))
    both = write(tmp_path, "both.csv", "email,plan\nold@x.io,pro\nnew@x.io,pro\n")
    assert counts(run_file(both, mode="create")) == {
        "created": 1,
        "updated": 0,
        "skipped": 1,
        "invalid": 0,
    }
    assert contact("old@x.io").attributes == {"plan": "free"}
    other = write(tmp_path, "other.csv", "email,plan\nold@x.io,team\nghost@x.io,team\n")
    assert counts(run_file(other, mode="update")) == {
        "created": 0,
        "updated": 1,
        "skipped": 1,
        "invalid": 0,
    }
    assert contact("old@x.io").attributes == {"plan": "team"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 2


def test_an_import_never_resubscribes(org, tmp_path):
    services.create_contact(None, {"email": "gone@x.io", "status": "unsubscribed"})
    services.create_contact(None, {"email": "bounced@x.io", "status": "bounced"})
    services.create_contact(None, {"email": "active@x.io"})
    path = write(
        tmp_path,
        "status.csv",
        "email,status\ngone@x.io,subscribed\nbounced@x.io,\nactive@x.io,Unsubscribed\n"
        "fresh@x.io,complained\nnew@x.io,\n",
    )
    record = run_file(path)
    assert counts(record) == {"created": 2, "updated": 3, "skipped": 0, "invalid": 0}
    statuses = {c.email: c.status for c in services.list_contacts(None).items}
    assert statuses == {
        "gone@x.io": "unsubscribed",
        "bounced@x.io": "bounced",
        "active@x.io": "unsubscribed",
        "fresh@x.io": "complained",
        "new@x.io": "subscribed",
    }


def test_suppressed_addresses_and_domains_arrive_unsubscribed(org, tmp_path):
    audience.add_suppression(None, "hard@x.io", reason="bounce")
    audience.add_suppression(None, "Spam.Example", reason="complaint")
    audience.add_suppression(None, "competitor.example")
    path = write(
        tmp_path,
        "s.csv",
        "email\nhard@x.io\nsomeone@spam.example\nceo@competitor.example\nfine@x.io\n",
    )
    assert counts(run_file(path))["created"] == 4
    statuses = {c.email: c.status for c in services.list_contacts(None).items}
    assert statuses == {
        "hard@x.io": "bounced",
        "someone@spam.example": "complained",
        "ceo@competitor.example": "unsubscribed",
        "fine@x.io": "subscribed",
    }


def test_group_receives_created_and_matched_contacts(org, tmp_path):
    services.create_contact(None, {"email": "old@x.io"})
    path = write(tmp_path, "g.csv", "email\nold@x.io\nnew@x.io\n")
    record = run_file(path, group="Customers")
    group = services.find_group(None, "Customers")
    assert record.group_id == group.id
    assert services.count_contacts(None, group_id=group.id) == 2
    other = write(tmp_path, "h.csv", "email\nold@x.io\nnewer@x.io\n")
    run_file(other, group="Only new", mode="create")
    only_new = services.find_group(None, "Only new")
    members = services.list_contacts(None, group_id=only_new.id).items
    assert [c.email for c in members] == ["newer@x.io"]


def test_duplicates_are_found_across_chunks(org, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    lines = ["email"] + [f"u{i}@x.io" for i in range(7)] + ["U1@X.IO", "u6@x.io", "bad"]
    record = run_file(write(tmp_path, "c.csv", "\n".join(lines) + "\n"))
    assert counts(record) == {"created": 7, "updated": 0, "skipped": 0, "invalid": 3}
    assert [r for r, _ in errors(record)] == [9, 10, 11]
    assert errors(record)[:2] == [(9, "duplicate of row 3"), (10, "duplicate of row 8")]
    assert record.processed_rows == 10


def test_seen_addresses_spill_to_disk_beyond_the_limit():
    seen = SeenAddresses(limit=2)
    assert [seen.first_row(a, r) for a, r in (("a", 2), ("b", 3), ("c", 4), ("d", 5))] == [None] * 4
    assert len(seen.memory) == 2
    assert seen.first_row("a", 9) == 2
    assert seen.first_row("d", 9) == 5
    assert seen.first_row("c", 10) == 4
    seen.close()


def test_typed_values_and_consent_are_checked(org, fields, tmp_path):
    path = write(
        tmp_path,
        "t.csv",
        "email,score,joined,vip,consent_at,consent_ip\n"
        "ok@x.io,1.5e3,05.03.2024,Y,2024-01-02T10:00:00+02:00,2001:db8::1\n"
        "n@x.io,12abc,,,,\n"
        "d@x.io,,2024-02-30,,,\n"
        "b@x.io,,,maybe,,\n"
        "c@x.io,,,,yesterday,\n"
        "i@x.io,,,,,999.1.1.1\n",
    )
    record = run_file(path)
    assert counts(record) == {"created": 1, "updated": 0, "skipped": 0, "invalid": 5}
    assert errors(record) == [
        (3, "score: '12abc' is not a number"),
        (4, "joined: '2024-02-30' is not a date (YYYY-MM-DD)"),
        (5, "vip: 'maybe' is not true or false"),
        (6, "consent_at 'yesterday' is not an ISO 8601 date or time"),
        (7, "consent_ip '999.1.1.1' is not an IP address"),
    ]
    ok = contact("ok@x.io")
    assert ok.attributes == {"score": 1500, "joined": "2024-03-05", "vip": True}
    assert ok.consent_at.isoformat() == "2024-01-02T08:00:00+00:00"
    assert ok.consent_ip == "2001:db8::1"


def test_explicit_mapping_and_created_fields(org, tmp_path):
    path = write(tmp_path, "m.csv", "Work Mail,Tarif,Favourite Colour\na@x.io,pro,blue\n")
    record = run_file(path, mapping={"email": "Work Mail", "tarif": "Tarif"}, create_fields=True)
    assert counts(record)["created"] == 1
    assert contact("a@x.io").attributes == {"tarif": "pro", "favourite_colour": "blue"}
    assert set(services.field_types()) == {"tarif", "favourite_colour"}
    assert record.columns["created_fields"] == ["tarif", "favourite_colour"]
    ignored = run_file(write(tmp_path, "n.csv", "email,Unknown\nb@x.io,1\n"))
    assert ignored.columns["ignored"] == ["Unknown"]


def test_a_deleted_contact_comes_back_as_a_new_one(org, tmp_path):
    old = services.create_contact(None, {"email": "back@x.io", "first_name": "Old"})
    services.delete_contact(None, old.id)
    record = run_file(write(tmp_path, "r.csv", "email,first_name\nback@x.io,New\n"))
    assert counts(record)["created"] == 1
    assert contact("back@x.io").id != old.id


def test_a_finished_import_does_not_run_again(org, tmp_path):
    record = run_file(write(tmp_path, "x.csv", "email\nx@x.io\n"))
    with pytest.raises(Conflict):
        importing.run_import(None, record.id)
    stored = db.session.get(Import, record.id)
    assert stored.status == "completed" and stored.finished_at is not None


class _AddsContactMidway(Progress):
    """After the first chunk, another transaction commits a contact the file holds."""

    def __init__(self, dsn: str, org_id: int) -> None:
        self.dsn, self.org_id, self.done = dsn, org_id, False

    def update(self, rows: int, fraction: float | None, rate: float) -> None:
        if self.done:
            return
        self.done = True
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO contacts (organization_id, email, first_name, attributes, status) "
                "VALUES (%s, 'c@x.io', 'Meanwhile', '{\"plan\": \"free\"}', 'subscribed')",
                (self.org_id,),
            )


@pytest.fixture
def committed_elsewhere(app):
    """A DSN for writes committed outside the test's transaction, removed after it ends
    (set up before ``session``, so torn down after its rollback releases their rows)."""
    with app.app_context():
        dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    orgs: list[int] = []
    yield dsn, orgs
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM contacts WHERE organization_id = ANY(%s)", (orgs,))


def test_a_concurrent_write_during_a_first_import_is_merged(
    committed_elsewhere, org, fields, tmp_path, monkeypatch
):
    """The first import into an empty organization inserts without conflict checks; a
    contact written meanwhile makes it apply the file again, merging."""
    dsn, orgs = committed_elsewhere
    orgs.append(org.id)
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    path = write(tmp_path, "a.csv", "email,plan\na@x.io,pro\nb@x.io,pro\nc@x.io,pro\nd@x.io,pro\n")
    record = importing.create_import(None, filename=path.name, path=path)
    done = importing.run_import(None, record.id, progress=_AddsContactMidway(dsn, org.id))
    assert counts(done) == {"created": 3, "updated": 1, "skipped": 0, "invalid": 0}
    assert [c.email for c in services.list_contacts(None, limit=10).items].count("c@x.io") == 1
    merged = contact("c@x.io")
    assert (merged.first_name, merged.attributes) == ("Meanwhile", {"plan": "pro"})


def test_values_that_need_escaping_arrive_intact(org, fields, tmp_path, monkeypatch):
    """Chunks without special characters travel in COPY's text format, the others as
    CSV; both must store exactly what the file holds."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    path = tmp_path / "escapes.csv"
    path.write_text(
        "email,first_name,last_name,plan\n"
        "plain@x.io,Ann,,pro\n"
        "empty@x.io,,Lee,\n"
        'slash@x.io,O\\Brien,"Tab\there",a\\b\n'
        'quote@x.io,"Say ""hi""",\\N,"line\none"\n',
        encoding="utf-8",
    )
    # The first chunk has nothing to escape, the second has.
    assert staging._copy_text([["plain@x.io", "empty@x.io"], ["Ann", None]]) == (
        "plain@x.io\tAnn\nempty@x.io\t\\N\n"
    )
    assert staging._copy_text([["slash@x.io"], ["O\\Brien"]]) is None
    assert counts(run_file(path)) == {"created": 4, "updated": 0, "skipped": 0, "invalid": 0}
    stored = {
        c.email: (c.first_name, c.last_name, c.attributes)
        for c in services.list_contacts(None, limit=10).items
    }
    assert stored == {
        "plain@x.io": ("Ann", None, {"plan": "pro"}),
        "empty@x.io": (None, "Lee", {}),
        "slash@x.io": ("O\\Brien", "Tab\there", {"plan": "a\\b"}),
        "quote@x.io": ('Say "hi"', "\\N", {"plan": "line\none"}),
    }


def test_integers_up_to_18_digits_are_kept_exactly(org, fields, tmp_path):
    """Longer numbers are read as floating point, like any JSON number in a browser."""
    path = write(tmp_path, "big.csv", "email,score\nbig@x.io,-999999999999999999\n")
    assert counts(run_file(path))["created"] == 1
    assert contact("big@x.io").attributes == {"score": -999999999999999999}
