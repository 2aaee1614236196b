"""Fixtures of the campaigns tests.

Most tests use the shared rolled-back database (``session``) and run jobs in this
process: ``outbox`` sends in-process right after the commit, ``queued`` keeps jobs in
Redis (a prefix of their own) until ``helpers.drain`` runs them. The reliability tests
use ``live``: a database of their own whose data is committed for real, because their
workers are separate processes (``python -m cli worker --burst``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import redis
from flask import Flask

from blueprints.billing import services as billing
from engagex import create_app
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.conftest import REDIS_URL, app_config, create_database, drop_database
from tests.factories import make_org

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def org(session):
    """An organization on the Pro plan with its tenant context open."""
    organization = make_org()
    billing.operator_set_plan(None, organization.id, "pro")
    session.commit()
    with tenant_context(organization.id):
        yield organization


@pytest.fixture
def allow_senders(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENGAGEX_ALLOW_UNVERIFIED_SENDERS", True)


@pytest.fixture
def outbox(app, tmp_path, monkeypatch, allow_senders):
    """In-process jobs delivering into an outbox directory."""
    monkeypatch.setitem(app.config, "ENGAGEX_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setitem(app.config, "ENGAGEX_MAIL_BACKEND", "outbox")
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    app.extensions.pop("engagex.mail_backend", None)
    yield tmp_path / "outbox"
    app.extensions.pop("engagex.mail_backend", None)


@pytest.fixture
def queued(app, tmp_path, monkeypatch, allow_senders):
    """Jobs wait in Redis under a prefix of this test; mail goes to an outbox."""
    prefix = f"test-{uuid.uuid4().hex[:8]}-"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "ENGAGEX_QUEUE_PREFIX", prefix)
    monkeypatch.setitem(app.config, "ENGAGEX_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setitem(app.config, "ENGAGEX_MAIL_BACKEND", "outbox")
    app.extensions.pop("engagex.redis", None)
    app.extensions.pop("engagex.campaign_buckets", None)
    app.extensions.pop("engagex.mail_backend", None)
    conn = redis.Redis.from_url(REDIS_URL)
    yield tmp_path / "outbox"
    for key in conn.scan_iter(f"*{prefix}*"):
        conn.delete(key)
    for name in ("engagex.redis", "engagex.campaign_buckets", "engagex.mail_backend"):
        app.extensions.pop(name, None)


# --- real workers on a database of their own --------------------------------------------


class Live:
    """A committed database, its app, and how to start workers and commands on it."""

    def __init__(self, app: Flask, url: str, tmp: Path) -> None:
        self.app = app
        self.url = url
        self.tmp = tmp

    def env(self, prefix: str, **settings: Any) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "REDIS_URL": REDIS_URL,
            "ENGAGEX_QUEUE_PREFIX": prefix,
            "ENGAGEX_INSTANCE_PATH": str(self.tmp),
            "SECRET_KEY": "test-secret-key",
            "ENGAGEX_ALLOW_UNVERIFIED_SENDERS": "1",
            "ENGAGEX_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **{k: str(v) for k, v in settings.items()},
        }

    def start(self, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
        """``python -m cli ARGS`` in a session of its own (killable as a group)."""
        return subprocess.Popen(
            [sys.executable, "-m", "cli", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )


@pytest.fixture(scope="session")
def live_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    name = f"engagex_campaigns_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    tmp = tmp_path_factory.mktemp("live")
    application = create_app(app_config(tmp, DATABASE_URL=url, REDIS_URL=REDIS_URL))
    with application.app_context():
        flask_migrate.upgrade(revision="heads")
        db.engine.dispose()
    yield Live(application, url, tmp)
    with application.app_context():
        db.engine.dispose()
    drop_database(name)


@pytest.fixture
def live(live_database: Live, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """The live app with a queue prefix of this test (cleaned up afterwards)."""
    prefix = f"live-{uuid.uuid4().hex[:8]}-"
    app = live_database.app
    monkeypatch.setitem(app.config, "ENGAGEX_QUEUE_PREFIX", prefix)
    monkeypatch.setitem(app.config, "ENGAGEX_ALLOW_UNVERIFIED_SENDERS", True)
    live_database.prefix = prefix  # type: ignore[attr-defined]
    for name in ("engagex.redis", "engagex.campaign_buckets"):
        app.extensions.pop(name, None)
    yield live_database
    conn = redis.Redis.from_url(REDIS_URL)
    for key in conn.scan_iter(f"*{prefix}*"):
        conn.delete(key)
    for name in ("engagex.redis", "engagex.campaign_buckets"):
        app.extensions.pop(name, None)


def live_org(plan: str = "pro") -> Any:
    """A committed organization of the live database (call inside its app context)."""
    organization = make_org()
    billing.operator_set_plan(None, organization.id, plan)
    db.session.commit()
    return organization
