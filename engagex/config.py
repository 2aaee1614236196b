"""Settings from the environment.

The environment variable names are a public contract (docs/architecture.md, section
"Configuration"). Without any of them the app runs in the *embedded* mode: SQLite under
``instance/``, jobs in-process, mail written to ``outbox/``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_FLAGS_TRUE = {"1", "true", "yes", "on"}


def _flag(value: str | bool | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return value.strip().lower() in _FLAGS_TRUE


def _json_object(value: str | dict[str, Any] | None, name: str) -> dict[str, Any]:
    if not value:
        return {}
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a JSON object: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ValueError(f"{name} must be a JSON object")
    return parsed


def normalize_database_url(url: str) -> str:
    """Make a PostgreSQL URL use psycopg 3, the only driver installed.

    Hosting providers hand out ``postgres://`` and ``postgresql://`` URLs; SQLAlchemy
    would pick psycopg2 for both.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: Path) -> str:
    """Return the embedded-mode secret, generated on first use and kept in instance/.

    A fresh random key per start would sign out every session and break every
    tracking link on restart, so it is stored (mode 0600) next to the database.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def load_config(
    instance_path: Path, env: Mapping[str, str] | None = None, **overrides: Any
) -> dict[str, Any]:
    """Build the Flask config mapping from ``env`` (default ``os.environ``) and overrides.

    Overrides use the same names as the environment (``DATABASE_URL=...``) and win over it.
    """
    source: dict[str, Any] = dict(os.environ if env is None else env)
    source.update(overrides)
    get = source.get

    embedded = not get("DATABASE_URL")
    database_url = normalize_database_url(
        get("DATABASE_URL") or f"sqlite:///{instance_path / 'engagex.db'}"
    )
    secret_key = get("SECRET_KEY") or _instance_secret(instance_path)

    config: dict[str, Any] = {
        "EMBEDDED": embedded,
        "DATABASE_URL": database_url,
        "REDIS_URL": get("REDIS_URL") or None,
        "ENGAGEX_QUEUE_PREFIX": get("ENGAGEX_QUEUE_PREFIX") or "",
        "SECRET_KEY": secret_key,
        "ENGAGEX_BASE_URL": (get("ENGAGEX_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "ENGAGEX_MAIL_BACKEND": get("ENGAGEX_MAIL_BACKEND") or "outbox",
        # Sender of the platform's own mail (invitations, resets, notifications).
        "ENGAGEX_MAIL_FROM": get("ENGAGEX_MAIL_FROM") or "no-reply@engagex.localhost",
        "ENGAGEX_MAIL_FROM_NAME": get("ENGAGEX_MAIL_FROM_NAME") or "EngageX",
        "ENGAGEX_OUTBOX_DIR": get("ENGAGEX_OUTBOX_DIR") or str(ROOT / "outbox"),
        # Uploaded import files, read by the worker that runs the import (shared storage
        # when workers run on other machines); default: instance/uploads.
        "ENGAGEX_UPLOAD_DIR": get("ENGAGEX_UPLOAD_DIR"),
        "SMTP_HOST": get("SMTP_HOST"),
        "SMTP_PORT": int(get("SMTP_PORT") or 587),
        "SMTP_USERNAME": get("SMTP_USERNAME"),
        "SMTP_PASSWORD": get("SMTP_PASSWORD"),
        "SMTP_STARTTLS": _flag(get("SMTP_STARTTLS"), True),
        "SMTP_CA_FILE": get("SMTP_CA_FILE"),
        "SMTP_POOL_SIZE": int(get("SMTP_POOL_SIZE") or 4),
        "SMTP_TIMEOUT": float(get("SMTP_TIMEOUT") or 30),
        "SENDGRID_API_KEY": get("SENDGRID_API_KEY"),
        "SENDGRID_API_HOST": get("SENDGRID_API_HOST") or "https://api.sendgrid.com",
        "SENDGRID_WEBHOOK_PUBLIC_KEY": get("SENDGRID_WEBHOOK_PUBLIC_KEY"),
        "SENDGRID_CONCURRENCY": int(get("SENDGRID_CONCURRENCY") or 4),
        "STRIPE_API_KEY": get("STRIPE_API_KEY"),
        "STRIPE_API_BASE": get("STRIPE_API_BASE") or "https://api.stripe.com",
        "STRIPE_WEBHOOK_SECRET": get("STRIPE_WEBHOOK_SECRET"),
        # Days a past_due organization keeps sending before it is paused (0: at once).
        "ENGAGEX_BILLING_GRACE_DAYS": int(get("ENGAGEX_BILLING_GRACE_DAYS") or 7),
        "OIDC_ISSUER": get("OIDC_ISSUER"),
        "OIDC_CLIENT_ID": get("OIDC_CLIENT_ID"),
        "OIDC_CLIENT_SECRET": get("OIDC_CLIENT_SECRET"),
        "ENGAGEX_DNS_NAMESERVERS": [
            s.strip() for s in (get("ENGAGEX_DNS_NAMESERVERS") or "").split(",") if s.strip()
        ],
        "ENGAGEX_DNS_TIMEOUT": float(get("ENGAGEX_DNS_TIMEOUT") or 5),
        # What a sending domain's SPF must include and its DKIM CNAMEs must point to.
        "ENGAGEX_SPF_INCLUDE_SENDGRID": get("ENGAGEX_SPF_INCLUDE_SENDGRID") or "sendgrid.net",
        "ENGAGEX_SPF_INCLUDE_SMTP": get("ENGAGEX_SPF_INCLUDE_SMTP") or None,
        "ENGAGEX_DKIM_SENDGRID_TARGETS": get("ENGAGEX_DKIM_SENDGRID_TARGETS")
        or "s1.domainkey.sendgrid.net,s2.domainkey.sendgrid.net",
        "ENGAGEX_ALLOW_UNVERIFIED_SENDERS": _flag(
            get("ENGAGEX_ALLOW_UNVERIFIED_SENDERS"), embedded
        ),
        # The PostgreSQL role the application's queries run as (row-level security
        # applies to it); migrations run as the connecting, owning role.
        "ENGAGEX_DB_APP_ROLE": get("ENGAGEX_DB_APP_ROLE") or "engagex_app",
        "ENGAGEX_FRONTEND_DIST": get("ENGAGEX_FRONTEND_DIST") or str(ROOT / "frontend" / "dist"),
        "ENGAGEX_LOG_LEVEL": (get("ENGAGEX_LOG_LEVEL") or "INFO").upper(),
        "SENTRY_DSN": get("SENTRY_DSN"),
        # Cookies are Secure unless this says otherwise or the base URL is http on loopback.
        "ENGAGEX_COOKIE_SECURE": (
            None
            if get("ENGAGEX_COOKIE_SECURE") in (None, "")
            else _flag(get("ENGAGEX_COOKIE_SECURE"), True)
        ),
        # JSON object: rate-limit name -> limits string (see blueprints/accounts/ratelimit.py).
        "ENGAGEX_RATE_LIMITS": _json_object(get("ENGAGEX_RATE_LIMITS"), "ENGAGEX_RATE_LIMITS"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* to trust.
        "ENGAGEX_TRUSTED_PROXIES": int(get("ENGAGEX_TRUSTED_PROXIES") or 0),
        # Flask and extension settings derived from the above.
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": int(get("ENGAGEX_MAX_UPLOAD_BYTES") or 64 * 1024 * 1024),
        "API_TITLE": "EngageX API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
        "TESTING": _flag(get("TESTING"), False),
    }
    # Anything else passed explicitly (e.g. TESTING-only knobs) is kept as given.
    for key, value in overrides.items():
        config.setdefault(key, value)
    return config
