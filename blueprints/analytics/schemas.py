"""Request and response schemas of the analytics and webhooks APIs."""

from __future__ import annotations

import marshmallow as ma

from blueprints.analytics.models import EVENT_TYPES
from blueprints.analytics.outgoing.models import DELIVERY_STATUSES
from blueprints.analytics.stats import SERIES
from engagex.api import PageArgs, Schema

_count = ma.fields.Integer


class RatesSchema(Schema):
    delivered_base = ma.fields.String(
        metadata={"description": "`delivered` (provider events) or `sent_minus_bounces`"}
    )
    open_rate = ma.fields.Float()
    click_rate = ma.fields.Float()
    click_to_open_rate = ma.fields.Float()
    bounce_rate = ma.fields.Float()
    complaint_rate = ma.fields.Float()
    unsubscribe_rate = ma.fields.Float()
    machine_open_share = ma.fields.Float(
        metadata={"description": "Machine opens among all opens (privacy proxies, scanners)"}
    )


class CounterFields(Schema):
    sent = _count()
    delivered = _count()
    deferred = _count(metadata={"description": "Events (a message may be deferred often)"})
    dropped = _count()
    bounces = _count(metadata={"description": "Recipients with a hard bounce"})
    soft_bounces = _count(metadata={"description": "Soft bounce events"})
    opens = _count(metadata={"description": "People's opens (all of them)"})
    unique_opens = _count(metadata={"description": "Recipients who opened (people)"})
    machine_opens = _count(metadata={"description": "Opens by privacy proxies and scanners"})
    clicks = _count()
    unique_clicks = _count()
    machine_clicks = _count()
    complaints = _count(metadata={"description": "Recipients who reported spam"})
    unsubscribes = _count(metadata={"description": "Recipients who unsubscribed"})


class CampaignStatsSchema(CounterFields):
    campaign_id = ma.fields.Integer()
    name = ma.fields.String()
    status = ma.fields.String()
    recipients = _count()
    failed = _count(metadata={"description": "Messages the pipeline could not send"})
    rates = ma.fields.Nested(RatesSchema)
    last_event_at = ma.fields.DateTime(allow_none=True)


class TimelineArgs(Schema):
    since = ma.fields.AwareDateTime(load_default=None, metadata={"description": "ISO 8601"})
    until = ma.fields.AwareDateTime(load_default=None, metadata={"description": "ISO 8601"})


TimelinePointSchema = type(
    "TimelinePointSchema",
    (Schema,),
    {"hour": ma.fields.DateTime(), **{name: ma.fields.Integer() for name in SERIES}},
)


class TimelineSchema(Schema):
    campaign_id = ma.fields.Integer()
    start = ma.fields.DateTime()
    end = ma.fields.DateTime()
    points = ma.fields.List(ma.fields.Nested(TimelinePointSchema))


class LinkStatsSchema(Schema):
    index = ma.fields.Integer()
    url = ma.fields.String()
    clicks = _count()
    unique_clicks = _count()
    machine_clicks = _count()
    share = ma.fields.Float(metadata={"description": "Share of the campaign's clicks"})


class LinksSchema(Schema):
    campaign_id = ma.fields.Integer()
    total_clicks = _count()
    links = ma.fields.List(ma.fields.Nested(LinkStatsSchema))


class OverviewArgs(Schema):
    days = ma.fields.Integer(load_default=30, validate=ma.validate.Range(min=1, max=365))


DaySchema = type(
    "OverviewDaySchema",
    (Schema,),
    {"day": ma.fields.String(), **{name: ma.fields.Integer() for name in SERIES}},
)
OverviewTotalsSchema = type(
    "OverviewTotalsSchema",
    (Schema,),
    {"campaigns": ma.fields.Integer(), **{name: ma.fields.Integer() for name in SERIES}},
)
OverviewCampaignSchema = type(
    "OverviewCampaignSchema",
    (Schema,),
    {
        "campaign_id": ma.fields.Integer(),
        "name": ma.fields.String(allow_none=True),
        "rates": ma.fields.Nested(RatesSchema),
        **{name: ma.fields.Integer() for name in SERIES},
    },
)


class OverviewSchema(Schema):
    days = ma.fields.Integer()
    start = ma.fields.DateTime()
    end = ma.fields.DateTime()
    totals = ma.fields.Nested(OverviewTotalsSchema)
    rates = ma.fields.Nested(RatesSchema)
    daily = ma.fields.List(ma.fields.Nested(DaySchema))
    campaigns = ma.fields.List(ma.fields.Nested(OverviewCampaignSchema))


class EventArgs(PageArgs):
    campaign_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1))
    contact_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1))
    recipient_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1))
    type = ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES))
    machine = ma.fields.Boolean()
    since = ma.fields.AwareDateTime()
    until = ma.fields.AwareDateTime()


class EventSchema(Schema):
    id = ma.fields.Integer()
    type = ma.fields.String()
    campaign_id = ma.fields.Integer(allow_none=True)
    recipient_id = ma.fields.Integer(allow_none=True)
    contact_id = ma.fields.Integer(allow_none=True)
    email = ma.fields.String(
        allow_none=True, metadata={"description": "The recipient's address (campaign events)"}
    )
    link_index = ma.fields.Integer(allow_none=True)
    machine = ma.fields.Boolean()
    client = ma.fields.String(attribute="user_agent", allow_none=True)
    source = ma.fields.String()
    occurred_at = ma.fields.DateTime()
    details = ma.fields.Dict(attribute="data")


# --- outgoing webhooks ----------------------------------------------------------------


class WebhookSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    url = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    event_types = ma.fields.List(ma.fields.String())
    enabled = ma.fields.Boolean()
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)
    last_success_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    last_failure_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class WebhookSecretSchema(WebhookSchema):
    secret = ma.fields.String(
        dump_only=True,
        metadata={"description": "The signing secret: shown now only; store it"},
    )


class WebhookCreateSchema(Schema):
    url = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))
    event_types = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=64)),
        required=True,
        validate=ma.validate.Length(min=1, max=50),
    )
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    enabled = ma.fields.Boolean(load_default=True)


class WebhookUpdateSchema(Schema):
    url = ma.fields.String(validate=ma.validate.Length(min=1, max=2000))
    event_types = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=64)),
        validate=ma.validate.Length(min=1, max=50),
    )
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    enabled = ma.fields.Boolean()


class EventTypeSchema(Schema):
    type = ma.fields.String()
    description = ma.fields.String()


class EventTypesSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(EventTypeSchema))


class DeliveryArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(DELIVERY_STATUSES))


class DeliverySchema(Schema):
    id = ma.fields.Integer()
    endpoint_id = ma.fields.Integer()
    event_type = ma.fields.String()
    event_id = ma.fields.String()
    status = ma.fields.String()
    attempts = ma.fields.Integer()
    response_status = ma.fields.Integer(allow_none=True)
    response_body = ma.fields.String(allow_none=True)
    error = ma.fields.String(allow_none=True)
    duration_ms = ma.fields.Integer(allow_none=True)
    replay_of_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    last_attempt_at = ma.fields.DateTime(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    payload = ma.fields.Dict()
