"""`engagex demo` seeds an organization worth clicking through, and rotates credentials."""

from __future__ import annotations

import json

import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.contacts.models import Contact
from blueprints.templates.models import EmailTemplate
from cli import cli
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.auth.helpers import sign_in


def run(app):
    result = CliRunner().invoke(cli, ["demo", "--json"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_demo_credentials_work_and_rotate(app, session, client):
    first = run(app)
    second = run(app)
    assert first["organization"] == "demo" and first["owner"] == "owner@demo.example.com"
    key_header = {"Authorization": f"Bearer {second['api_key']}"}
    assert client.get("/api/v1/organization", headers=key_header).get_json()["slug"] == "demo"
    stale = {"Authorization": f"Bearer {first['api_key']}"}
    assert client.get("/api/v1/organization", headers=stale).status_code == 401
    sign_in(client, second["owner"], second["password"])  # asserts a 200
    org_id = client.get("/api/v1/organization", headers=key_header).get_json()["id"]
    with tenant_context(org_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 20
        assert db.session.scalars(sa.select(EmailTemplate.name)).all() == ["Monthly newsletter"]
