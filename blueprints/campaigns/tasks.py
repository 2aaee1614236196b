"""Jobs of the campaigns domain (declared with the specs of ``services.dispatch``)."""

from __future__ import annotations

from blueprints.campaigns.services import messages, pipeline
from blueprints.campaigns.services.dispatch import DELIVER_MESSAGE, RUN_CAMPAIGN
from engagex.jobs import job


@job(queue=RUN_CAMPAIGN.queue, timeout=RUN_CAMPAIGN.timeout, retry=RUN_CAMPAIGN.retry)
def run_campaign(campaign_id: int, generation: int, slot: int, continuation: int) -> None:
    """Deliver batches of a sending campaign (see ``services.pipeline``)."""
    pipeline.run_campaign(campaign_id, generation, slot, continuation)


@job(queue=DELIVER_MESSAGE.queue, timeout=DELIVER_MESSAGE.timeout, retry=DELIVER_MESSAGE.retry)
def deliver_message(message_id: int) -> None:
    """Send one transactional message (``POST /api/v1/messages``)."""
    messages.deliver(message_id)
