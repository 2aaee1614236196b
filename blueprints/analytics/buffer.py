"""The buffer between the hot tracking routes and the database.

An open or a click costs the request a signature check and one push; the events are
written later, in bulk, by ``flush`` (``blueprints.analytics.tasks.flush_events``).

- **With ``REDIS_URL``**: a Redis list. Each process gathers its hits for
  ``ENGAGEX_TRACKING_PUSH_MS`` (50 ms) and a background thread sends them in one round
  trip (``RPUSH`` of the batch plus a ``SET NX`` of a "flush scheduled" flag), so a hit
  costs the request no network at all; remaining hits are pushed when the process
  exits normally (a killed worker loses at most those 50 ms). The push that sets the
  flag enqueues the flush job, so there is at most one job per burst. The job clears the flag, then reads
  batches with ``LRANGE``, writes them, and only then trims them with ``LTRIM``: a crash
  between the write and the trim re-reads the batch, and every event carries its own id
  (``analytics_events.provider_event_id`` is unique), so nothing is counted twice.
  A lock keeps flushes one at a time; the lock holder re-checks the list after
  releasing it so that no event pushed meanwhile is stranded. ``engagex analytics
  flush`` from cron every minute is the backstop if a worker died holding the lock.
- **Without Redis** (the embedded mode): an in-process list, written by a background
  thread every ``ENGAGEX_TRACKING_FLUSH_SECONDS``. Events of a process that dies before
  its next flush are lost; the embedded mode trades that for needing nothing.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from blueprints.analytics import settings
from engagex.jobs import get_queue, redis_connection

log = logging.getLogger(__name__)

LIST_KEY = "analytics:events"
FLAG_KEY = "analytics:flush-scheduled"
LOCK_KEY = "analytics:flush-lock"
FLAG_SECONDS = 60
LOCK_SECONDS = 300
FLUSH_TASK = "blueprints.analytics.tasks:flush_events"


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"))


def _key(app: Flask, name: str) -> str:
    return app.config["ENGAGEX_QUEUE_PREFIX"] + name


# --- Redis ----------------------------------------------------------------------------


def _push_redis(app: Flask, raws: list[str]) -> None:
    conn = redis_connection(app)
    pipe = conn.pipeline(transaction=False)
    pipe.rpush(_key(app, LIST_KEY), *raws)
    pipe.set(_key(app, FLAG_KEY), b"1", nx=True, ex=FLAG_SECONDS)
    _, scheduled = pipe.execute()
    if scheduled:
        # No database transaction here to wait for: enqueue at once (engagex.jobs
        # would hold the job until a commit that never comes).
        get_queue("default", app).enqueue_call(
            "engagex.jobs.execute",
            args=[FLUSH_TASK, None, [], {}, "default"],
            description=FLUSH_TASK,
            timeout=LOCK_SECONDS,
        )


def _drain_redis(app: Flask, handle: Callable[[list[str]], None], batch: int) -> int:
    conn = redis_connection(app)
    list_key, lock_key = _key(app, LIST_KEY), _key(app, LOCK_KEY)
    total = 0
    while True:
        token = os.urandom(8).hex()
        if not conn.set(lock_key, token, nx=True, ex=LOCK_SECONDS):
            return total  # another flush holds the lock and will re-check the list
        try:
            conn.delete(_key(app, FLAG_KEY))
            while True:
                raw = conn.lrange(list_key, 0, batch - 1)
                if not raw:
                    break
                handle([item.decode() if isinstance(item, bytes) else item for item in raw])
                conn.ltrim(list_key, len(raw), -1)
                total += len(raw)
        finally:
            if conn.get(lock_key) == token.encode():
                conn.delete(lock_key)
        if not conn.llen(list_key):
            return total


class _Batcher:
    """Per process: hits gathered for a few milliseconds, pushed to Redis in one go."""

    MAX_KEPT = 200_000  # while Redis is unreachable, keep at most this many

    def __init__(self) -> None:
        self.items: list[str] = []
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.app: Flask | None = None

    def add(self, app: Flask, raw: str, interval: float) -> None:
        with self.lock:
            self.items.append(raw)
            size = len(self.items)
            if self.thread is None:
                self.app = app
                self.thread = threading.Thread(
                    target=self._loop, args=(interval,), name="analytics-push", daemon=True
                )
                self.thread.start()
                atexit.register(self.push_now)
        if size >= 1000:
            self.wake.set()

    def push_now(self) -> int:
        with self.lock:
            items, self.items = self.items, []
        if not items or self.app is None:
            return 0
        try:
            _push_redis(self.app, items)
        except Exception:
            log.exception("could not push %d tracking events to Redis; keeping them", len(items))
            with self.lock:
                self.items[:0] = items[-self.MAX_KEPT :]
            return 0
        return len(items)

    def _loop(self, interval: float) -> None:
        while True:
            self.wake.wait(interval)
            self.wake.clear()
            if not self.push_now() and self.items:
                time.sleep(1.0)  # Redis is down: do not spin


_batcher = _Batcher()


# --- in process -----------------------------------------------------------------------


class _Local:
    def __init__(self) -> None:
        self.items: deque[str] = deque()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


_local = _Local()


def _after_fork() -> None:
    # A forked worker (gunicorn, RQ) must not share the parent's buffered hits, locks or
    # (dead, in the child) threads.
    _batcher.__init__()  # type: ignore[misc]
    _local.reset()


os.register_at_fork(after_in_child=_after_fork)


def _push_local(app: Flask, raw: str) -> None:
    _local.items.append(raw)
    if _local.thread is None and not app.testing and settings.flush_seconds(app) > 0:
        _start_thread(app)
    elif len(_local.items) >= settings.flush_batch(app):
        _local.wake.set()


def _start_thread(app: Flask) -> None:
    with _local.lock:
        if _local.thread is not None:
            return
        interval = settings.flush_seconds(app)
        thread = threading.Thread(
            target=_flush_loop, args=(app, interval), name="analytics-flush", daemon=True
        )
        _local.thread = thread
        thread.start()


def _flush_loop(app: Flask, interval: float) -> None:
    from blueprints.analytics import tasks

    while True:
        _local.wake.wait(interval)
        _local.wake.clear()
        try:
            with app.app_context():
                tasks.flush_events()
        except Exception:
            log.exception("writing the buffered tracking events failed; retrying")
            time.sleep(interval)


def _drain_local(handle: Callable[[list[str]], None], batch: int) -> int:
    total = 0
    with _local.lock:  # one drain at a time
        while _local.items:
            chunk = []
            while _local.items and len(chunk) < batch:
                chunk.append(_local.items.popleft())
            try:
                handle(chunk)
            except BaseException:
                _local.items.extendleft(reversed(chunk))  # try again at the next flush
                raise
            total += len(chunk)
    return total


# --- the interface ----------------------------------------------------------------------


def push(event: dict[str, Any], app: Flask | None = None) -> None:
    """Buffer one tracking event; never raises (a hit must not fail on a Redis outage)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    raw = encode(event)
    try:
        if app.config.get("REDIS_URL"):
            interval = settings.push_seconds(app)
            if interval > 0:
                _batcher.add(app, raw, interval)
            else:
                _push_redis(app, [raw])
        else:
            _push_local(app, raw)
    except Exception:
        log.exception("a tracking event could not be buffered and is lost")


def drain(handle: Callable[[list[str]], None], batch: int | None = None) -> int:
    """Hand every buffered event to ``handle`` in batches; returns how many.

    ``handle`` writes and commits one batch; a batch it raises on stays buffered.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    size = batch or settings.flush_batch()
    if app.config.get("REDIS_URL"):
        return _drain_redis(app, handle, size)
    return _drain_local(handle, size)


def pending() -> int:
    """Events waiting in the buffer."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("REDIS_URL"):
        return int(redis_connection(app).llen(_key(app, LIST_KEY)))
    return len(_local.items)
