"""A domain check notifies the managers of the organization (in-app, and email by preference)."""

from __future__ import annotations

import email
from email import policy

import pytest
import sqlalchemy as sa

from blueprints.notifications import services as notifications
from blueprints.notifications.models import Notification
from engagex.db import db
from engagex.permissions import Actor, Role
from engagex.tenancy import tenant_context
from tests.domains.conftest import publish
from tests.factories import add_member


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ENGAGEX_OUTBOX_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    app.extensions.pop("engagex.mail_backend", None)
    yield tmp_path
    app.extensions.pop("engagex.mail_backend", None)


def inbox(org_id: int) -> list[tuple[int, str]]:
    with tenant_context(org_id):
        rows = db.session.execute(sa.select(Notification.user_id, Notification.type))
        return sorted((user_id, kind) for user_id, kind in rows)


def test_failed_and_then_verified_domain_notify_managers(org, zone, add_domain, verify, outbox):
    admin = add_member(org, "admin@acme.example", "admin").user_id
    add_member(org, "analyst@acme.example", "analyst")
    with tenant_context(org.id):
        owner = notifications.member_actor(org.id, f"owner@{org.slug}.example.com")
        # The admin wants domain failures in the app only.
        notifications.set_preferences(
            Actor(kind="user", role=Role.ADMIN, user_id=admin, organization_id=org.id),
            [{"type": "domain.failed", "email": False}],
        )
        db.session.commit()

    domain = add_domain("acme.example")
    assert verify(domain).status == "failed"
    assert inbox(org.id) == sorted([(owner.user_id, "domain.failed"), (admin, "domain.failed")])
    sent = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in outbox.glob("*.eml")
    ]
    assert [m["To"].addresses[0].addr_spec for m in sent] == [f"owner@{org.slug}.example.com"]
    assert sent[0]["Subject"] == "acme.example failed verification"
    assert "expected TXT" in sent[0].get_body(("plain",)).get_content()

    publish(zone, domain)
    assert verify(domain).status == "verified"
    assert "domain.verified" in {t for _, t in inbox(org.id)}

    zone.clear()
    with tenant_context(org.id):
        from blueprints.domains import services as domains

        domains.verify_domain(None, domain.id)
        db.session.commit()
    downgraded = [uid for uid, t in inbox(org.id) if t == "domain.downgraded"]
    assert sorted(downgraded) == sorted([owner.user_id, admin])
