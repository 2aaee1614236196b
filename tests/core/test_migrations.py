"""Migrations build the schema from empty on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from blueprints import load_models
from engagex import create_app
from engagex.db import db
from tests.conftest import app_config, create_database, drop_database


def model_differences(url: str) -> list:
    load_models()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    engine.dispose()
    return diff


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    names = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    return names


@pytest.fixture
def fresh_postgres():
    name = f"engagex_mig_{uuid.uuid4().hex[:8]}"
    yield create_database(name)
    drop_database(name)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_empty_downgrade_and_again(backend, tmp_path, request):
    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("fresh_postgres")
    )
    app = create_app(app_config(tmp_path, DATABASE_URL=url))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        assert {"organizations", "users", "memberships", "api_keys"} <= tables(url)
        assert model_differences(url) == []
        flask_migrate.downgrade(revision="base")
        assert tables(url) <= {"alembic_version"}
        flask_migrate.upgrade(revision="heads")
    assert model_differences(url) == []


def test_models_match_migrations_on_the_test_database(app, pg_url):
    assert model_differences(pg_url) == []


def test_create_app_never_migrates(tmp_path):
    url = f"sqlite:///{tmp_path / 'untouched.db'}"
    create_app(app_config(tmp_path, DATABASE_URL=url))
    assert tables(url) == set()
