"""The job that delivers one queued transactional message."""

from __future__ import annotations

import logging
from typing import Any

from engagex.jobs import job
from engagex.mail import send_now
from engagex.mail.message import Message

log = logging.getLogger(__name__)


@job(queue="mail", timeout=120)
def deliver(message: dict[str, Any]) -> None:
    result = send_now([Message(**message)])[0]
    if not result.ok:
        # Transactional mail is retried by RQ's failure handling; say why it failed.
        log.warning("transactional message %s failed: %s", result.message_id, result.error)
        if not result.permanent:
            raise RuntimeError(f"delivery failed: {result.error}")
