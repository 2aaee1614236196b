"""Bare extension instances; ``create_app`` binds them to an app."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from werkzeug.local import LocalProxy

from engagex.api import Api
from engagex.db import db

migrate = Migrate()
api = Api()
login_manager = LoginManager()

_LIMITER_KEY = "engagex.limiter"


def init_limiter(app: Flask) -> Limiter:
    """Bind a flask-limiter to ``app`` (idempotent): Redis when REDIS_URL is set, else memory.

    One instance per app, because flask-limiter keeps its storage on the instance and a
    process may hold several apps (tests). ``RATELIMIT_STORAGE_URI`` overrides the storage;
    ``RATELIMIT_ENABLED=False`` turns every limit off.
    """
    existing = app.extensions.get(_LIMITER_KEY)
    if existing is not None:
        return cast(Limiter, existing)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # Sliding windows: no burst of twice the limit around a window boundary.
    app.config.setdefault("RATELIMIT_STRATEGY", "sliding-window-counter")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "engagex")
    instance = Limiter(key_func=get_remote_address)
    instance.init_app(app)
    app.extensions[_LIMITER_KEY] = instance
    return instance


def _current_limiter() -> Limiter:
    return cast(Limiter, current_app.extensions[_LIMITER_KEY])


#: The limiter of the current app (see ``init_limiter``).
limiter = cast(Limiter, LocalProxy(_current_limiter))

__all__ = ["api", "db", "init_limiter", "limiter", "login_manager", "migrate"]
