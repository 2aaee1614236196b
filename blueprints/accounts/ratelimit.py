"""Rate limits of the ways in (flask-limiter's storage: Redis with REDIS_URL, else memory).

Each limit has a name and a ``limits`` string; ``ENGAGEX_RATE_LIMITS`` (a mapping in the
app config) overrides them. A request over a limit gets 429 ``rate_limited`` with
``Retry-After``. If the storage is down, requests are let through and the error logged:
an outage of Redis must not lock everyone out.
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from engagex.extensions import limiter

log = logging.getLogger(__name__)

DEFAULT_LIMITS: dict[str, str] = {
    # Every sign-in attempt, per client address.
    "sign_in_ip": "20 per minute; 200 per hour",
    # Failed sign-ins per account, whatever the address (guessing one person's password).
    "sign_in_account": "10 per 15 minutes; 50 per day",
    # Wrong second-factor codes per account (10^6 codes: this keeps guessing hopeless).
    "mfa_account": "5 per 5 minutes; 20 per day",
    "sign_up_ip": "10 per hour",
    "password_reset_ip": "5 per minute; 30 per hour",
    "password_reset_account": "3 per hour",
    "invitation_accept_ip": "20 per minute",
    "invitations_org": "100 per hour; 500 per day",
    "invitations_ip": "30 per minute",
    "sso_ip": "30 per minute",
}


def _ids(name: str, key: str) -> tuple[str, str, str]:
    # The prefix keeps apps sharing one Redis (staging and production, tests) apart.
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "engagex", name, key)


def _items(name: str) -> list[RateLimitItem]:
    overrides = current_app.config.get("ENGAGEX_RATE_LIMITS") or {}
    return parse_many(overrides.get(name, DEFAULT_LIMITS[name]))


def _exceeded(name: str, item: RateLimitItem, key: str) -> TooManyRequests:
    reset_at = limiter.limiter.get_window_stats(item, *_ids(name, key)).reset_time
    retry_after = max(1, math.ceil(reset_at - time.time()))
    error = TooManyRequests()
    error.data = {  # type: ignore[attr-defined]
        "message": f"Too many attempts; try again in {retry_after} seconds.",
        "headers": {"Retry-After": str(retry_after)},
    }
    return error


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def hit(name: str, key: str) -> None:
    """Count one event of ``name`` for ``key``; 429 if that goes over a limit."""
    if not _enabled():
        return
    try:
        for item in _items(name):
            if not limiter.limiter.hit(item, *_ids(name, key)):
                raise _exceeded(name, item, key)
    except TooManyRequests:
        raise
    except Exception:  # the storage is down: fail open, loudly
        log.exception("rate limit storage error on %s", name)


def check(name: str, key: str) -> None:
    """429 if ``key`` already used up ``name`` (counts nothing: pair with ``hit`` on failure)."""
    if not _enabled():
        return
    try:
        for item in _items(name):
            if not limiter.limiter.test(item, *_ids(name, key)):
                raise _exceeded(name, item, key)
    except TooManyRequests:
        raise
    except Exception:
        log.exception("rate limit storage error on %s", name)
