"""The embedded backend: every message becomes an ``.eml`` file to open and read."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from engagex.mail import Result, count, sign
from engagex.mail.message import (
    AddressError,
    BatchRenderer,
    Message,
    Personalization,
    expand,
    render,
)


class OutboxBackend:
    """Writes each message to ``<directory>/<UTC time>-<message id>.eml``.

    The files are exactly the bytes an SMTP server would receive (signed when a DKIM
    signer is registered), so any mail client opens them.
    """

    name = "outbox"

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def send(self, messages: Sequence[Message]) -> list[Result]:
        self.directory.mkdir(parents=True, exist_ok=True)
        results = [self._write(message.with_message_id()) for message in messages]
        count(self.name, results)
        return results

    def send_batch(
        self, template: Message, personalizations: Sequence[Personalization]
    ) -> list[Result]:
        self.directory.mkdir(parents=True, exist_ok=True)
        renderer = BatchRenderer(template, personalizations)
        results = []
        for p in personalizations:
            try:
                message, raw = renderer.render(p)
            except AddressError:
                message, raw = expand(template, p), None  # _write reports why
            results.append(self._write(message, raw))
        count(self.name, results)
        return results

    def _write(self, message: Message, raw: bytes | None = None) -> Result:
        try:
            raw = sign(render(message) if raw is None else raw, message)
        except AddressError as exc:
            return Result(
                message.message_id, message.to_email, ok=False, permanent=True, error=str(exc)
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        token = re.sub(r"[^A-Za-z0-9]", "", message.message_id)[:32]
        path = self.directory / f"{stamp}-{token}.eml"
        # Write then rename: a reader never sees half a message.
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(raw)
        tmp.rename(path)
        return Result(message.message_id, message.to_email, ok=True, provider_id=path.name)

    def close(self) -> None:
        return None
