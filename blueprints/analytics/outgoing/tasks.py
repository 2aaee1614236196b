"""The delivery job of outgoing webhooks, retried by RQ with back-off.

A failed attempt is recorded and committed first, then the job raises so that RQ
schedules the next attempt (10 s, 1 min, 5 min, 30 min, 2 h, 6 h: seven attempts over
about nine hours; workers need RQ's scheduler, ``engagex worker`` runs it). In-process
jobs (no ``REDIS_URL``) are not retried: a failure there is final and can be replayed.
"""

from __future__ import annotations

from rq import get_current_job

from blueprints.analytics.outgoing import services
from engagex.db import db
from engagex.jobs import job

RETRY_DELAYS = (10, 60, 300, 1800, 7200, 21600)


class DeliveryFailed(RuntimeError):
    """The endpoint did not accept the delivery; RQ tries again later."""


@job(queue="default", timeout=60, retry=RETRY_DELAYS)
def deliver_webhook(delivery_id: int) -> dict[str, object]:
    current = get_current_job()
    retries_left = current.retries_left if current is not None else None
    outcome = services.attempt(delivery_id, retries_left=retries_left)
    db.session.commit()  # the attempt is logged even when the job fails below
    if not outcome.ok and not outcome.final:
        raise DeliveryFailed(
            f"delivery {delivery_id} failed ({outcome.error}); {retries_left} retries left"
        )
    return {"delivery_id": delivery_id, "ok": outcome.ok, "status": outcome.status}
