"""Request and response schemas of the accounts API."""

from __future__ import annotations

import marshmallow as ma

from engagex.api import Schema
from engagex.permissions import Role


class OrganizationSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String(dump_only=True)
    name = ma.fields.String()
    default_from_name = ma.fields.String(allow_none=True)
    default_from_email = ma.fields.String(allow_none=True)
    timezone = ma.fields.String()
    created_at = ma.fields.DateTime(dump_only=True)


class OrganizationUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    default_from_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    default_from_email = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=320))
    timezone = ma.fields.String(validate=ma.validate.Length(min=1, max=64))


class MemberUserSchema(Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String(allow_none=True)


class MemberSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    role = ma.fields.String(validate=ma.validate.OneOf([r.value for r in Role]))
    user = ma.fields.Nested(MemberUserSchema, dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class ApiKeySchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf([r.value for r in Role]))
    prefix = ma.fields.String(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = ma.fields.String(
        dump_only=True, metadata={"description": "The bearer token; shown only once"}
    )
