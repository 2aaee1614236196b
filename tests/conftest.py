"""Test fixtures: a real PostgreSQL database migrated once, a transaction per test.

Tests talk to the PostgreSQL and Redis running on the machine (``.ci/run`` starts them);
``ENGAGEX_TEST_PG_URL`` / ``ENGAGEX_TEST_REDIS_URL`` point elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from engagex import create_app
from engagex.db import db
from engagex.extensions import limiter

PG_ADMIN_URL = os.environ.get(
    "ENGAGEX_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ENGAGEX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def app_config(tmp: Path, **settings: object) -> dict[str, object]:
    """A hermetic settings mapping: nothing is read from the developer's environment."""
    return {
        "SECRET_KEY": "test-secret-key",
        "ENGAGEX_INSTANCE_PATH": str(tmp / "instance"),
        "ENGAGEX_OUTBOX_DIR": str(tmp / "outbox"),
        "ENGAGEX_LOG_LEVEL": "WARNING",
        "TESTING": "1",
        **settings,
    }


class IsolatedClient(FlaskClient):
    """Gives each request a fresh application context, as in production.

    Otherwise a request reuses the test's own context, and with it ``g`` (the signed-in
    actor) and the database session of the previous request.
    """

    def open(self, *args: object, **kwargs: object):  # type: ignore[override]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def create_database(name: str) -> str:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"engagex_test_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    yield url
    drop_database(name)


@pytest.fixture(scope="session")
def app(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    application = create_app(app_config(tmp_path_factory.mktemp("app"), DATABASE_URL=pg_url))
    application.test_client_class = IsolatedClient
    with application.app_context():
        flask_migrate.upgrade(revision="heads")
    return application


@pytest.fixture
def session(app: Flask) -> Iterator[scoped_session]:
    """Every session of the test shares one connection whose transaction is rolled back.

    Commits inside the code under test release savepoints; nothing reaches the database.
    """
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(
        # Objects stay readable after a commit outside their tenant context (RLS would
        # hide a refresh); the code under test reads what it needs before committing.
        sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
        scopefunc=_app_ctx_id,
    )
    try:
        with app.app_context():
            yield db.session
    finally:
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Rate-limit counters live in the shared app's memory storage: start each test clean."""
    if "app" in request.fixturenames:
        application = request.getfixturevalue("app")
        with application.app_context():
            limiter.reset()


@pytest.fixture
def client(app: Flask, session: scoped_session):
    return app.test_client()
