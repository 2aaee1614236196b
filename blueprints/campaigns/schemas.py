"""Request and response schemas of the campaigns and messages API."""

from __future__ import annotations

import marshmallow as ma

from blueprints.campaigns.models import MESSAGE_STATUSES, RECIPIENT_STATUSES, STATUSES
from engagex.api import PageArgs, Schema

MAX_ID = 2**63 - 1
_ID = ma.validate.Range(min=1, max=MAX_ID)
_IDS = ma.validate.Length(max=1000)
_EMAIL = ma.validate.Length(min=3, max=320)


def _ids(description: str) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Integer(strict=True, validate=_ID),
        validate=_IDS,
        metadata={"description": description},
    )


class _CampaignFields(Schema):
    template_id = ma.fields.Integer(allow_none=True, validate=_ID)
    template_revision_id = ma.fields.Integer(
        allow_none=True,
        validate=_ID,
        metadata={"description": "Pin a revision; default: the template's latest at send time"},
    )
    subject = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=1000),
        metadata={"description": "Overrides the template's subject (a Jinja line)"},
    )
    from_email = ma.fields.String(allow_none=True, validate=_EMAIL)
    from_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    reply_to = ma.fields.String(allow_none=True, validate=_EMAIL)
    group_ids = _ids("Send to the contacts of these groups")
    segment_ids = _ids("... and of these segments")
    exclude_group_ids = _ids("Leave out the contacts of these groups")
    exclude_segment_ids = _ids("Leave out the contacts of these segments")
    seed_emails = ma.fields.List(
        ma.fields.String(validate=_EMAIL),
        validate=ma.validate.Length(max=50),
        metadata={"description": "Addresses that get the campaign first (and test sends)"},
    )
    track_opens = ma.fields.Boolean()
    track_clicks = ma.fields.Boolean()
    scheduled_at = ma.fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "ISO 8601 with offset; schedules the campaign (campaigns:send)"},
    )
    timezone = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=64),
        metadata={"description": "IANA time zone the schedule was chosen in (display)"},
    )


class CampaignCreateSchema(_CampaignFields):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class CampaignUpdateSchema(_CampaignFields):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))


class CountsSchema(Schema):
    recipients = ma.fields.Integer()
    sent = ma.fields.Integer()
    failed = ma.fields.Integer()
    skipped = ma.fields.Integer()
    cancelled = ma.fields.Integer()
    queued = ma.fields.Integer()


class CampaignSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True, metadata={"enum": list(STATUSES)})
    status_code = ma.fields.String(dump_only=True, allow_none=True)
    status_reason = ma.fields.String(dump_only=True, allow_none=True)
    template_id = ma.fields.Integer(dump_only=True, allow_none=True)
    template_revision_id = ma.fields.Integer(dump_only=True, allow_none=True)
    subject = ma.fields.String(dump_only=True, allow_none=True)
    from_email = ma.fields.String(dump_only=True, allow_none=True)
    from_name = ma.fields.String(dump_only=True, allow_none=True)
    reply_to = ma.fields.String(dump_only=True, allow_none=True)
    group_ids = ma.fields.List(ma.fields.Integer(), dump_only=True)
    segment_ids = ma.fields.List(ma.fields.Integer(), dump_only=True)
    exclude_group_ids = ma.fields.List(ma.fields.Integer(), dump_only=True)
    exclude_segment_ids = ma.fields.List(ma.fields.Integer(), dump_only=True)
    seed_emails = ma.fields.List(ma.fields.String(), dump_only=True)
    track_opens = ma.fields.Boolean(dump_only=True)
    track_clicks = ma.fields.Boolean(dump_only=True)
    scheduled_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    timezone = ma.fields.String(dump_only=True, allow_none=True)
    started_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    finished_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)
    counts = ma.fields.Nested(CountsSchema, dump_only=True)


class CampaignListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))


class ScheduleSchema(Schema):
    scheduled_at = ma.fields.AwareDateTime(
        required=True, metadata={"description": "ISO 8601 with offset"}
    )
    timezone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=64))


class TestSendSchema(Schema):
    emails = ma.fields.List(
        ma.fields.String(validate=_EMAIL),
        validate=ma.validate.Length(min=1, max=10),
        metadata={"description": "Default: the campaign's seed list"},
    )
    contact_id = ma.fields.Integer(
        validate=_ID, metadata={"description": "Render for this contact (default: sample data)"}
    )


class TestSendResultSchema(Schema):
    recipients = ma.fields.List(ma.fields.String(), dump_only=True)
    subject = ma.fields.String(dump_only=True)
    revision_id = ma.fields.Integer(dump_only=True)


class SeedListSchema(Schema):
    emails = ma.fields.List(
        ma.fields.String(validate=_EMAIL), required=True, validate=ma.validate.Length(max=50)
    )


class SeedListResultSchema(Schema):
    emails = ma.fields.List(ma.fields.String(), dump_only=True)


class DuplicateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))


class StatsSchema(Schema):
    campaign_id = ma.fields.Integer()
    status = ma.fields.String()
    status_code = ma.fields.String(allow_none=True)
    status_reason = ma.fields.String(allow_none=True)
    recipients = ma.fields.Integer()
    queued = ma.fields.Integer()
    sent = ma.fields.Integer()
    failed = ma.fields.Integer()
    skipped = ma.fields.Integer()
    cancelled = ma.fields.Integer()
    percent = ma.fields.Float()
    rate_per_second = ma.fields.Float(metadata={"description": "Over the last minute"})
    average_rate_per_second = ma.fields.Float()
    eta_seconds = ma.fields.Float(allow_none=True)
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    elapsed_seconds = ma.fields.Float(allow_none=True)
    batches = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    errors = ma.fields.List(ma.fields.String(), metadata={"description": "Latest distinct errors"})
    audience = ma.fields.Integer(
        allow_none=True, metadata={"description": "Draft/scheduled: recipients it would have now"}
    )


class ReviewCheckSchema(Schema):
    name = ma.fields.String(
        metadata={"enum": ["status", "audience", "template", "sender", "billing", "quota"]}
    )
    ok = ma.fields.Boolean()
    message = ma.fields.String()
    code = ma.fields.String(allow_none=True, metadata={"description": "Error code when not ok"})


class ReviewQuotaSchema(Schema):
    limit = ma.fields.Integer()
    used = ma.fields.Integer()
    remaining = ma.fields.Integer()


class ReviewSenderSchema(Schema):
    email = ma.fields.String(allow_none=True)
    domain = ma.fields.String(allow_none=True)
    verified = ma.fields.Boolean(metadata={"description": "The domain is verified"})
    allowed = ma.fields.Boolean(
        metadata={
            "description": "The sending gate lets it through (unverified domains only "
            "where ENGAGEX_ALLOW_UNVERIFIED_SENDERS is on)"
        }
    )


class ReviewSchema(Schema):
    campaign_id = ma.fields.Integer()
    ready = ma.fields.Boolean(metadata={"description": "Every check passed"})
    recipients = ma.fields.Integer(metadata={"description": "What the audience selects now"})
    checks = ma.fields.List(ma.fields.Nested(ReviewCheckSchema))
    quota = ma.fields.Nested(ReviewQuotaSchema)
    sender = ma.fields.Nested(ReviewSenderSchema)


class RecipientSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    contact_id = ma.fields.Integer(dump_only=True, allow_none=True)
    email = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True, metadata={"enum": list(RECIPIENT_STATUSES)})
    is_seed = ma.fields.Boolean(dump_only=True)
    attempts = ma.fields.Integer(dump_only=True)
    error = ma.fields.String(dump_only=True, allow_none=True)
    sent_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class RecipientListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(RECIPIENT_STATUSES))


class MessageCreateSchema(Schema):
    template_id = ma.fields.Integer(required=True, validate=_ID)
    revision_id = ma.fields.Integer(validate=_ID)
    to = ma.fields.String(required=True, validate=_EMAIL)
    to_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    first_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    last_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    attributes = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(max=200)),
        metadata={"description": "Values of the template's variables and attributes.*"},
    )
    from_email = ma.fields.String(allow_none=True, validate=_EMAIL)
    from_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    reply_to = ma.fields.String(allow_none=True, validate=_EMAIL)
    subject = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=1000),
        metadata={"description": "Replaces the rendered subject (plain text)"},
    )
    idempotency_key = ma.fields.String(
        validate=[ma.validate.Length(min=1, max=100), ma.validate.Regexp(r"^[A-Za-z0-9_.:-]+$")],
        metadata={"description": "A repeated key returns the first message"},
    )


class MessageSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    status = ma.fields.String(dump_only=True, metadata={"enum": list(MESSAGE_STATUSES)})
    template_id = ma.fields.Integer(dump_only=True, allow_none=True)
    revision_id = ma.fields.Integer(dump_only=True, allow_none=True)
    to = ma.fields.String(attribute="to_email", dump_only=True)
    to_name = ma.fields.String(dump_only=True, allow_none=True)
    from_email = ma.fields.String(dump_only=True)
    message_id = ma.fields.String(dump_only=True)
    attempts = ma.fields.Integer(dump_only=True)
    error = ma.fields.String(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    sent_at = ma.fields.DateTime(dump_only=True, allow_none=True)
