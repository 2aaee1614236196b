"""The ``engagex`` command against PostgreSQL (in-transaction) and SQLite (a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.accounts.models import Organization, User
from cli import cli
from engagex.db import db

ROOT = Path(__file__).resolve().parents[2]


def run(app, *args: str):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_orgs_create_and_list(app, session):
    result = run(
        app, "orgs", "create", "acme", "--name", "Acme", "--owner", "Owner@Example.com", "--json"
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert created["slug"] == "acme" and created["owner"] == "owner@example.com"
    listed = json.loads(run(app, "orgs", "list", "--json").stdout)
    assert "acme" in {o["slug"] for o in listed}


def test_duplicate_slug_is_one_line_nonzero_and_writes_nothing(app, session):
    assert (
        run(app, "orgs", "create", "acme", "--name", "Acme", "--owner", "a@example.com").exit_code
        == 0
    )
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    result = run(app, "orgs", "create", "acme", "--name", "Other", "--owner", "new@example.com")
    assert result.exit_code == 1
    assert result.stderr == "error: the slug 'acme' is already taken\n"
    assert result.stdout == ""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == before
    assert (
        db.session.scalars(sa.select(User).where(User.email == "new@example.com")).first() is None
    )


def test_bad_input_is_one_line(app, session):
    for args, fragment in [
        (
            ["orgs", "create", "Bad Slug!", "--name", "X", "--owner", "a@example.com"],
            "invalid slug",
        ),
        (["orgs", "create", "ok", "--name", "X", "--owner", "not-an-email"], "not a valid email"),
        (["orgs", "create", "ok", "--name", "X"], "Missing option '--owner'"),
        (
            ["api-keys", "create", "--org", "ghost", "--role", "admin", "--name", "k"],
            "no organization",
        ),
        (
            ["api-keys", "create", "--org", "ghost", "--role", "king", "--name", "k"],
            "'king' is not one of",
        ),
    ]:
        result = run(app, *args)
        assert result.exit_code != 0, args
        assert result.stderr.count("\n") == 1 and fragment in result.stderr, result.stderr


def test_api_key_created_on_the_cli_authenticates(app, session, client):
    run(app, "orgs", "create", "keyco", "--name", "KeyCo", "--owner", "k@example.com")
    result = run(
        app, "api-keys", "create", "--org", "keyco", "--role", "analyst", "--name", "ci", "--json"
    )
    token = json.loads(result.stdout)["key"]
    response = client.get("/api/v1/organization", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["slug"] == "keyco"


def test_roles_markdown_is_the_matrix(app):
    from engagex.permissions import matrix_markdown

    assert run(app, "roles", "--markdown").stdout == matrix_markdown()


def test_engagex_command_on_sqlite_from_empty(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "ENGAGEX_INSTANCE_PATH": str(tmp_path),
    }

    def engagex(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    assert engagex("db", "upgrade").returncode == 0
    created = engagex("orgs", "create", "acme", "--name", "Acme", "--owner", "owner@example.com")
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("created organization acme")
    again = engagex("orgs", "create", "acme", "--name", "Acme", "--owner", "owner@example.com")
    assert again.returncode == 1 and again.stderr == "error: the slug 'acme' is already taken\n"
    assert (tmp_path / "engagex.db").exists()
