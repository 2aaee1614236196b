"""Notifications reach the right members through the channels they allow."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.notifications import services
from cli import cli
from engagex.db import db
from engagex.errors import NotFound, ValidationFailed
from engagex.permissions import Actor, Role
from engagex.tenancy import tenant_context
from tests.factories import add_member, auth, make_key, make_org


@pytest.fixture
def outbox(app, tmp_path):
    previous = app.config["ENGAGEX_OUTBOX_DIR"], app.config["REDIS_URL"]
    app.config["ENGAGEX_OUTBOX_DIR"] = str(tmp_path)
    app.config["REDIS_URL"] = None  # deliver in-process after the commit
    app.extensions.pop("engagex.mail_backend", None)
    yield tmp_path
    app.config["ENGAGEX_OUTBOX_DIR"], app.config["REDIS_URL"] = previous
    app.extensions.pop("engagex.mail_backend", None)


def read_outbox(directory: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]


@pytest.fixture
def team(session):
    org = make_org("acme", owner="owner@acme.example")
    roles = {
        "admin": "admin",
        "manager": "campaign_manager",
        "analyst": "analyst",
        "editor": "editor",
    }
    # Read each id right away: later commits expire the objects.
    ids = {
        name: add_member(org, f"{name}@acme.example", role).user_id for name, role in roles.items()
    }
    with tenant_context(org.id):
        ids["owner"] = services.member_actor(org.id, "owner@acme.example").user_id
    return org, ids


def actor(org, user_id: int, role: str = "analyst") -> Actor:
    return Actor(kind="user", role=Role(role), user_id=user_id, organization_id=org.id)


def recipients(notes) -> set[int]:
    return {n.user_id for n in notes}


def test_roles_that_care_get_in_app_and_email_by_default(team, outbox):
    org, ids = team
    notes = services.notify(
        org.id,
        "campaign.sent",
        title="“Spring sale” was sent to 1,204 people",
        link="/campaigns/7",
        subject=("campaign", 7),
    )
    db.session.commit()
    assert recipients(notes) == {ids["owner"], ids["admin"], ids["manager"]}
    sent = read_outbox(outbox)
    assert sorted(m["To"].addresses[0].addr_spec for m in sent) == [
        "admin@acme.example",
        "manager@acme.example",
        "owner@acme.example",
    ]
    message = sent[0]
    assert message["Subject"] == "“Spring sale” was sent to 1,204 people"
    text = message.get_body(("plain",)).get_content()
    assert "http://127.0.0.1:5000/campaigns/7" in text
    assert "/settings/notifications" in text


def test_billing_events_go_to_owners_only(team, outbox):
    org, ids = team
    notes = services.notify(org.id, "billing.payment_failed", title="Your payment failed")
    db.session.commit()
    assert recipients(notes) == {ids["owner"]}
    assert len(read_outbox(outbox)) == 1


def test_import_finished_is_in_app_only_and_reaches_whoever_started_it(team, outbox):
    org, ids = team
    notes = services.notify(
        org.id,
        "import.finished",
        title="Import finished: 980 created, 20 rejected",
        extra_user_ids=[ids["analyst"]],
    )
    db.session.commit()
    assert recipients(notes) == {ids["owner"], ids["admin"], ids["manager"], ids["analyst"]}
    assert read_outbox(outbox) == []  # email is off by default for imports


def test_preferences_decide_the_channels(team, outbox):
    org, ids = team
    with tenant_context(org.id):
        services.set_preferences(
            actor(org, ids["admin"], "admin"),
            [{"type": "domain.failed", "in_app": False, "email": False}],
        )
        services.set_preferences(
            actor(org, ids["manager"], "campaign_manager"),
            [{"type": "import.finished", "email": True}],
        )
    services.notify(org.id, "domain.failed", title="acme.example failed verification")
    services.notify(org.id, "import.finished", title="Import finished")
    db.session.commit()
    with tenant_context(org.id):
        admin_inbox = services.list_notifications(actor(org, ids["admin"], "admin")).items
    assert [n.type for n in admin_inbox] == ["import.finished"]
    to = sorted((m["To"].addresses[0].username, m["Subject"]) for m in read_outbox(outbox))
    assert to == [("manager", "Import finished"), ("owner", "acme.example failed verification")]


def test_email_leaves_only_after_commit(team, outbox):
    org, _ = team
    services.notify(org.id, "campaign.failed", title="Failed")
    db.session.rollback()
    db.session.commit()
    assert read_outbox(outbox) == []


def test_inbox_paging_unread_count_and_marking(team, outbox):
    org, ids = team
    for i in range(5):
        services.notify(org.id, "campaign.sent", title=f"Campaign {i}")
    db.session.commit()
    owner = actor(org, ids["owner"], "owner")
    with tenant_context(org.id):
        first = services.list_notifications(owner, limit=3)
        assert [n.title for n in first.items] == ["Campaign 4", "Campaign 3", "Campaign 2"]
        second = services.list_notifications(owner, limit=3, cursor=first.next_cursor)
        assert [n.title for n in second.items] == ["Campaign 1", "Campaign 0"]
        assert second.next_cursor is None
        assert services.unread_count(owner) == 5
        services.mark_read(owner, first.items[0].id)
        assert services.unread_count(owner) == 4
        assert len(services.list_notifications(owner, unread_only=True).items) == 4
        assert services.mark_all_read(owner) == 4
        assert services.unread_count(owner) == 0
        # Someone else's notification is not found, not forbidden.
        admin_note = services.list_notifications(actor(org, ids["admin"], "admin")).items[0]
        with pytest.raises(NotFound):
            services.mark_read(owner, admin_note.id)


def test_other_organizations_never_see_each_others_notifications(team, outbox):
    org, ids = team
    other = make_org("other", owner="owner@acme.example")  # the same person owns both
    services.notify(org.id, "campaign.sent", title="In acme")
    db.session.commit()
    with tenant_context(other.id):
        assert services.list_notifications(actor(other, ids["owner"], "owner")).items == []


def test_unknown_type_in_preferences_is_rejected(team):
    org, ids = team
    with tenant_context(org.id), pytest.raises(ValidationFailed):
        services.set_preferences(
            actor(org, ids["owner"], "owner"), [{"type": "nope", "email": True}]
        )
    with pytest.raises(KeyError):
        services.notify(org.id, "nope", title="x")


def test_api_keys_have_no_inbox(client, team):
    org, _ = team
    response = client.get("/api/v1/notifications", headers=auth(make_key(org)))
    assert response.status_code == 403
    assert response.get_json()["code"] == "session_required"


def test_cli_lists_a_members_notifications(app, team, outbox):
    org, _ = team
    services.notify(org.id, "domain.verified", title="acme.example is verified", link="/domains/1")
    db.session.commit()
    result = CliRunner().invoke(
        cli,
        ["notifications", "list", "--org", "acme", "--user", "Admin@acme.example", "--json"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["type"], i["title"], i["read"]) for i in items] == [
        ("domain.verified", "acme.example is verified", False)
    ]
    missing = CliRunner().invoke(
        cli,
        ["notifications", "list", "--org", "acme", "--user", "nobody@acme.example"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert missing.exit_code == 1
    assert missing.stderr == "error: nobody@acme.example is not a member of this organization\n"
