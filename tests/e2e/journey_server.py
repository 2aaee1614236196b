"""The platform as it runs in production, for the end-to-end journey: the app on a
database of its own, jobs on Redis run by a real ``engagex worker`` process, and every
email (campaigns and the platform's own) delivered over SMTP to an aiosmtpd server.

The session's ``live_server`` runs jobs in-process and writes mail to an outbox, which
suits screens but not a send whose progress a person watches.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

import flask_migrate
import redis

from engagex import create_app
from engagex.db import db
from tests.conftest import REDIS_URL, app_config, create_database, drop_database
from tests.e2e.conftest import serving
from tests.mail.smtp_server import SmtpServer, free_port

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class JourneyServer:
    url: str
    app: Flask
    smtp: SmtpServer
    #: What the worker process logged (read it when a job seems not to have run).
    worker_log: Path

    def messages_to(self, address: str) -> list[EmailMessage]:
        """Messages the SMTP server accepted for ``address``, oldest first."""
        parser = BytesParser(policy=policy.default)
        return [
            parser.parsebytes(received.data)
            for received in list(self.smtp.received)
            if address.lower() in (rcpt.lower() for rcpt in received.rcpt_tos)
        ]


def _settings(
    database_url: str, prefix: str, port: int, smtp: SmtpServer, dns: str
) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "ENGAGEX_QUEUE_PREFIX": prefix,
        "ENGAGEX_BASE_URL": f"http://127.0.0.1:{port}",
        "ENGAGEX_MAIL_BACKEND": "smtp",
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "0",
        "ENGAGEX_DNS_NAMESERVERS": dns,
        "ENGAGEX_DNS_TIMEOUT": "3",
        # The test's "people" open and click within seconds of the send, which the
        # scanner heuristic would otherwise count as machines.
        "ENGAGEX_MACHINE_SECONDS": "0",
    }


@contextmanager
def journey_server(tmp: Path, frontend_dist: Path, dns_address: str) -> Iterator[JourneyServer]:
    name = f"engagex_journey_{uuid.uuid4().hex[:8]}"
    prefix = f"journey-{uuid.uuid4().hex[:8]}-"
    database_url = create_database(name)
    port = free_port()
    smtp = SmtpServer().start()
    settings = _settings(database_url, prefix, port, smtp, dns_address)
    config = app_config(tmp, ENGAGEX_FRONTEND_DIST=str(frontend_dist), **settings)
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    # The worker's log is a file: a pipe nobody reads would block it once full.
    log = (tmp / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "cli", "worker"],
        cwd=ROOT,
        env={
            **os.environ,
            **{key: str(value) for key, value in config.items()},
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with serving(app, port) as url:
            yield JourneyServer(url=url, app=app, smtp=smtp, worker_log=tmp / "worker.log")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
        smtp.controller.stop()
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
        with app.app_context():
            db.engine.dispose()
        drop_database(name)
