"""Settings of the analytics domain, read from ``app.config`` then the environment.

``engagex/config.py`` does not know these names, so a value set only in the
environment is read from ``os.environ`` here; a value in ``app.config`` (tests,
``create_app(**overrides)``) wins. They are read at each use: tests change them.

| name | meaning | default |
|---|---|---|
| ``ENGAGEX_TRACKING_FLUSH_SECONDS`` | embedded mode (no ``REDIS_URL``): how often the in-process buffer of opens and clicks is written (0: only by ``engagex analytics flush``) | ``2`` |
| ``ENGAGEX_TRACKING_PUSH_MS`` | with ``REDIS_URL``: each process gathers tracking hits this long and pushes them to Redis in one round trip (0: one push per hit; the default under ``TESTING``) | ``50`` |
| ``ENGAGEX_TRACKING_BATCH`` | events written per flush transaction | ``1000`` |
| ``ENGAGEX_MACHINE_SECONDS`` | an open or click this soon after the message was sent is a machine's (gateway scanners, prefetching proxies) | ``5`` |
| ``ENGAGEX_COMPLAINT_WARN_RATE`` | complaint rate over 24 h that warns the organization | ``0.001`` (0.1 %) |
| ``ENGAGEX_COMPLAINT_PAUSE_RATE`` | complaint rate over 24 h that pauses its sending campaigns | ``0.003`` (0.3 %) |
| ``ENGAGEX_COMPLAINT_MIN_VOLUME`` | messages in the 24 h window below which no rate is judged | ``500`` |
| ``ENGAGEX_WEBHOOKS_ALLOW_PRIVATE`` | outgoing webhooks may target loopback/private addresses and plain ``http://`` (development and tests only) | ``0`` |
| ``ENGAGEX_WEBHOOKS_TIMEOUT`` | seconds an outgoing webhook delivery may take | ``10`` |
| ``ENGAGEX_BOUNCE_MAILBOX`` | the bounce mailbox: ``imap://``, ``imaps://``, ``pop3://`` or ``pop3s://`` ``user@host[:port][/folder]`` | unset |
| ``ENGAGEX_BOUNCE_MAILBOX_PASSWORD`` | its password (wins over one in the URL) | unset |
| ``ENGAGEX_BOUNCE_MAILBOX_STARTTLS`` | upgrade ``imap://``/``pop3://`` with STARTTLS/STLS | ``1`` |
| ``ENGAGEX_BOUNCE_MAILBOX_CA_FILE`` | CA bundle to verify the mailbox server's certificate | system store |
"""

from __future__ import annotations

import os

from flask import Flask, current_app

_TRUE = {"1", "true", "yes", "on"}


def raw(name: str, app: Flask | None = None) -> object:
    config = (app or current_app).config
    if name in config and config[name] not in (None, ""):
        return config[name]
    return os.environ.get(name) or None


def number(name: str, default: float, minimum: float = 0.0, app: Flask | None = None) -> float:
    value = raw(name, app)
    if value is None:
        return default
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    return max(result, minimum)


def flag(name: str, default: bool = False) -> bool:
    value = raw(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def text(name: str) -> str | None:
    value = raw(name)
    return str(value).strip() or None if value is not None else None


def flush_seconds(app: Flask | None = None) -> float:
    return number("ENGAGEX_TRACKING_FLUSH_SECONDS", 2.0, app=app)


def push_seconds(app: Flask) -> float:
    """Milliseconds of hits gathered before a push to Redis, in seconds (the tracking
    routes run outside Flask's request cycle: ``app`` is passed, not current)."""
    value = raw("ENGAGEX_TRACKING_PUSH_MS", app)
    if value is None:
        return 0.0 if app.testing else 0.05
    return max(float(value), 0.0) / 1000  # type: ignore[arg-type]


def flush_batch(app: Flask | None = None) -> int:
    return int(number("ENGAGEX_TRACKING_BATCH", 1000, 1, app=app))


def machine_seconds() -> float:
    return number("ENGAGEX_MACHINE_SECONDS", 5.0)


def complaint_warn_rate() -> float:
    return number("ENGAGEX_COMPLAINT_WARN_RATE", 0.001)


def complaint_pause_rate() -> float:
    return number("ENGAGEX_COMPLAINT_PAUSE_RATE", 0.003)


def complaint_min_volume() -> int:
    return int(number("ENGAGEX_COMPLAINT_MIN_VOLUME", 500))


def webhooks_allow_private() -> bool:
    return flag("ENGAGEX_WEBHOOKS_ALLOW_PRIVATE")


def webhooks_timeout() -> float:
    return number("ENGAGEX_WEBHOOKS_TIMEOUT", 10.0, 0.5)
