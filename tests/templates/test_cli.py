"""``engagex templates`` as a user runs it."""

from __future__ import annotations

import json

from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.accounts.models import Organization
from cli import cli
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.factories import make_org
from tests.templates.conftest import page, read_outbox


def run(app, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), input=input)


def test_create_update_list_show_render(app, session, tmp_path):
    make_org("clico")
    html = tmp_path / "mail.html"
    html.write_text(page("<p>Hallo {{ first_name }} aus {{ city }}</p>"), encoding="utf-8")
    created = run(
        app,
        "templates",
        "create",
        "--org",
        "clico",
        "--name",
        "Grüße",
        "--subject",
        "Hallo {{ first_name }}",
        "--html",
        str(html),
        "--var",
        "city=Köln",
        "--json",
    )
    assert created.exit_code == 0, created.output
    template = json.loads(created.stdout)
    assert template["version"] == 1
    assert template["variables"] == [{"name": "city", "default": "Köln", "required": False}]
    tid = str(template["id"])

    updated = run(
        app, "templates", "update", tid, "--org", "clico", "--subject", "Hi {{ first_name }}"
    )
    assert updated.exit_code == 0 and "revision 2" in updated.stdout

    listed = json.loads(run(app, "templates", "list", "--org", "clico", "--json").stdout)
    assert [t["name"] for t in listed] == ["Grüße"]
    source = run(app, "templates", "show", tid, "--org", "clico", "--source", "html")
    assert "aus {{ city }}" in source.stdout

    rendered = run(
        app,
        "templates",
        "render",
        tid,
        "--org",
        "clico",
        "--sample",
        '{"first_name": "Jürgen", "attributes": {"city": "Wien"}}',
    )
    assert rendered.exit_code == 0, rendered.output
    assert rendered.stdout.startswith("Subject: Hi Jürgen\n\nHallo Jürgen aus Wien\n")
    as_html = run(app, "templates", "render", tid, "--org", "clico", "--part", "html")
    assert "<p>Hallo Jane aus Köln</p>" in as_html.stdout


def test_errors_are_one_line(app, session, tmp_path):
    make_org("clierr")
    bad = tmp_path / "bad.html"
    bad.write_text("<p>{{ first_nme }}</p>\n{{ ''.__class__ }}\n", encoding="utf-8")
    result = run(
        app,
        "templates",
        "create",
        "--org",
        "clierr",
        "--name",
        "x",
        "--subject",
        "s",
        "--html",
        str(bad),
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: html line 1: unknown variable 'first_nme'")
    missing = run(app, "templates", "render", "99", "--org", "clierr")
    assert missing.exit_code == 1 and missing.stderr == "error: template not found\n"
    both = run(
        app, "templates", "render", "1", "--org", "clierr", "--contact", "a@b.c", "--sample", "{}"
    )
    assert both.exit_code == 2


def test_starter_and_test_send(app, session, outbox):
    org = make_org("clisend")
    with tenant_context(org.id):
        db.session.get(Organization, org.id).default_from_email = "news@clisend.example"
        db.session.commit()
    created = run(
        app,
        "templates",
        "create",
        "--org",
        "clisend",
        "--name",
        "Letter",
        "--starter",
        "letter",
        "--json",
    )
    assert created.exit_code == 0, created.output
    tid = str(json.loads(created.stdout)["id"])
    too_many = run(
        app,
        "templates",
        "test-send",
        tid,
        "--org",
        "clisend",
        *[arg for i in range(6) for arg in ("--to", f"q{i}@x.example")],
    )
    assert too_many.exit_code == 1
    sent = run(
        app, "templates", "test-send", tid, "--org", "clisend", "--to", "qa@x.example", "--json"
    )
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["recipients"] == ["qa@x.example"]
    [message] = read_outbox(outbox)
    assert message["Subject"].startswith("[Test] A note from Clisend")
    assert "The team" in message.get_body(("plain",)).get_content()
