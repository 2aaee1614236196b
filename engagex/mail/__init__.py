"""Message building and delivery: one interface over the outbox, SMTP and SendGrid.

Callers build ``Message`` values and either ``send_now`` them (a campaign batch job,
already on a worker) or ``queue`` them (transactional mail: invitations, password
resets, notifications), which delivers on the high-priority ``mail`` queue after the
current transaction commits.

A campaign whose recipients differ only by substitutions sends one template and a
list of ``Personalization`` values with ``send_batch_now``: SendGrid then carries up to
1000 recipients per request; the other backends expand them locally (same result).

Outcomes: every backend returns one ``Result`` per message, in order, and never raises
for a delivery problem, even when the server is unreachable or the credentials are
refused: those are temporary failures whose ``error`` says so (the campaign
pipeline's error-rate threshold turns them into a paused campaign with that reason).
``permanent`` failures must not be retried. Backends raise only for a configuration
that cannot work at all (``from_config`` without a host or key).

Signing (DKIM) is a hook: the domains package registers a signer with
``register_signer``; every backend that sends raw MIME passes the bytes through it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable

from flask import Flask, current_app

from engagex.mail.message import (
    AddressError,
    Message,
    Personalization,
    build_mime,
    expand,
    render,
)

__all__ = [
    "AddressError",
    "Backend",
    "BatchBackend",
    "Message",
    "Personalization",
    "Result",
    "build_mime",
    "close_backend",
    "count",
    "expand",
    "get_backend",
    "queue",
    "register_signer",
    "render",
    "send_batch_now",
    "send_now",
    "sign",
]


@dataclass(frozen=True)
class Result:
    """What a backend did with one message."""

    message_id: str
    to_email: str
    ok: bool
    #: True when retrying cannot help (hard bounce at submission, invalid address).
    permanent: bool = False
    provider_id: str | None = None
    error: str | None = None
    #: The SMTP reply code or HTTP status behind the outcome, when there was one.
    code: int | None = None
    #: For a temporary failure: seconds the provider asked us to wait, when it said.
    retry_after: float | None = None


@runtime_checkable
class Backend(Protocol):
    name: str

    def send(self, messages: Sequence[Message]) -> list[Result]:
        """Deliver ``messages``; one ``Result`` per message, in order. Never raises for a
        per-message failure; raises only when the backend itself is unusable."""

    def close(self) -> None: ...


@runtime_checkable
class BatchBackend(Backend, Protocol):
    """A backend that takes a template plus personalizations (all built-in ones do)."""

    def send_batch(
        self, template: Message, personalizations: Sequence[Personalization]
    ) -> list[Result]:
        """Deliver ``expand(template, p)`` for each ``p``; one ``Result`` per
        personalization, in order. ``template.to_email``/``to_name`` are ignored."""


Signer = Callable[[bytes, Message], bytes]
_signers: list[Signer] = []


def register_signer(signer: Signer) -> None:
    """Add a function that returns the raw message with signature headers prepended."""
    if signer not in _signers:
        _signers.append(signer)


def sign(raw: bytes, message: Message) -> bytes:
    for signer in _signers:
        raw = signer(raw, message)
    return raw


def count(backend: str, results: Sequence[Result]) -> None:
    """Add ``results`` to ``engagex_emails_sent_total`` (backends call this themselves)."""
    from engagex import metrics

    sent = sum(1 for r in results if r.ok)
    permanent = sum(1 for r in results if not r.ok and r.permanent)
    temporary = len(results) - sent - permanent
    for result, n in (
        ("sent", sent),
        ("failed_permanent", permanent),
        ("failed_temporary", temporary),
    ):
        if n:
            metrics.EMAILS_SENT.labels(backend=backend, result=result).inc(n)


_EXTENSION = "engagex.mail_backend"


def get_backend(app: Flask | None = None) -> Backend:
    """The configured backend of this process (one per app, reused across sends)."""
    app = app or current_app
    backend = app.extensions.get(_EXTENSION)
    if backend is None:
        name = app.config["ENGAGEX_MAIL_BACKEND"]
        if name == "outbox":
            from engagex.mail.outbox import OutboxBackend

            backend = OutboxBackend(app.config["ENGAGEX_OUTBOX_DIR"])
        elif name == "smtp":
            from engagex.mail.smtp import SmtpBackend

            backend = SmtpBackend.from_config(app.config)
        elif name == "sendgrid":
            from engagex.mail.sendgrid import SendGridBackend

            backend = SendGridBackend.from_config(app.config)
        else:
            raise ValueError(f"unknown ENGAGEX_MAIL_BACKEND {name!r}")
        app.extensions[_EXTENSION] = backend
    return backend


def close_backend(app: Flask | None = None) -> None:
    """Close the process's backend (pooled connections); the next send opens anew."""
    app = app or current_app
    backend = app.extensions.pop(_EXTENSION, None)
    if backend is not None:
        backend.close()


def send_now(messages: Sequence[Message]) -> list[Result]:
    """Deliver through the configured backend, in this process (counted in metrics)."""
    return get_backend().send(messages)


def send_batch_now(template: Message, personalizations: Sequence[Personalization]) -> list[Result]:
    """Deliver one template to many recipients through the configured backend.

    Batched on SendGrid (up to 1000 recipients per request); a backend without
    ``send_batch`` gets the expanded messages.
    """
    backend = get_backend()
    if isinstance(backend, BatchBackend):
        return backend.send_batch(template, personalizations)
    return backend.send([expand(template, p) for p in personalizations])


def queue(message: Message) -> str:
    """Deliver ``message`` on the ``mail`` queue once the current transaction commits.

    Returns its Message-ID. The job id derives from it, so queueing the same message
    twice while the first is pending sends it once.
    """
    from engagex.mail.tasks import deliver

    message = message.with_message_id()
    deliver.delay(
        asdict(message), org_id=message.organization_id, job_id=_job_id(message.message_id)
    )
    return message.message_id


def _job_id(message_id: str) -> str:
    # RQ job ids are restricted to word characters and dashes.
    return "mail-" + "".join(
        c if c.isascii() and c.isalnum() else "-" for c in message_id.strip("<>")
    )
