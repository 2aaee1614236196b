"""gunicorn settings used by ``engagex serve --workers N`` (``-c python:engagex.gunicorn_conf``).

Override any of them on the command line or with ``GUNICORN_CMD_ARGS``.
"""

from __future__ import annotations

import os
from typing import Any

# Requests are short; long work goes to RQ workers. Keep-alive suits a reverse proxy.
timeout = 30
graceful_timeout = 30
keepalive = 5
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's samples from the shared Prometheus directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
