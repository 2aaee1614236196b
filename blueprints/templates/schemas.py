"""Request and response schemas of the templates API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from blueprints.templates.models import KINDS
from blueprints.templates.starters import STARTERS
from engagex.api import Schema

_TEXT = ma.validate.Length(max=512_000)


class VariableSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    default = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.Length(max=2000)
    )
    required = ma.fields.Boolean(load_default=False)
    description = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.Length(max=500)
    )


class _ContentFields(Schema):
    kind = ma.fields.String(
        validate=ma.validate.OneOf(KINDS),
        metadata={"description": "marketing emails must carry an unsubscribe link"},
    )
    subject = ma.fields.String(
        validate=ma.validate.Length(max=1000), metadata={"description": "A Jinja template"}
    )
    preheader = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=1000),
        metadata={"description": "Inbox preview line (Jinja)"},
    )
    html = ma.fields.String(
        validate=_TEXT, metadata={"description": "HTML body with Jinja variables"}
    )
    mjml = ma.fields.String(
        allow_none=True,
        validate=_TEXT,
        metadata={"description": "MJML source; compiled to html on save"},
    )
    text = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=256_000),
        metadata={"description": "Plain-text body; generated from html when empty"},
    )
    from_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    from_email = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=320))
    reply_to = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=320))
    variables = ma.fields.List(
        ma.fields.Nested(VariableSchema), validate=ma.validate.Length(max=100)
    )


class TemplateCreateSchema(_ContentFields):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    starter = ma.fields.String(
        validate=ma.validate.OneOf(list(STARTERS)),
        metadata={"description": "Start from a starter template"},
    )


class TemplateUpdateSchema(_ContentFields):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))


class TemplateSummarySchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    kind = ma.fields.String(dump_only=True)
    subject = ma.fields.String(dump_only=True)
    starter = ma.fields.String(dump_only=True, allow_none=True)
    version = ma.fields.Integer(
        dump_only=True, metadata={"description": "Number of the latest revision"}
    )
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class TemplateSchema(TemplateSummarySchema):
    preheader = ma.fields.String(dump_only=True, allow_none=True)
    html = ma.fields.String(dump_only=True)
    mjml = ma.fields.String(dump_only=True, allow_none=True)
    text = ma.fields.String(dump_only=True, allow_none=True)
    from_name = ma.fields.String(dump_only=True, allow_none=True)
    from_email = ma.fields.String(dump_only=True, allow_none=True)
    reply_to = ma.fields.String(dump_only=True, allow_none=True)
    variables = ma.fields.List(ma.fields.Nested(VariableSchema), dump_only=True)


class TemplateListArgs(Schema):
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=512))
    kind = ma.fields.String(load_default=None, validate=ma.validate.OneOf(KINDS))


class RevisionSummarySchema(Schema):
    id = ma.fields.Integer(dump_only=True, metadata={"description": "What a campaign pins"})
    template_id = ma.fields.Integer(dump_only=True)
    number = ma.fields.Integer(dump_only=True)
    subject = ma.fields.String(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)
    created_by_id = ma.fields.Integer(dump_only=True, allow_none=True)


class RevisionSchema(RevisionSummarySchema):
    kind = ma.fields.String(dump_only=True)
    preheader = ma.fields.String(dump_only=True, allow_none=True)
    html = ma.fields.String(dump_only=True)
    mjml = ma.fields.String(dump_only=True, allow_none=True)
    text = ma.fields.String(dump_only=True, allow_none=True)
    from_name = ma.fields.String(dump_only=True, allow_none=True)
    from_email = ma.fields.String(dump_only=True, allow_none=True)
    reply_to = ma.fields.String(dump_only=True, allow_none=True)
    variables = ma.fields.List(ma.fields.Dict(), dump_only=True)


class SampleSchema(Schema):
    email = ma.fields.String(validate=ma.validate.Length(max=320))
    first_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    last_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    attributes = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=200)))


class _RecipientChoice(Schema):
    contact_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1))
    sample = ma.fields.Nested(
        SampleSchema, metadata={"description": "Contact fields; custom ones under attributes"}
    )

    @ma.validates_schema
    def _one_of(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "contact_id" in data and "sample" in data:
            raise ma.ValidationError("give contact_id or sample, not both", "sample")


class PreviewRequestSchema(_RecipientChoice):
    revision_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**63 - 1),
        metadata={"description": "Default: the latest revision"},
    )


class DraftPreviewRequestSchema(_RecipientChoice, _ContentFields):
    pass


class PreviewSchema(Schema):
    subject = ma.fields.String(dump_only=True)
    html = ma.fields.String(
        dump_only=True,
        metadata={
            "description": "Show it only in a sandboxed iframe (srcdoc, no allow-same-origin)"
        },
    )
    text = ma.fields.String(dump_only=True)
    revision_id = ma.fields.Integer(dump_only=True, allow_none=True)


class SendTestRequestSchema(PreviewRequestSchema):
    emails = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=3, max=320)),
        required=True,
        validate=ma.validate.Length(min=1, max=5),
    )


class SendTestResultSchema(Schema):
    recipients = ma.fields.List(ma.fields.String(), dump_only=True)
    subject = ma.fields.String(dump_only=True)
    revision_id = ma.fields.Integer(dump_only=True)


class StarterSchema(Schema):
    key = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True)
    description = ma.fields.String(dump_only=True)
    subject = ma.fields.String(dump_only=True)
    preheader = ma.fields.String(dump_only=True)
