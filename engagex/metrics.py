"""Prometheus metrics of the process, exported at ``/metrics``.

With several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (docs/deploy.md): each
process writes its samples there and ``/metrics`` aggregates them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_LATENCY = Histogram(
    "engagex_http_request_duration_seconds",
    "Latency of HTTP requests by endpoint",
    ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOBS = Counter(
    "engagex_jobs_total", "Jobs run, by queue, task and outcome", ["queue", "task", "status"]
)
JOB_DURATION = Histogram(
    "engagex_job_duration_seconds",
    "Duration of jobs",
    ["queue", "task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)
EMAILS_SENT = Counter(
    "engagex_emails_sent_total", "Messages handed to a mail backend", ["backend", "result"]
)


def render() -> tuple[bytes, str]:
    """The exposition text for this process (or all processes in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
