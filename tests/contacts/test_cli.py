"""The contacts commands of the ``engagex`` CLI, in-process against PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.contacts.models import Import
from cli import cli
from engagex.db import db
from engagex.tenancy import system_scope
from tests.contacts.helpers import FILES
from tests.factories import make_org


def run(app, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), input=stdin)


@pytest.fixture
def slug(session):
    return make_org().slug


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_import_json_summary_has_exactly_the_contract_keys(app, slug):
    out = ok(
        run(
            app,
            "contacts",
            "import",
            str(FILES / "duplicates_case.csv"),
            "--org",
            slug,
            "--group",
            "News",
            "--json",
        )
    )
    summary = json.loads(out)
    assert list(summary) == ["created", "updated", "skipped", "invalid", "errors"]
    assert (summary["created"], summary["updated"], summary["skipped"], summary["invalid"]) == (
        2,
        0,
        0,
        3,
    )
    assert summary["errors"] == [
        {"row": 3, "field": "email", "reason": "duplicate of row 2"},
        {"row": 5, "field": "email", "reason": "duplicate of row 2"},
        {"row": 6, "field": "email", "reason": "duplicate of row 4"},
    ]
    assert json.loads(
        ok(run(app, "contacts", "count", "--org", slug, "--group", "News", "--json"))
    ) == {"count": 2}


def test_import_with_mapping_mode_and_a_table(app, slug, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Work Mail,Vorname\na@x.example,Ann\n")
    ok(run(app, "contacts", "fields", "add", "tier", "--org", slug))
    out = ok(
        run(
            app,
            "contacts",
            "import",
            str(path),
            "--org",
            slug,
            "--map",
            "email=Work Mail",
            "--mode",
            "create",
        )
    )
    assert "created" in out and "1 rows" in out
    shown = json.loads(ok(run(app, "contacts", "show", "a@x.example", "--org", slug, "--json")))
    assert shown["contacts"][0]["first_name"] == "Ann"
    again = json.loads(
        ok(
            run(
                app,
                "contacts",
                "import",
                str(path),
                "--org",
                slug,
                "--map",
                "email=Work Mail",
                "--mode",
                "create",
                "--json",
            )
        )
    )
    assert (again["created"], again["skipped"]) == (0, 1)


def test_a_bad_file_is_one_line_nonzero_and_recorded(app, slug):
    result = run(
        app, "contacts", "import", str(FILES / "unclosed_quote.csv"), "--org", slug, "--json"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the file is not valid CSV at line 4")
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    with system_scope():
        record = db.session.scalars(sa.select(Import).order_by(Import.id.desc())).first()
    assert record.status == "failed" and "nothing was imported" in record.error
    for args, fragment in [
        (["contacts", "import", str(FILES / "latin1.csv"), "--org", "ghost"], "no organization"),
        (
            ["contacts", "import", str(FILES / "latin1.csv"), "--org", slug, "--map", "email"],
            "invalid mapping",
        ),
        (
            ["contacts", "import", str(FILES / "latin1.csv"), "--org", slug, "--sheet", "2"],
            "Excel files only",
        ),
        (["contacts", "import", "/nonexistent.csv", "--org", slug], "does not exist"),
        (["contacts", "export", "--org", slug, "--format", "xlsx"], "needs --output"),
        (["segments", "create", "S", "--org", slug, "--definition", "{"], "not valid JSON"),
        (
            [
                "segments",
                "create",
                "S",
                "--org",
                slug,
                "--definition",
                '{"field": "x", "op": "eq"}',
            ],
            "unknown field",
        ),
    ]:
        bad = run(app, *args)
        assert bad.exit_code != 0, args
        assert bad.stderr.count("\n") == 1 and fragment in bad.stderr, (args, bad.stderr)


def test_list_show_export_delete_and_erase(app, slug, tmp_path):
    ok(run(app, "contacts", "fields", "add", "company", "--org", slug))
    ok(
        run(
            app,
            "contacts",
            "add",
            "Evil@X.example",
            "--org",
            slug,
            "--first-name",
            "=1+2",
            "--attr",
            "company=@SUM(A1)",
            "--group",
            "VIP",
        )
    )
    ok(run(app, "contacts", "add", "ok@x.example", "--org", slug))
    listed = json.loads(ok(run(app, "contacts", "list", "--org", slug, "--json", "--limit", "1")))
    assert [c["email"] for c in listed["items"]] == ["ok@x.example"] and listed["next_cursor"]
    table = ok(run(app, "contacts", "list", "--org", slug, "--group", "VIP"))
    assert "evil@x.example" in table
    exported = ok(run(app, "contacts", "export", "--org", slug))
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert rows["evil@x.example"]["first_name"] == "'=1+2"
    assert (
        rows["evil@x.example"]["company"] == "'@SUM(A1)"
        and rows["evil@x.example"]["groups"] == "VIP"
    )
    target = tmp_path / "out.xlsx"
    ok(
        run(
            app,
            "contacts",
            "export",
            "--org",
            slug,
            "--format",
            "xlsx",
            "--output",
            str(target),
            "--group",
            "VIP",
        )
    )
    sheet = openpyxl.load_workbook(target).active
    assert [c.value for c in sheet[2]][1:3] == ["evil@x.example", "'=1+2"]
    assert ok(run(app, "contacts", "count", "--org", slug)).strip() == "2"
    ok(run(app, "contacts", "delete", "ok@x.example", "--org", slug))
    assert ok(run(app, "contacts", "count", "--org", slug)).strip() == "1"
    refused = run(app, "contacts", "erase", "evil@x.example", "--org", slug, stdin="n\n")
    assert refused.exit_code == 1
    erased = json.loads(
        ok(run(app, "contacts", "erase", "evil@x.example", "--org", slug, "--yes", "--json"))
    )
    assert erased["contacts"] == 1
    assert ok(run(app, "contacts", "count", "--org", slug)).strip() == "0"


def test_groups_segments_and_suppressions(app, slug, tmp_path):
    for email in ("a@gmail.com", "b@gmail.com", "c@work.example"):
        ok(run(app, "contacts", "add", email, "--org", slug))
    ok(run(app, "groups", "create", "Team", "--org", slug))
    assert "added 2" in ok(
        run(app, "groups", "add", "Team", "a@gmail.com", "c@work.example", "--org", slug)
    )
    assert "removed 1" in ok(run(app, "groups", "remove", "Team", "a@gmail.com", "--org", slug))
    ok(run(app, "groups", "rename", "Team", "Crew", "--org", slug))
    groups = json.loads(ok(run(app, "groups", "list", "--org", slug, "--json")))
    assert [(g["name"], g["contact_count"]) for g in groups] == [("Crew", 1)]
    definition = tmp_path / "gmail.json"
    definition.write_text('{"field": "email", "op": "contains", "value": "gmail"}')
    created = json.loads(
        ok(
            run(
                app,
                "segments",
                "create",
                "Gmail",
                "--org",
                slug,
                "--definition",
                f"@{definition}",
                "--json",
            )
        )
    )
    assert created["count"] == 2
    assert ok(run(app, "segments", "count", "Gmail", "--org", slug)).strip() == "2"
    crew = json.loads(ok(run(app, "groups", "list", "--org", slug, "--json")))[0]["id"]
    adhoc = json.dumps({"field": "group", "op": "eq", "value": crew})
    assert json.loads(
        ok(run(app, "segments", "count", "--definition", adhoc, "--org", slug, "--json"))
    ) == {"count": 1}
    preview = json.loads(ok(run(app, "segments", "preview", "Gmail", "--org", slug, "--json")))
    assert [c["email"] for c in preview["items"]] == ["b@gmail.com", "a@gmail.com"]
    assert "Gmail" in ok(run(app, "segments", "list", "--org", slug))
    ok(run(app, "segments", "delete", "Gmail", "--org", slug))
    ok(run(app, "suppressions", "add", "gmail.com", "--org", slug, "--reason", "manual"))
    listing = tmp_path / "blocked.csv"
    listing.write_text("email\nx@y.example\nX@Y.example\nnot valid\n@spam.example\n")
    imported = json.loads(
        ok(run(app, "suppressions", "import", str(listing), "--org", slug, "--json"))
    )
    assert (imported["added"], imported["existing"]) == (2, 1)
    assert imported["invalid"][0]["line"] == 4
    values = [
        s["value"]
        for s in json.loads(ok(run(app, "suppressions", "list", "--org", slug, "--json")))["items"]
    ]
    assert sorted(values) == ["gmail.com", "spam.example", "x@y.example"]
    ok(run(app, "suppressions", "remove", "x@y.example", "--org", slug))
    assert run(app, "suppressions", "remove", "x@y.example", "--org", slug).exit_code == 1
    fields = json.loads(ok(run(app, "contacts", "fields", "list", "--org", slug, "--json")))
    assert fields == []
