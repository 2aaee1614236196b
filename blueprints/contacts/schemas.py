"""Request and response schemas of the contacts API."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload

from blueprints.contacts.models import (
    CONTACT_STATUSES,
    FIELD_TYPES,
    IMPORT_MODES,
    SUPPRESSION_REASONS,
)
from engagex.api import PageArgs, Schema

_status = ma.validate.OneOf(CONTACT_STATUSES)


def _id() -> ma.fields.Integer:
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1))


def _ids(**kwargs: Any) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1)),
        validate=ma.validate.Length(max=1000),
        **kwargs,
    )


class ContactSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=320))
    first_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    last_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    attributes = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Custom fields by name; null removes a value"},
    )
    status = ma.fields.String(validate=_status)
    source = ma.fields.String(dump_only=True, allow_none=True)
    consent_at = ma.fields.AwareDateTime(allow_none=True, default_timezone=UTC)
    consent_ip = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=45))
    group_ids = _ids(metadata={"description": "Groups the contact belongs to"})
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class ContactUpdateSchema(ContactSchema):
    email = ma.fields.String(validate=ma.validate.Length(min=1, max=320))


class ContactListArgs(PageArgs):
    group_id = _id()
    segment_id = _id()
    status = ma.fields.String(validate=_status)
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "Text in the address or the name"},
    )


class ContactCountSchema(Schema):
    count = ma.fields.Integer(required=True)


class ContactFieldSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=63))
    label = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    type = ma.fields.String(load_default="text", validate=ma.validate.OneOf(FIELD_TYPES))
    created_at = ma.fields.DateTime(dump_only=True)


class ContactFieldUpdateSchema(Schema):
    label = ma.fields.String(required=True, allow_none=True, validate=ma.validate.Length(max=200))


class EmailSchema(Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=320))


class ErasureSchema(Schema):
    contacts = ma.fields.Integer()
    suppressions = ma.fields.Integer()
    rejected_rows = ma.fields.Integer()
    import_reports = ma.fields.Integer()


class GroupSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=1000))
    contact_count = ma.fields.Integer(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class GroupUpdateSchema(GroupSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))


class MembersSchema(Schema):
    contact_ids = _ids(load_default=list)
    emails = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=320)),
        load_default=list,
        validate=ma.validate.Length(max=1000),
    )


class MembersChangedSchema(Schema):
    changed = ma.fields.Integer(metadata={"description": "Memberships added or removed"})


class SegmentSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=1000))
    definition = ma.fields.Dict(
        required=True, metadata={"description": "The condition tree (see docs/contacts.md)"}
    )
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class SegmentUpdateSchema(SegmentSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    definition = ma.fields.Dict()


class DefinitionSchema(Schema):
    definition = ma.fields.Dict(required=True)


class SuppressionSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    kind = ma.fields.String(dump_only=True)
    value = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=320),
        metadata={"description": "An address, or a domain to suppress entirely"},
    )
    reason = ma.fields.String(
        load_default="manual", validate=ma.validate.OneOf(SUPPRESSION_REASONS)
    )
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    created_at = ma.fields.DateTime(dump_only=True)


class SuppressionListArgs(PageArgs):
    kind = ma.fields.String(validate=ma.validate.OneOf(("email", "domain")))
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=320))


class JsonObject(ma.fields.Field):
    """A JSON object sent as a form field (``mapping={"email": "E-mail"}``)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, str]:
        try:
            parsed = json.loads(value) if isinstance(value, str) else value
        except ValueError as exc:
            raise ma.ValidationError("Not valid JSON.") from exc
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise ma.ValidationError("Must be an object mapping field names to column names.")
        return parsed


class ImportUploadSchema(Schema):
    """The multipart form of a new import: the file plus its options."""

    file = Upload(required=True, metadata={"description": "CSV or .xlsx"})
    mode = ma.fields.String(load_default="upsert", validate=ma.validate.OneOf(IMPORT_MODES))
    group_id = _id()
    group = ma.fields.String(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "A group name, created if missing"},
    )
    mapping = JsonObject(metadata={"description": 'JSON: {"email": "E-mail", "plan": "Tarif"}'})
    sheet = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    create_fields = ma.fields.Boolean(load_default=False)
    delimiter = ma.fields.String(validate=ma.validate.Length(equal=1))
    encoding = ma.fields.String(validate=ma.validate.Length(min=1, max=32))


class ImportErrorSchema(Schema):
    row = ma.fields.Integer()
    field = ma.fields.String()
    reason = ma.fields.String()


class ImportSchema(Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    mode = ma.fields.String()
    filename = ma.fields.String()
    group_id = ma.fields.Integer(allow_none=True)
    file_format = ma.fields.String(allow_none=True)
    encoding = ma.fields.String(allow_none=True)
    delimiter = ma.fields.String(allow_none=True)
    columns = ma.fields.Dict(allow_none=True)
    total_bytes = ma.fields.Integer(allow_none=True)
    processed_rows = ma.fields.Integer()
    progress = ma.fields.Float(metadata={"description": "Percent done"})
    rows_per_second = ma.fields.Float(allow_none=True)
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer(metadata={"description": "Of `updated`: already up to date"})
    skipped = ma.fields.Integer()
    invalid = ma.fields.Integer()
    errors = ma.fields.List(
        ma.fields.Nested(ImportErrorSchema),
        metadata={"description": "The first rejected rows; all of them in rejected.csv"},
    )
    has_rejected_rows = ma.fields.Function(lambda record: bool(record.rejected_path))
    error = ma.fields.String(allow_none=True)
    heartbeat_at = ma.fields.DateTime(allow_none=True)
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class ExportArgs(Schema):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(("csv", "xlsx")))
    group_id = _id()
    segment_id = _id()
    status = ma.fields.String(validate=_status)
