"""Background jobs on RQ 3, with an in-process mode for the embedded setup.

Task functions are plain functions decorated with ``@job(queue=...)``. Calling
``task.delay(*args, org_id=..., job_id=...)`` does not enqueue at once: the job is held
until the current database transaction commits and dropped if it rolls back, so a
rolled-back change never triggers work. Arguments must be JSON values (ids, not
objects): the queue uses RQ's JSON serializer.

Every job runs through ``execute``: inside an application context, inside the tenant
context of its organization (or ``system_scope()`` when it has none), and its session is
committed on success and rolled back on failure.

Without ``REDIS_URL`` the same functions run in-process, synchronously, right after the
commit that released them, in a fresh application context (their own session).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import redis
from flask import Flask, current_app, has_app_context
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from engagex import metrics
from engagex.db import db
from engagex.tenancy import system_scope, tenant_context

log = logging.getLogger(__name__)

QUEUES = ("mail", "default", "bulk")
"""Queue names, highest priority first: workers listening to all drain ``mail`` first."""

_PENDING = "engagex.pending_jobs"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class PendingJob:
    func_path: str
    queue: str
    org_id: int | None
    args: list[Any]
    kwargs: dict[str, Any]
    job_id: str | None = None
    timeout: int | None = None
    retry: tuple[int, ...] = ()


class Task:
    """A task function plus its queue; call it directly or ``.delay()`` it."""

    def __init__(
        self, func: Callable[..., Any], queue: str, timeout: int | None, retry: tuple[int, ...]
    ) -> None:
        if queue not in QUEUES:
            raise ValueError(f"unknown queue {queue!r}; known: {', '.join(QUEUES)}")
        functools.update_wrapper(self, func)
        self.func = func
        self.queue = queue
        self.timeout = timeout
        self.retry = retry
        self.path = f"{func.__module__}:{func.__qualname__}"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def delay(
        self, *args: Any, org_id: int | None, job_id: str | None = None, **kwargs: Any
    ) -> None:
        """Run this task after the current transaction commits.

        ``org_id`` is required (``None`` means a system job) so that no caller forgets
        the tenant. A ``job_id`` makes the job idempotent: while a job with that id is
        queued or running, enqueueing it again does nothing.
        """
        enqueue(
            PendingJob(
                self.path, self.queue, org_id, list(args), kwargs, job_id, self.timeout, self.retry
            )
        )


def job(
    queue: str = "default", timeout: int | None = None, retry: tuple[int, ...] = ()
) -> Callable[[Callable[..., Any]], Task]:
    """Declare a task function.

    ``timeout`` (seconds) bounds one run on a worker. ``retry`` gives the delays (seconds)
    before each new attempt after a failure on a worker; in-process jobs are not retried.
    """

    def wrap(func: Callable[..., Any]) -> Task:
        return Task(func, queue, timeout, retry)

    return wrap


def enqueue(pending: PendingJob) -> None:
    """Park ``pending`` on the session until its transaction commits.

    A transaction is begun when none is open, so a job always waits for the boundary's
    commit, whether or not the caller touched the database before.
    """
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, []).append(pending)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        _dispatch(pending)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    dropped = session.info.pop(_PENDING, None)
    if dropped:
        log.info("dropped %d job(s) of a rolled-back transaction", len(dropped))


def _dispatch(jobs: list[PendingJob]) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("REDIS_URL"):
        for pending in jobs:
            _enqueue_rq(app, pending)
    else:
        for pending in jobs:
            with app.app_context():
                _run_in_process(pending)


def _run_in_process(pending: PendingJob) -> None:
    try:
        execute(pending.func_path, pending.org_id, pending.args, pending.kwargs, pending.queue)
    except Exception:
        # As on a worker, a failing job is logged and counted; it does not fail the
        # request that released it (that transaction is already committed).
        log.exception("in-process job %s failed", pending.func_path)


def redis_connection(app: Flask | None = None) -> redis.Redis:
    app = app or current_app
    conn = app.extensions.get("engagex.redis")
    if conn is None:
        conn = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=5)
        app.extensions["engagex.redis"] = conn
    return conn


def get_queue(name: str, app: Flask | None = None) -> Queue:
    """The RQ queue ``name``; ``ENGAGEX_QUEUE_PREFIX`` lets deployments share one Redis."""
    app = app or current_app
    return Queue(
        app.config["ENGAGEX_QUEUE_PREFIX"] + name,
        connection=redis_connection(app),
        serializer=JSONSerializer,
    )


def _enqueue_rq(app: Flask, pending: PendingJob) -> None:
    queue = get_queue(pending.queue, app)
    try:
        queue.enqueue_call(
            "engagex.jobs.execute",
            args=[pending.func_path, pending.org_id, pending.args, pending.kwargs, pending.queue],
            timeout=pending.timeout,
            job_id=app.config["ENGAGEX_QUEUE_PREFIX"] + pending.job_id if pending.job_id else None,
            unique=pending.job_id is not None,
            description=pending.func_path,
            retry=Retry(max=len(pending.retry), interval=list(pending.retry))
            if pending.retry
            else None,
        )
    except DuplicateJobError:
        log.info("job %s already queued; not enqueued twice", pending.job_id)


def _resolve(func_path: str) -> Task | Callable[..., Any]:
    module_name, _, qualname = func_path.partition(":")
    obj: Any = __import__(module_name, fromlist=["_"])
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


_worker_app: Flask | None = None
_worker_pid: int | None = None


def set_worker_app(app: Flask) -> None:
    """Create the app once in the worker's parent process; forked children reuse it."""
    global _worker_app, _worker_pid
    _worker_app, _worker_pid = app, os.getpid()


def _app_for_job() -> Flask:
    global _worker_app, _worker_pid
    if _worker_app is None:
        from engagex.app import create_app

        set_worker_app(create_app())
    assert _worker_app is not None
    if _worker_pid != os.getpid():
        # A forked work horse must not share the parent's pooled connections.
        with _worker_app.app_context():
            db.engine.dispose(close=False)
        _worker_pid = os.getpid()
    return _worker_app


def execute(
    func_path: str,
    org_id: int | None,
    args: list[Any],
    kwargs: dict[str, Any],
    queue: str = "default",
) -> Any:
    """Entry point of every job, on a worker or in-process."""
    if has_app_context():
        return _execute_in_context(func_path, org_id, args, kwargs, queue)
    with _app_for_job().app_context():
        return _execute_in_context(func_path, org_id, args, kwargs, queue)


def _execute_in_context(
    func_path: str, org_id: int | None, args: list[Any], kwargs: dict[str, Any], queue: str
) -> Any:
    func = _resolve(func_path)
    target = func.func if isinstance(func, Task) else func
    scope = system_scope() if org_id is None else tenant_context(int(org_id))
    started = time.perf_counter()
    status = "failed"
    try:
        with scope:
            try:
                result = target(*args, **kwargs)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
        status = "finished"
        return result
    finally:
        metrics.JOBS.labels(queue=queue, task=func_path, status=status).inc()
        metrics.JOB_DURATION.labels(queue=queue, task=func_path).observe(
            time.perf_counter() - started
        )
