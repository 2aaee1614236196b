"""Request and response schemas of the accounts API."""

from __future__ import annotations

import marshmallow as ma

from blueprints.accounts.models import INVITATION_STATUSES
from engagex.api import PageArgs, Schema
from engagex.permissions import Role

ROLES = [r.value for r in Role]


class OrganizationSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String(dump_only=True)
    name = ma.fields.String()
    default_from_name = ma.fields.String(allow_none=True)
    default_from_email = ma.fields.String(allow_none=True)
    timezone = ma.fields.String()
    require_mfa = ma.fields.Boolean(dump_only=True)
    auto_unsubscribe_footer = ma.fields.Function(
        lambda org: bool((org.settings or {}).get("auto_unsubscribe_footer")),
        metadata={"description": "Templates without an unsubscribe link get a footer with one"},
    )
    postal_address = ma.fields.Function(
        lambda org: (org.settings or {}).get("postal_address"),
        metadata={"description": "Shown in the automatic footer (anti-spam laws require one)"},
    )
    created_at = ma.fields.DateTime(dump_only=True)


class OrganizationUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    default_from_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    default_from_email = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=320))
    timezone = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    auto_unsubscribe_footer = ma.fields.Boolean()
    postal_address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))


class TransferOwnershipSchema(Schema):
    member_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))


class MemberUserSchema(Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String(allow_none=True)


class MemberSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    user = ma.fields.Nested(MemberUserSchema, dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class MemberArgs(PageArgs):
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))


class MemberUpdateSchema(Schema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))


class InvitationCreateSchema(Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=320))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))


class InvitationSchema(Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    role = ma.fields.String()
    status = ma.fields.String()
    invited_by = ma.fields.Nested(MemberUserSchema, allow_none=True)
    expires_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    accepted_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class InvitationArgs(PageArgs):
    status = ma.fields.String(
        load_default="pending", validate=ma.validate.OneOf(INVITATION_STATUSES)
    )


class ApiKeySchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    prefix = ma.fields.String(dump_only=True)
    created_by_id = ma.fields.Integer(dump_only=True, allow_none=True)
    last_used_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = ma.fields.String(
        dump_only=True, metadata={"description": "The bearer token; shown only once"}
    )


class AuditEventSchema(Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    action = ma.fields.String()
    actor_kind = ma.fields.String()
    actor_user_id = ma.fields.Integer(allow_none=True)
    actor_api_key_id = ma.fields.Integer(allow_none=True)
    actor_label = ma.fields.String(allow_none=True)
    target_type = ma.fields.String(allow_none=True)
    target_id = ma.fields.String(allow_none=True)
    ip_address = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()


class AuditArgs(PageArgs):
    action = ma.fields.String(
        validate=ma.validate.Length(min=1, max=64),
        metadata={"description": "An action, or a prefix ending in `.*` (`members.*`)"},
    )
    actor_user_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1))
    since = ma.fields.AwareDateTime(metadata={"description": "ISO 8601 with offset"})
