"""The application factory: config -> extensions -> blueprints -> errors."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from engagex import observability, spa
from engagex.config import ROOT, load_config
from engagex.errors import register_error_handlers
from engagex.extensions import api, db, init_limiter, login_manager, migrate

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def create_app(config: Mapping[str, Any] | None = None, **overrides: Any) -> Flask:
    """Build the app.

    ``config`` replaces the process environment as the source of settings (tests pass a
    mapping to be hermetic); ``overrides`` win over both. The database is never migrated
    here: ``engagex db upgrade`` does that.
    """
    source = dict(os.environ if config is None else config)
    instance_path = Path(source.get("ENGAGEX_INSTANCE_PATH") or ROOT / "instance")
    app = Flask("engagex", instance_path=str(instance_path), static_folder=None)
    app.config.update(load_config(instance_path, env=source, **overrides))
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if proxies := app.config["ENGAGEX_TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    observability.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    login_manager.init_app(app)
    api.init_app(app)
    init_limiter(app)
    with app.app_context():
        _configure_connections(app, db.engine)

    from blueprints import register_all

    register_all(app, api)
    app.register_blueprint(spa.bp)
    register_error_handlers(app)
    return app


def _configure_connections(app: Flask, engine: sa.Engine) -> None:
    """Per-connection setup: SQLite pragmas, or the PostgreSQL application role.

    On PostgreSQL the app's queries run as a role that is neither superuser nor table
    owner, so the row-level-security policies apply to it; migrations use their own
    engine and run as the connecting (owner) role.
    """
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.close()

    elif engine.dialect.name == "postgresql":
        role = app.config["ENGAGEX_DB_APP_ROLE"]
        if not _ROLE_NAME.match(role):
            raise ValueError(f"ENGAGEX_DB_APP_ROLE {role!r} is not a plain role name")

        @sa.event.listens_for(engine, "connect")
        def _set_role(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET ROLE {role}")
            cursor.close()
            # Commit so the session-level SET survives the pool's reset-on-return rollback.
            dbapi_connection.commit()
