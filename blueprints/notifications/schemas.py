"""Schemas of the notifications API."""

from __future__ import annotations

import marshmallow as ma

from engagex.api import Schema


class NotificationSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    type = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    link = ma.fields.String(allow_none=True)
    subject_type = ma.fields.String(allow_none=True)
    subject_id = ma.fields.Integer(allow_none=True)
    read_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class InboxArgs(Schema):
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=512))
    unread = ma.fields.Boolean(load_default=False)


class InboxSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
    unread_count = ma.fields.Integer(required=True)


class ReadAllSchema(Schema):
    marked = ma.fields.Integer(required=True)


class PreferenceSchema(Schema):
    type = ma.fields.String(required=True, validate=ma.validate.Length(max=64))
    label = ma.fields.String(dump_only=True)
    relevant = ma.fields.Boolean(dump_only=True)
    in_app = ma.fields.Boolean()
    email = ma.fields.Boolean()


class PreferencesSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(PreferenceSchema), required=True)
