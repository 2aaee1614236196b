"""Task functions used by the job tests (importable by a real RQ worker)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import current_app

from engagex.db import db
from engagex.jobs import job, redis_connection
from engagex.tenancy import current_org_id

calls: list[dict[str, object]] = []


@job(queue="default")
def record_in_memory(label: str) -> None:
    calls.append({"label": label, "org_id": current_org_id(), "app": current_app.name})


@job(queue="mail")
def record_in_redis(key: str) -> None:
    """Proves where and how the job ran: the tenant context and the RLS setting."""
    setting = db.session.execute(sa.text("SELECT current_setting('engagex.org_id', true)")).scalar()
    redis_connection().set(
        key, json.dumps({"org_id": current_org_id(), "pg_setting": setting}), ex=60
    )


@job(queue="default")
def explode() -> None:
    raise RuntimeError("boom")
