"""Enqueueing the campaign jobs, without importing the task module.

Services decide *when* work starts (send, resume, restart, a transactional message);
``blueprints.campaigns.tasks`` holds the job functions and declares them with the specs
below, so queue, timeout and retries are stated once. Jobs are released when the
current transaction commits and dropped if it rolls back (``engagex.jobs``); their
deterministic ids make a repeated enqueue of the same work a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from blueprints.campaigns import settings
from engagex.jobs import PendingJob, enqueue


@dataclass(frozen=True)
class JobSpec:
    path: str
    queue: str
    timeout: int | None = None
    retry: tuple[int, ...] = ()


RUN_CAMPAIGN = JobSpec("blueprints.campaigns.tasks:run_campaign", "bulk", timeout=3600)
DELIVER_MESSAGE = JobSpec(
    "blueprints.campaigns.tasks:deliver_message", "mail", timeout=300, retry=(30, 120, 600)
)


def _enqueue(spec: JobSpec, org_id: int, args: list[object], job_id: str) -> None:
    enqueue(
        PendingJob(
            spec.path,
            spec.queue,
            org_id,
            args,
            {},
            job_id=job_id,
            timeout=spec.timeout,
            retry=spec.retry,
        )
    )


def runner_job_id(campaign_id: int, generation: int, slot: int, continuation: int = 0) -> str:
    base = f"campaign-{campaign_id}-g{generation}-r{slot}"
    return base if not continuation else f"{base}-c{continuation}"


def start_runners(org_id: int, campaign_id: int, generation: int) -> int:
    """Queue the runners of one start (or resume, or restart) of a campaign.

    With Redis, ``ENGAGEX_CAMPAIGN_PARALLELISM`` runners let as many workers share the
    campaign; in-process, one runner does it all. Returns how many were queued.
    """
    count = settings.pipeline().parallelism if current_app.config.get("REDIS_URL") else 1
    for slot in range(count):
        _enqueue(
            RUN_CAMPAIGN,
            org_id,
            [campaign_id, generation, slot, 0],
            runner_job_id(campaign_id, generation, slot),
        )
    return count


def continue_runner(
    org_id: int, campaign_id: int, generation: int, slot: int, continuation: int
) -> None:
    """A runner that used its time hands over to a fresh job (same slot)."""
    _enqueue(
        RUN_CAMPAIGN,
        org_id,
        [campaign_id, generation, slot, continuation],
        runner_job_id(campaign_id, generation, slot, continuation),
    )


def deliver_message(org_id: int, message_id: int) -> None:
    _enqueue(DELIVER_MESSAGE, org_id, [message_id], f"message-{message_id}")
