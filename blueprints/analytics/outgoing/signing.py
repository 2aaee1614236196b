"""Signatures of outgoing webhook deliveries (HMAC-SHA256 over timestamp and body).

Headers of every delivery:

- ``X-EngageX-Event``: the event type (``email.bounced``...);
- ``X-EngageX-Delivery``: the event id (the same for a replay: deduplicate on it);
- ``X-EngageX-Timestamp``: Unix seconds when this attempt was signed;
- ``X-EngageX-Signature``: ``v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>``,
  twice (comma-separated) for 24 hours after a secret rotation: one per secret.

Receivers recompute the HMAC over the raw body, compare in constant time with any
``v1=`` value, and refuse timestamps older than five minutes (replays). See
docs/analytics.md for the verification snippet; ``verify`` below is the same logic.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

SCHEME = "v1"
TOLERANCE = 300
HEADER_EVENT = "X-EngageX-Event"
HEADER_DELIVERY = "X-EngageX-Delivery"
HEADER_TIMESTAMP = "X-EngageX-Timestamp"
HEADER_SIGNATURE = "X-EngageX-Signature"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secrets_: Iterable[str], timestamp: int, body: bytes) -> str:
    return ",".join(f"{SCHEME}={signature(s, timestamp, body)}" for s in secrets_)


def verify(
    secret: str,
    body: bytes,
    timestamp_header: str,
    signature_header: str,
    *,
    tolerance: int = TOLERANCE,
    now: float | None = None,
) -> bool:
    """The receiver's check (also used by the tests)."""
    try:
        timestamp = int(timestamp_header)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    for part in (signature_header or "").split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value, expected):
            return True
    return False
