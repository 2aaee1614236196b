"""The outbox backend, the process backend and the transactional ``mail`` queue."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from engagex import mail
from engagex.db import db
from engagex.jobs import get_queue
from engagex.mail import Message, Personalization
from engagex.mail.outbox import OutboxBackend
from engagex.mail.smtp import SmtpBackend
from engagex.mail.tasks import TemporaryDeliveryError, deliver
from tests.conftest import REDIS_URL
from tests.mail.smtp_server import SmtpServer, free_port


def msg(to: str = "ana@example.com", **fields: object) -> Message:
    values: dict[str, object] = {
        "to_email": to,
        "from_email": "news@example.org",
        "subject": "Hello",
        "html": "<p>Hello</p>",
        "text": "Hello",
    }
    values.update(fields)
    return Message(**values)  # type: ignore[arg-type]


def read_eml(path: Path) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_outbox_writes_readable_eml_files(tmp_path: Path) -> None:
    backend = OutboxBackend(tmp_path / "outbox")
    results = backend.send(
        [msg(subject="Grüße", to_name="Zoë"), msg("bad-address"), msg("bo@bücher.example")]
    )
    assert [(r.ok, r.permanent) for r in results] == [(True, False), (False, True), (True, False)]
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert [f.name for f in files] == sorted(r.provider_id for r in results if r.ok)  # type: ignore[type-var]
    assert not list((tmp_path / "outbox").glob("*.tmp"))
    parsed = {read_eml(f)["Message-ID"]: read_eml(f) for f in files}
    first = parsed[results[0].message_id]
    assert first["Subject"] == "Grüße"
    assert first["To"].addresses[0].display_name == "Zoë"
    assert first.get_body(("html",)).get_content() == "<p>Hello</p>"  # type: ignore[union-attr]
    assert parsed[results[2].message_id]["To"].addresses[0].domain == "xn--bcher-kva.example"


def test_outbox_batch_expands(tmp_path: Path) -> None:
    backend = OutboxBackend(tmp_path)
    template = msg("", subject="Hi -n-")
    results = backend.send_batch(
        template, [Personalization("a@example.com", substitutions={"-n-": "A"})]
    )
    assert results[0].ok
    assert read_eml(tmp_path / results[0].provider_id)["Subject"] == "Hi A"  # type: ignore[operator]


@pytest.fixture
def in_process(app: Flask) -> Iterator[Path]:
    """Jobs run in-process after commit; the backend is the app's outbox."""
    previous = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = None
    with app.app_context():
        mail.close_backend()
    yield Path(app.config["ENGAGEX_OUTBOX_DIR"])
    app.config["REDIS_URL"] = previous
    with app.app_context():
        mail.close_backend()


def test_queue_delivers_after_commit_on_the_mail_queue(session: object, in_process: Path) -> None:
    assert deliver.queue == "mail"
    message_id = mail.queue(msg(subject="Welcome"))
    assert not _outbox_ids(in_process) & {message_id}  # held until the commit
    db.session.commit()
    assert message_id in _outbox_ids(in_process)


def test_queue_in_a_rolled_back_transaction_sends_nothing(
    session: object, in_process: Path
) -> None:
    message_id = mail.queue(msg(subject="Never"))
    db.session.rollback()
    assert message_id not in _outbox_ids(in_process)


def test_queue_enqueues_once_on_the_mail_queue_of_redis(app: Flask, session: object) -> None:
    conn = redis.Redis.from_url(REDIS_URL)
    conn.flushdb()
    previous = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = REDIS_URL
    app.extensions.pop("engagex.redis", None)
    try:
        message = msg().with_message_id()
        first = mail.queue(message)
        assert mail.queue(message) == first  # the same message queued twice...
        db.session.commit()
        queue = get_queue("mail")
        assert queue.count == 1  # ...is one job
        (job,) = queue.get_jobs()
        assert job.args[0] == "engagex.mail.tasks:deliver"
        assert job.args[2][0]["message_id"] == first
    finally:
        app.config["REDIS_URL"] = previous
        app.extensions.pop("engagex.redis", None)
        conn.flushdb()


def test_deliver_fails_the_job_on_a_temporary_failure_only(app: Flask) -> None:
    with app.app_context():
        app.extensions["engagex.mail_backend"] = SmtpBackend(
            "127.0.0.1", free_port(), starttls=False, timeout=5
        )
        try:
            with pytest.raises(TemporaryDeliveryError, match="cannot connect"):
                deliver.func(_as_job_arg(msg()))
            # A permanent refusal is final: the job succeeds, nothing to retry.
            deliver.func(_as_job_arg(msg("not-an-address")))
        finally:
            mail.close_backend()


def test_get_backend_builds_the_configured_backend_once(app: Flask) -> None:
    with SmtpServer() as server, app.app_context():
        saved = dict(app.config)
        app.config.update(
            ENGAGEX_MAIL_BACKEND="smtp",
            SMTP_HOST=server.host,
            SMTP_PORT=server.port,
            SMTP_STARTTLS=False,
        )
        mail.close_backend()
        try:
            backend = mail.get_backend()
            assert isinstance(backend, SmtpBackend) and mail.get_backend() is backend
            mail.send_now([msg()])
            mail.send_batch_now(
                msg("", subject="Hi -n-"),
                [Personalization("b@example.com", substitutions={"-n-": "B"})],
            )
        finally:
            mail.close_backend()
            app.config.clear()
            app.config.update(saved)
    assert [r.rcpt_tos for r in server.received] == [["ana@example.com"], ["b@example.com"]]
    assert server.connections == 1


def _as_job_arg(message: Message) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(message.with_message_id())


def _outbox_ids(directory: Path) -> set[str]:
    if not directory.exists():
        return set()
    return {read_eml(f)["Message-ID"] for f in directory.glob("*.eml")}
