"""Message building and delivery: one interface over the outbox, SMTP and SendGrid.

Callers build ``Message`` values and either ``send_now`` them (a campaign batch job,
already on a worker) or ``queue`` them (transactional mail: invitations, password
resets, notifications), which delivers on the high-priority ``mail`` queue after the
current transaction commits.

Signing (DKIM) is a hook: the domains package registers a signer with
``register_signer``; every backend that sends raw MIME passes the bytes through it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from flask import Flask, current_app

from engagex.mail.message import Message, build_mime

__all__ = [
    "Backend",
    "Message",
    "Result",
    "build_mime",
    "get_backend",
    "queue",
    "register_signer",
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


class Backend(Protocol):
    name: str

    def send(self, messages: Sequence[Message]) -> list[Result]:
        """Deliver ``messages``; one ``Result`` per message, in order. Never raises for a
        per-message failure; raises only when the backend itself is unusable."""

    def close(self) -> None: ...


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


def get_backend(app: Flask | None = None) -> Backend:
    """The configured backend of this process (one per app, reused across sends)."""
    app = app or current_app
    backend = app.extensions.get("engagex.mail_backend")
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
        app.extensions["engagex.mail_backend"] = backend
    return backend


def send_now(messages: Sequence[Message]) -> list[Result]:
    """Deliver through the configured backend, in this process, and count the outcome."""
    from engagex import metrics

    backend = get_backend()
    results = backend.send(messages)
    for result in results:
        metrics.EMAILS_SENT.labels(
            backend=backend.name, result="sent" if result.ok else "failed"
        ).inc()
    return results


def queue(message: Message) -> None:
    """Deliver ``message`` on the ``mail`` queue once the current transaction commits."""
    from engagex.mail.tasks import deliver

    deliver.delay(asdict(message), org_id=message.organization_id)
