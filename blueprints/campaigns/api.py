"""REST adapter of campaigns and transactional messages under /api/v1."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.campaigns import services
from blueprints.campaigns.schemas import (
    CampaignCreateSchema,
    CampaignListArgs,
    CampaignSchema,
    CampaignUpdateSchema,
    DuplicateSchema,
    MessageCreateSchema,
    MessageSchema,
    RecipientListArgs,
    RecipientSchema,
    ReviewSchema,
    ScheduleSchema,
    SeedListResultSchema,
    SeedListSchema,
    StatsSchema,
    TestSendResultSchema,
    TestSendSchema,
)
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires

blp = Blueprint(
    "campaigns",
    __name__,
    url_prefix="/api/v1",
    description="Campaigns: audience, content, sending, scheduling and live progress",
)
messages_blp = Blueprint(
    "messages",
    __name__,
    url_prefix="/api/v1",
    description="Transactional messages: one template to one address, right away",
)

ITEM = "/campaigns/<id:campaign_id>"


def _schedule_from(actor: Any, campaign: Any, data: dict[str, Any]) -> Any:
    """``scheduled_at`` in a create/update body schedules (or, null, unschedules)."""
    if "scheduled_at" not in data:
        return campaign
    return services.set_schedule(actor, campaign.id, data["scheduled_at"], data.get("timezone"))


@blp.route("/campaigns")
class Campaigns(MethodView):
    @requires("campaigns:read")
    @blp.arguments(CampaignListArgs, location="query")
    @blp.response(200, page_schema(CampaignSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Campaigns of the organization, newest first (``?status=`` filters)."""
        return services.list_campaigns(
            current_actor(), limit=args["limit"], cursor=args["cursor"], status=args["status"]
        )

    @requires("campaigns:write")
    @blp.arguments(CampaignCreateSchema)
    @blp.response(201, CampaignSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a draft; with ``scheduled_at`` it is scheduled at once (that part
        needs ``campaigns:send``)."""
        actor = current_actor()
        body = {k: v for k, v in data.items() if k not in ("scheduled_at", "timezone")}
        campaign = services.create_campaign(actor, body)
        return _schedule_from(actor, campaign, data)


@blp.route(ITEM)
class CampaignItem(MethodView):
    @requires("campaigns:read")
    @blp.response(200, CampaignSchema)
    def get(self, campaign_id: int) -> Any:
        return services.get_campaign(current_actor(), campaign_id)

    @requires("campaigns:write")
    @blp.arguments(CampaignUpdateSchema)
    @blp.response(200, CampaignSchema)
    def patch(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Change a draft or scheduled campaign (a started one can only be renamed);
        ``scheduled_at`` reschedules, ``null`` unschedules."""
        actor = current_actor()
        body = {k: v for k, v in data.items() if k not in ("scheduled_at", "timezone")}
        campaign = services.update_campaign(actor, campaign_id, body)
        return _schedule_from(actor, campaign, data)

    @requires("campaigns:write")
    @blp.response(204)
    def delete(self, campaign_id: int) -> None:
        """Delete a campaign that is not scheduled or running."""
        services.delete_campaign(current_actor(), campaign_id)


@blp.route(f"{ITEM}/send")
class Send(MethodView):
    @requires("campaigns:send")
    @blp.response(202, CampaignSchema)
    def post(self, campaign_id: int) -> Any:
        """Send now: the audience is snapshotted and the batches queued (once, however
        often this is called). 402 when the quota does not cover it."""
        return services.send_campaign(current_actor(), campaign_id)


@blp.route(f"{ITEM}/schedule")
class Schedule(MethodView):
    @requires("campaigns:send")
    @blp.arguments(ScheduleSchema)
    @blp.response(200, CampaignSchema)
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Send at ``scheduled_at`` (ISO 8601 with offset); ``engagex campaigns
        send-due`` starts it when the time comes."""
        return services.schedule_campaign(
            current_actor(), campaign_id, data["scheduled_at"], data.get("timezone")
        )


@blp.route(f"{ITEM}/unschedule")
class Unschedule(MethodView):
    @requires("campaigns:send")
    @blp.response(200, CampaignSchema)
    def post(self, campaign_id: int) -> Any:
        """Back to draft."""
        return services.unschedule_campaign(current_actor(), campaign_id)


@blp.route(f"{ITEM}/pause")
class Pause(MethodView):
    @requires("campaigns:send")
    @blp.response(200, CampaignSchema)
    def post(self, campaign_id: int) -> Any:
        """Stop claiming batches; batches in flight finish."""
        return services.pause_campaign(current_actor(), campaign_id)


@blp.route(f"{ITEM}/resume")
class Resume(MethodView):
    @requires("campaigns:send")
    @blp.response(200, CampaignSchema)
    def post(self, campaign_id: int) -> Any:
        """Continue a paused campaign (the sender domain and billing are checked again)."""
        return services.resume_campaign(current_actor(), campaign_id)


@blp.route(f"{ITEM}/cancel")
class Cancel(MethodView):
    @requires("campaigns:send")
    @blp.response(200, CampaignSchema)
    def post(self, campaign_id: int) -> Any:
        """Stop for good; recipients not sent yet are cancelled."""
        return services.cancel_campaign(current_actor(), campaign_id)


@blp.route(f"{ITEM}/test")
class TestSend(MethodView):
    @requires("campaigns:write")
    @blp.arguments(TestSendSchema)
    @blp.response(202, TestSendResultSchema)
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Send a test (subject prefixed "[Test] ") to at most ten addresses, by default
        the seed list; at most 50 test messages per organization and hour (429)."""
        return services.send_test(
            current_actor(),
            campaign_id,
            emails=data.get("emails"),
            contact_id=data.get("contact_id"),
        )


@blp.route(f"{ITEM}/stats")
class Stats(MethodView):
    @requires("campaigns:read")
    @blp.response(200, StatsSchema)
    def get(self, campaign_id: int) -> Any:
        """Live progress: counts, percent, rate (recipients/s), ETA, batches, errors."""
        return services.stats(current_actor(), campaign_id)


@blp.route(f"{ITEM}/review")
class Review(MethodView):
    @requires("campaigns:read")
    @blp.response(200, ReviewSchema)
    def get(self, campaign_id: int) -> Any:
        """Every check sending would run (audience, template, sender domain, billing,
        quota) with its outcome and message, and the recipient count; changes nothing."""
        return services.review_campaign(current_actor(), campaign_id)


@blp.route(f"{ITEM}/duplicate")
class Duplicate(MethodView):
    @requires("campaigns:write")
    @blp.arguments(DuplicateSchema)
    @blp.response(201, CampaignSchema)
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """A new draft with the same content, sender and audience."""
        return services.duplicate_campaign(current_actor(), campaign_id, data.get("name"))


@blp.route(f"{ITEM}/seed-list")
class SeedList(MethodView):
    @requires("campaigns:read")
    @blp.response(200, SeedListResultSchema)
    def get(self, campaign_id: int) -> Any:
        """Addresses that get the campaign first (and its test sends)."""
        return {"emails": services.get_campaign(current_actor(), campaign_id).seed_emails}

    @requires("campaigns:write")
    @blp.arguments(SeedListSchema)
    @blp.response(200, SeedListResultSchema)
    def put(self, data: dict[str, Any], campaign_id: int) -> Any:
        """Replace the seed list (at most 50 addresses)."""
        campaign = services.set_seed_list(current_actor(), campaign_id, data["emails"])
        return {"emails": campaign.seed_emails}


@blp.route(f"{ITEM}/recipients")
class Recipients(MethodView):
    @requires("campaigns:read")
    @blp.arguments(RecipientListArgs, location="query")
    @blp.response(200, page_schema(RecipientSchema))
    def get(self, args: dict[str, Any], campaign_id: int) -> Page:
        """The snapshot in send order with each outcome (also needs ``contacts:read``)."""
        return services.list_recipients(
            current_actor(),
            campaign_id,
            limit=args["limit"],
            cursor=args["cursor"],
            status=args["status"],
        )


@messages_blp.route("/messages")
class Messages(MethodView):
    @requires("campaigns:read")
    @messages_blp.arguments(PageArgs, location="query")
    @messages_blp.response(200, page_schema(MessageSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Transactional messages, newest first."""
        return services.list_messages(current_actor(), limit=args["limit"], cursor=args["cursor"])

    @requires("campaigns:send")
    @messages_blp.arguments(MessageCreateSchema)
    @messages_blp.response(202, MessageSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Send a transactional template to one address on the high-priority queue.

        202 with the message (``status`` queued); a repeated ``idempotency_key`` returns
        the first message. 422 for a marketing template, an unverified sender domain, a
        suppressed address or a missing required variable; 402 over the quota."""
        message, _created = services.send_message(current_actor(), data)
        return message


@messages_blp.route("/messages/<id:message_id>")
class MessageItem(MethodView):
    @requires("campaigns:read")
    @messages_blp.response(200, MessageSchema)
    def get(self, message_id: int) -> Any:
        """A message and its delivery status (``queued``, ``sent``, ``failed``)."""
        return services.get_message(current_actor(), message_id)
