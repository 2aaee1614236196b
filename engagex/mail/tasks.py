"""The job that delivers one queued transactional message (``engagex.mail.queue``)."""

from __future__ import annotations

import logging
from typing import Any

from engagex.jobs import job
from engagex.mail import send_now
from engagex.mail.message import Message

log = logging.getLogger(__name__)


class TemporaryDeliveryError(RuntimeError):
    """The backend could not deliver now; the job fails so that it can be retried."""


@job(queue="mail", timeout=120, retry=(60, 300, 900))
def deliver(message: dict[str, Any]) -> None:
    """Send one message on the high-priority ``mail`` queue.

    The backends already retry what is worth retrying within a call (SendGrid's 429
    and 5xx with backoff, a dropped SMTP connection). A permanent refusal is logged
    and the job succeeds (retrying cannot help); a temporary one fails the job, which
    RQ retries after 1, 5 and 15 minutes before leaving it in the failed registry.
    """
    result = send_now([Message(**message)])[0]
    if result.ok:
        log.info("transactional message %s sent (%s)", result.message_id, result.provider_id)
    elif result.permanent:
        log.warning(
            "transactional message %s refused permanently: %s", result.message_id, result.error
        )
    else:
        raise TemporaryDeliveryError(
            f"transactional message {result.message_id} not delivered: {result.error}"
        )
