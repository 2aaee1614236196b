"""Request and response schemas of the sending-domains API."""

from __future__ import annotations

import marshmallow as ma

from blueprints.domains.models import PROVIDERS, STATUSES
from engagex.api import Schema


class RecordSchema(Schema):
    purpose = ma.fields.String(
        metadata={"description": "ownership, spf, dkim or dmarc"}, dump_only=True
    )
    type = ma.fields.String(metadata={"description": "TXT or CNAME"}, dump_only=True)
    name = ma.fields.String(metadata={"description": "Fully qualified name"}, dump_only=True)
    value = ma.fields.String(metadata={"description": "The value to publish"}, dump_only=True)
    status = ma.fields.String(
        metadata={"description": "pending (not checked or unanswered), verified or failed"},
        dump_only=True,
    )
    detail = ma.fields.String(
        metadata={"description": "What the last check found and what to fix"}, dump_only=True
    )


class DomainSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=255),
        metadata={"example": "mail.example.com"},
    )
    provider = ma.fields.String(
        validate=ma.validate.OneOf(PROVIDERS),
        metadata={
            "description": "Which records to require: sendgrid (DKIM CNAMEs to SendGrid) or "
            "smtp (an own DKIM key, messages signed by EngageX). Defaults to the "
            "configured mail backend."
        },
    )
    status = ma.fields.String(
        dump_only=True, validate=ma.validate.OneOf(STATUSES), metadata={"enum": list(STATUSES)}
    )
    dkim_selector = ma.fields.String(dump_only=True, allow_none=True)
    records = ma.fields.List(ma.fields.Nested(RecordSchema), dump_only=True)
    last_checked_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    verified_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)
