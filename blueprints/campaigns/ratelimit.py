"""Token buckets that pace deliveries: one per organization, one per mail backend.

A worker *reserves* the tokens for the messages it is about to send and sleeps for
the time the bucket says they cost: the bucket may go below zero, and every later
caller waits its turn, so any number of workers on any number of machines share one
rate without polling. The buckets live in Redis (one Lua script, atomic, Redis's own
clock); in the in-process mode (no ``REDIS_URL``) there is only this process, and a
local bucket with the same arithmetic does the job.

A bucket holds at most one second of tokens (``capacity = rate``), so an idle bucket
allows a burst of one second's worth and then the steady rate.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import redis
from flask import current_app

from engagex.jobs import redis_connection

_SCRIPT = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if now <= 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1])
local stamp = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  stamp = now
end
if now > stamp then
  tokens = math.min(capacity, tokens + (now - stamp) * rate)
  stamp = now
end
tokens = tokens - wanted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(stamp))
local wait = 0
if tokens < 0 then wait = -tokens / rate end
redis.call('EXPIRE', KEYS[1], math.ceil(wait + capacity / rate) + 60)
return tostring(wait)
"""


@dataclass
class _Local:
    tokens: float
    stamp: float


class LocalBuckets:
    """The same buckets in this process only (in-process mode)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, _Local] = {}

    def reserve(self, key: str, rate: float, wanted: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Local(rate, now)
            if now > bucket.stamp:
                bucket.tokens = min(rate, bucket.tokens + (now - bucket.stamp) * rate)
                bucket.stamp = now
            bucket.tokens -= wanted
            return -bucket.tokens / rate if bucket.tokens < 0 else 0.0


_local = LocalBuckets()


class RedisBuckets:
    def __init__(self, connection: redis.Redis, prefix: str) -> None:
        self.connection = connection
        self.prefix = prefix
        self._script = connection.register_script(_SCRIPT)

    def reserve(self, key: str, rate: float, wanted: int, now: float | None = None) -> float:
        """Take ``wanted`` tokens; the seconds to wait before using them (``now``:
        epoch seconds, for tests; default Redis's clock)."""
        result = self._script(
            keys=[f"{self.prefix}engagex:rate:{key}"],
            args=[rate, max(rate, 1.0), wanted, now if now is not None else 0],
        )
        return float(result)


def buckets() -> LocalBuckets | RedisBuckets:
    app = current_app
    if not app.config.get("REDIS_URL"):
        return _local
    found = app.extensions.get("engagex.campaign_buckets")
    if found is None:
        found = RedisBuckets(redis_connection(app), app.config.get("ENGAGEX_QUEUE_PREFIX") or "")
        app.extensions["engagex.campaign_buckets"] = found
    return found


def chunk_size(*rates: float) -> int | None:
    """Messages to reserve at once: one second's worth of the slowest limit (None:
    no limit, send the whole batch)."""
    limits = [r for r in rates if r > 0]
    if not limits:
        return None
    return max(1, int(min(limits)))


def reserve(org_id: int, backend: str, count: int, org_rate: float, backend_rate: float) -> float:
    """Reserve ``count`` messages in both buckets; the seconds to wait first."""
    store = buckets()
    wait = 0.0
    if org_rate > 0:
        wait = max(wait, store.reserve(f"org:{org_id}", org_rate, count))
    if backend_rate > 0:
        wait = max(wait, store.reserve(f"backend:{backend}", backend_rate, count))
    return wait
