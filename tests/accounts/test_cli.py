"""`engagex users|orgs|members|invitations|api-keys` against PostgreSQL (in-transaction)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.accounts import services as accounts
from cli import cli
from tests.auth.helpers import PASSWORD, last_token, sign_in


def run(app, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app), input=stdin)


def ok(result) -> dict | list | str:
    assert result.exit_code == 0, result.output
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.stdout


def fails(result, fragment: str) -> None:
    assert result.exit_code != 0, result.output
    assert result.stderr.count("\n") == 1 and fragment in result.stderr, result.stderr


def test_users_create_list_and_set_password(app, client, session):
    created = ok(
        run(
            app,
            "users",
            "create",
            "Una@Example.com",
            "--name",
            "Una",
            "--password-stdin",
            "--json",
            stdin=PASSWORD + "\n",
        )
    )
    assert created == {
        "id": created["id"],
        "email": "una@example.com",
        "name": "Una",
        "has_password": True,
    }
    sign_in(client, "una@example.com")
    fails(run(app, "users", "create", "una@example.com", "--no-password"), "already exists")
    fails(
        run(app, "users", "create", "weak@example.com", "--password-stdin", stdin="password1234\n"),
        "too common",
    )
    fails(run(app, "users", "create", "tty@example.com", stdin=""), "use --password-stdin")
    listed = ok(run(app, "users", "list", "--json"))
    una = next(u for u in listed if u["email"] == "una@example.com")
    assert una["has_password"] and una["last_sign_in_at"] is not None
    changed = ok(
        run(
            app,
            "users",
            "set-password",
            "una@example.com",
            "--password-stdin",
            "--json",
            stdin="new-Long-phrase-2024x\n",
        )
    )
    assert changed["sessions_revoked"] == 1
    assert client.get("/api/v1/auth/me").status_code == 401
    sign_in(client, "una@example.com", "new-Long-phrase-2024x")
    fails(
        run(
            app,
            "users",
            "set-password",
            "ghost@example.com",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ),
        "no user",
    )


def test_members_and_invitations(app, session):
    ok(run(app, "orgs", "create", "team", "--name", "Team", "--owner", "boss@example.com"))
    added = ok(
        run(
            app, "members", "add", "--org", "team", "mia@example.com", "--role", "analyst", "--json"
        )
    )
    assert added["role"] == "analyst"
    fails(
        run(app, "members", "add", "--org", "team", "mia@example.com", "--role", "analyst"),
        "already a member",
    )
    fails(
        run(app, "members", "add", "--org", "team", "x@example.com", "--role", "king"),
        "'king' is not one of",
    )
    changed = ok(
        run(
            app,
            "members",
            "set-role",
            "--org",
            "team",
            str(added["id"]),
            "--role",
            "editor",
            "--json",
        )
    )
    assert changed["role"] == "editor"
    members = ok(run(app, "members", "list", "--org", "team", "--json"))
    owner = next(m for m in members if m["role"] == "owner")
    fails(run(app, "members", "remove", "--org", "team", str(owner["id"])), "at least one owner")
    ok(run(app, "members", "remove", "--org", "team", str(added["id"])))
    assert [m["email"] for m in ok(run(app, "members", "list", "--org", "team", "--json"))] == [
        "boss@example.com"
    ]

    invited = ok(
        run(
            app,
            "invitations",
            "create",
            "--org",
            "team",
            "Nia@Example.com",
            "--role",
            "analyst",
            "--json",
        )
    )
    assert invited["email"] == "nia@example.com" and "token=" in invited["url"]
    assert last_token(app, "nia@example.com") in invited["url"]
    fails(
        run(app, "invitations", "create", "--org", "team", "boss@example.com", "--role", "admin"),
        "already a member",
    )
    pending = ok(run(app, "invitations", "list", "--org", "team", "--json"))
    assert [(i["email"], i["status"]) for i in pending] == [("nia@example.com", "pending")]
    ok(run(app, "invitations", "revoke", "--org", "team", str(invited["id"])))
    assert ok(run(app, "invitations", "list", "--org", "team", "--json")) == []


def test_orgs_show_and_api_keys(app, client, session):
    ok(run(app, "orgs", "create", "keys", "--name", "Keys", "--owner", "k@example.com"))
    shown = ok(run(app, "orgs", "show", "keys", "--json"))
    assert shown["owners"] == ["k@example.com"] and shown["members"]["owner"] == 1
    fails(run(app, "orgs", "show", "nope"), "no organization")
    created = ok(
        run(
            app, "api-keys", "create", "--org", "keys", "--role", "editor", "--name", "ci", "--json"
        )
    )
    assert created["key"].startswith("egx_") and created["role"] == "editor"
    response = client.get(
        "/api/v1/organization", headers={"Authorization": f"Bearer {created['key']}"}
    )
    assert response.status_code == 200
    listed = ok(run(app, "api-keys", "list", "--org", "keys", "--json"))
    assert [k["name"] for k in listed] == ["ci"] and "key" not in listed[0]
    assert listed[0]["last_used_at"] is not None
    ok(run(app, "api-keys", "revoke", "--org", "keys", str(created["id"])))
    fails(run(app, "api-keys", "revoke", "--org", "keys", str(created["id"])), "not found")
    response = client.get(
        "/api/v1/organization", headers={"Authorization": f"Bearer {created['key']}"}
    )
    assert response.status_code == 401


def test_orgs_update_sets_the_footer_settings_templates_read(app, session):
    from blueprints.templates import services as templates

    assert (
        run(
            app, "orgs", "create", "footco", "--name", "Foot", "--owner", "o@foot.example"
        ).exit_code
        == 0
    )
    result = run(
        app,
        "orgs",
        "update",
        "footco",
        "--auto-footer",
        "--postal-address",
        "1 Main St, Springfield",
        "--from-email",
        "News@Foot.Example",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["auto_unsubscribe_footer"] is True
    assert data["postal_address"] == "1 Main St, Springfield"
    assert data["default_from_email"] == "News@foot.example".lower()
    org = accounts.get_organization("footco")
    assert templates.auto_footer_enabled(org) is True
    nothing = run(app, "orgs", "update", "footco")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.stderr


def test_orgs_delete_asks_first_and_locks_everyone_out(app, client, session):
    ok(run(app, "orgs", "create", "gone", "--name", "Gone", "--owner", "g@example.com"))
    key = ok(
        run(app, "api-keys", "create", "--org", "gone", "--role", "admin", "--name", "k", "--json")
    )
    refused = run(app, "orgs", "delete", "gone", stdin="n\n")
    assert refused.exit_code != 0
    assert ok(run(app, "orgs", "show", "gone", "--json"))["slug"] == "gone"

    assert ok(run(app, "orgs", "delete", "gone", "--yes", "--json"))["deleted"] is True

    fails(run(app, "orgs", "show", "gone"), "no organization")
    assert "gone" not in [o["slug"] for o in ok(run(app, "orgs", "list", "--json"))]
    response = client.get("/api/v1/organization", headers={"Authorization": f"Bearer {key['key']}"})
    assert response.status_code == 401
    fails(run(app, "orgs", "delete", "gone", "--yes"), "no organization")
