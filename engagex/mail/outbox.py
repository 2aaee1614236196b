"""The embedded backend: every message becomes an ``.eml`` file to open and read."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from engagex.mail import Result, sign
from engagex.mail.message import Message, build_mime


class OutboxBackend:
    name = "outbox"

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def send(self, messages: Sequence[Message]) -> list[Result]:
        self.directory.mkdir(parents=True, exist_ok=True)
        results = []
        for message in messages:
            message = message.with_message_id()
            raw = sign(bytes(build_mime(message)), message)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            token = re.sub(r"[^A-Za-z0-9]", "", message.message_id)[:32]
            path = self.directory / f"{stamp}-{token}.eml"
            # Write then rename: a reader never sees half a message.
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(raw)
            tmp.rename(path)
            results.append(
                Result(message.message_id, message.to_email, ok=True, provider_id=path.name)
            )
        return results

    def close(self) -> None:
        return None
