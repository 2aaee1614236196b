"""What the framework costs per request, beside a bare Flask hello-world (the limit).

In-process (werkzeug test client, no network), one core, against the local PostgreSQL:
- hello:  a bare Flask app returning a constant: the floor of any Flask request;
- healthz: EngageX's middleware stack (request id, metrics, JSON) without the database;
- api:    GET /api/v1/organization with a bearer key: key lookup, tenant context with
          the RLS settings, one query, serialization, commit.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
import uuid

import flask_migrate
import sqlalchemy as sa
from flask import Flask

from engagex import create_app
from engagex.db import db

PG_ADMIN = os.environ.get(
    "ENGAGEX_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
N = int(os.environ.get("BENCH_REQUESTS", "3000"))


def rate(client, path: str, headers: dict[str, str] | None = None) -> float:
    for _ in range(200):  # warm-up
        client.get(path, headers=headers)
    start = time.perf_counter()
    for _ in range(N):
        response = client.get(path, headers=headers)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.get_data(as_text=True)
    return N / elapsed


def main() -> None:
    name = f"engagex_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(
                {
                    "DATABASE_URL": url,
                    "SECRET_KEY": "bench",
                    "ENGAGEX_INSTANCE_PATH": tmp,
                    "ENGAGEX_LOG_LEVEL": "WARNING",
                }
            )
            with app.app_context():
                flask_migrate.upgrade(revision="heads")
                from blueprints.accounts import services
                from engagex.tenancy import tenant_context

                org = services.create_organization(
                    None, slug="bench", name="Bench", owner_email="o@bench.example"
                )
                with tenant_context(org.id):
                    _key, token = services.create_api_key(None, name="bench", role="admin")
                db.session.commit()

            hello = Flask("hello")
            hello.get("/")(lambda: "hello")

            print(
                f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}; {N} requests each"
            )
            floor = rate(hello.test_client(), "/")
            health = rate(app.test_client(), "/healthz")
            api = rate(
                app.test_client(), "/api/v1/organization", {"Authorization": f"Bearer {token}"}
            )
            print(f"  bare Flask hello-world (limit): {floor:8.0f} req/s")
            print(
                f"  /healthz (middleware):          {health:8.0f} req/s  ({floor / health:.1f}x the limit's cost)"
            )
            print(
                f"  GET /api/v1/organization:       {api:8.0f} req/s  ({floor / api:.1f}x the limit's cost)"
            )
            with app.app_context():
                db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
