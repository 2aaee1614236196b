"""Data subject requests: per-contact export and erasure."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.contacts import audience, importing, privacy, services
from blueprints.contacts.models import Contact, GroupMember, Import, Suppression
from blueprints.contacts.signals import contact_erased
from engagex.db import db
from tests.contacts.helpers import run_file


@pytest.fixture
def ann(org):
    services.create_field(None, name="plan", type="text")
    group = services.create_group(None, name="Newsletter")
    old = services.create_contact(None, {"email": "ann@x.example", "first_name": "Old Ann"})
    services.delete_contact(None, old.id)
    current = services.create_contact(
        None,
        {
            "email": "Ann@X.example",
            "first_name": "Ann",
            "attributes": {"plan": "pro"},
            "group_ids": [group.id],
            "consent_ip": "192.0.2.7",
        },
    )
    services.create_contact(None, {"email": "bob@x.example", "group_ids": [group.id]})
    audience.add_suppression(None, "ann@x.example", reason="complaint")
    return {"old": old.id, "current": current.id, "group": group.id}


def test_data_export_holds_everything_about_the_address(ann):
    privacy.register_data_section("engagement", lambda org_id, email, ids: {"ids": ids})
    try:
        data = privacy.contact_data(None, "ANN@x.example")
    finally:
        privacy._SECTIONS.pop("engagement")
    assert data["email"] == "ann@x.example"
    assert [c["id"] for c in data["contacts"]] == [ann["old"], ann["current"]]
    old, current = data["contacts"]
    assert old["deleted_at"] is not None and old["first_name"] == "Old Ann"
    assert current["attributes"] == {"plan": "pro"} and current["consent_ip"] == "192.0.2.7"
    assert [g["name"] for g in current["groups"]] == ["Newsletter"]
    assert data["suppression"]["reason"] == "complaint"
    assert data["engagement"] == {"ids": [ann["old"], ann["current"]]}
    with pytest.raises(Exception, match="nothing is held"):
        privacy.contact_data(None, "nobody@x.example")


def test_erasure_removes_personal_data_and_keeps_aggregates(ann, tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text(
        "email,first_name\nbob@x.example,Bob\nANN@x.example,Dup\nann@x.example,Dup2\n"
        '"Ann <ann@x.example",Broken\n'
    )
    record = run_file(listing)
    assert record.invalid == 2
    rejected = importing.rejected_file(None, record.id)
    assert "ann@x.example" in rejected.read_text()
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    contact_erased.connect(listener)
    try:
        result = privacy.erase_contact(None, "ann@X.example")
    finally:
        contact_erased.disconnect(listener)
    assert result == {"contacts": 2, "suppressions": 1, "rejected_rows": 2, "import_reports": 1}
    assert heard[0]["email"] == "ann@x.example"
    assert sorted(heard[0]["contact_ids"]) == sorted([ann["old"], ann["current"]])
    remaining = db.session.scalars(
        sa.select(Contact.email).execution_options(include_deleted=True)
    ).all()
    assert remaining == ["bob@x.example"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Suppression)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupMember)) == 1
    assert "ann@x.example" not in rejected.read_text().lower()
    assert rejected.read_text().startswith("row,field,reason,email,first_name")
    kept = db.session.get(Import, record.id)
    assert (kept.created, kept.updated, kept.invalid) == (0, 2, 2)  # aggregate counts stay
    assert kept.errors == [{"row": 4, "field": "email", "reason": "duplicate of row 3"}]
    assert privacy.erase_contact(None, "ann@x.example") == {
        "contacts": 0,
        "suppressions": 0,
        "rejected_rows": 0,
        "import_reports": 0,
    }
