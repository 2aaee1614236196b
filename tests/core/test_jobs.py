"""Jobs: released only by a commit, in-process without Redis, on a real RQ worker with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from engagex.db import db
from engagex.jobs import get_queue
from engagex.tenancy import tenant_context
from tests.conftest import REDIS_URL
from tests.factories import make_org
from tests.support import tasks

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_process(app):
    previous = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = None
    tasks.calls.clear()
    yield
    app.config["REDIS_URL"] = previous


@pytest.fixture
def with_redis(app, monkeypatch):
    """Real Redis, with queue names of this test only (other runs may share the server)."""
    prefix = f"test-{uuid.uuid4().hex[:8]}-"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "ENGAGEX_QUEUE_PREFIX", prefix)
    app.extensions.pop("engagex.redis", None)
    conn = redis.Redis.from_url(REDIS_URL)
    yield conn
    for key in conn.scan_iter(f"*{prefix}*"):
        conn.delete(key)
    app.extensions.pop("engagex.redis", None)


def test_in_process_job_runs_after_commit_in_its_tenant(session, in_process):
    org = make_org()
    with tenant_context(org.id):
        tasks.record_in_memory.delay("hello", org_id=org.id)
        assert tasks.calls == []  # held until the commit
        db.session.commit()
    assert tasks.calls == [{"label": "hello", "org_id": org.id, "app": "engagex"}]


def test_job_of_a_rolled_back_transaction_never_runs(session, in_process):
    org = make_org()
    with tenant_context(org.id):
        tasks.record_in_memory.delay("never", org_id=org.id)
        db.session.rollback()
        db.session.commit()
    assert tasks.calls == []


def test_rolled_back_job_is_never_enqueued_on_redis(session, with_redis):
    org = make_org()
    tasks.record_in_memory.delay("never", org_id=org.id)
    db.session.rollback()
    assert get_queue("default").count == 0
    tasks.record_in_memory.delay("once", org_id=org.id)
    db.session.commit()
    assert get_queue("default").count == 1


def test_deterministic_job_id_enqueues_once(app, session, with_redis):
    for _ in range(3):
        tasks.record_in_memory.delay("x", org_id=None, job_id="campaign-1-batch-1")
        db.session.commit()
    prefix = app.config["ENGAGEX_QUEUE_PREFIX"]
    assert get_queue("default").job_ids == [f"{prefix}campaign-1-batch-1"]


def test_failing_in_process_job_does_not_break_the_commit(session, in_process, caplog):
    tasks.explode.delay(org_id=None)
    db.session.commit()
    assert "in-process job tests.support.tasks:explode failed" in caplog.text


@pytest.mark.slow
def test_job_runs_on_a_real_worker(app, pg_url, with_redis, tmp_path):
    key = f"job-test-{uuid.uuid4().hex}"
    with app.app_context():
        # A real worker sees only committed data, so this test commits for real.
        from tests.factories import make_org as build

        org = build()
        org_id = org.id
        tasks.record_in_redis.delay(key, org_id=org_id)
        db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": REDIS_URL,
        "ENGAGEX_QUEUE_PREFIX": app.config["ENGAGEX_QUEUE_PREFIX"],
        "ENGAGEX_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "test-secret-key",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "cli", "worker", "--burst", "--queues", "mail"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(with_redis.get(key)) == {"org_id": org_id, "pg_setting": str(org_id)}
