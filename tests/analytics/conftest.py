"""Fixtures of the analytics tests.

Most tests run on the shared rolled-back database with in-process jobs; ``queued``
keeps jobs (flushes, webhook deliveries, campaign runners) in Redis under a prefix of
the test until ``tests.campaigns.helpers.drain`` runs them, as a worker would.
"""

from __future__ import annotations

import uuid

import pytest
import redis

from blueprints.analytics import buffer, recipients
from blueprints.billing import services as billing
from engagex.tenancy import tenant_context
from tests.analytics.helpers import SendGridKeys
from tests.conftest import REDIS_URL
from tests.factories import make_org


@pytest.fixture
def org(session):
    """An organization on the Pro plan with its tenant context open."""
    organization = make_org()
    billing.operator_set_plan(None, organization.id, "pro")
    session.commit()
    with tenant_context(organization.id):
        yield organization


@pytest.fixture(autouse=True)
def clean_buffer(request):
    """The in-process buffer and caches are per process: start each test empty."""
    buffer._local.items.clear()
    recipients.recipient_index.clear()
    recipients.link_tables.clear()
    yield
    buffer._local.items.clear()


@pytest.fixture
def human(app, monkeypatch):
    """Hits right after the send count as people's (the 'too fast' rule is off)."""
    monkeypatch.setitem(app.config, "ENGAGEX_MACHINE_SECONDS", 0)


@pytest.fixture
def allow_private(app, monkeypatch):
    """Outgoing webhooks may call the loopback receiver (a development setting)."""
    monkeypatch.setitem(app.config, "ENGAGEX_WEBHOOKS_ALLOW_PRIVATE", True)


@pytest.fixture
def sendgrid_keys(app, monkeypatch) -> SendGridKeys:
    keys = SendGridKeys()
    monkeypatch.setitem(app.config, "SENDGRID_WEBHOOK_PUBLIC_KEY", keys.public_b64)
    return keys


@pytest.fixture
def queued(app, tmp_path, monkeypatch):
    """Jobs wait in Redis under a prefix of this test; campaign mail goes to an outbox."""
    prefix = f"test-{uuid.uuid4().hex[:8]}-"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "ENGAGEX_QUEUE_PREFIX", prefix)
    monkeypatch.setitem(app.config, "ENGAGEX_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setitem(app.config, "ENGAGEX_MAIL_BACKEND", "outbox")
    monkeypatch.setitem(app.config, "ENGAGEX_ALLOW_UNVERIFIED_SENDERS", True)
    names = ("engagex.redis", "engagex.campaign_buckets", "engagex.mail_backend")
    for name in names:
        app.extensions.pop(name, None)
    conn = redis.Redis.from_url(REDIS_URL)
    yield prefix
    for key in conn.scan_iter(f"*{prefix}*"):
        conn.delete(key)
    for name in names:
        app.extensions.pop(name, None)
