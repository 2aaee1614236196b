"""Request and response schemas of the billing API."""

from __future__ import annotations

import marshmallow as ma

from engagex.api import Schema


class PlanSchema(Schema):
    code = ma.fields.String(metadata={"example": "starter"})
    name = ma.fields.String()
    price_cents = ma.fields.Integer(metadata={"description": "Monthly price in cents"})
    currency = ma.fields.String(metadata={"example": "usd"})
    email_quota = ma.fields.Integer(metadata={"description": "Emails per billing month"})
    contact_limit = ma.fields.Integer()
    seats = ma.fields.Integer()
    features = ma.fields.Dict(metadata={"example": {"sending_domains": 2, "api_access": True}})
    purchasable = ma.fields.Boolean(metadata={"description": "Can be bought through checkout"})


class PlanListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(PlanSchema), required=True)
    next_cursor = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "Always null: one page"}
    )


class SubscriptionSchema(Schema):
    plan = ma.fields.Nested(PlanSchema)
    status = ma.fields.String(metadata={"enum": ["trialing", "active", "past_due", "canceled"]})
    current_period_start = ma.fields.DateTime()
    current_period_end = ma.fields.DateTime()
    cancel_at_period_end = ma.fields.Boolean()
    past_due_since = ma.fields.DateTime(allow_none=True)
    grace_ends_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "Sending pauses at this time unless paid"}
    )
    sending_allowed = ma.fields.Boolean()
    sending_reason = ma.fields.String(
        allow_none=True, metadata={"enum": ["past_due_grace", "payment_overdue", None]}
    )
    sending_message = ma.fields.String(allow_none=True)
    billing_account = ma.fields.Boolean(
        metadata={"description": "A Stripe customer exists (the portal is available)"}
    )
    managed_by = ma.fields.String(metadata={"enum": ["stripe", "manual"]})


class MeterSchema(Schema):
    used = ma.fields.Integer(allow_none=True, metadata={"description": "null when unknown"})
    limit = ma.fields.Integer()
    remaining = ma.fields.Integer(allow_none=True)
    percent = ma.fields.Integer(allow_none=True)


class UsageSchema(Schema):
    plan = ma.fields.String()
    period_start = ma.fields.DateTime()
    period_end = ma.fields.DateTime()
    emails = ma.fields.Nested(MeterSchema, metadata={"description": "Sent this period"})
    contacts = ma.fields.Nested(MeterSchema, metadata={"description": "Held now"})
    seats = ma.fields.Nested(MeterSchema, metadata={"description": "Members now"})


class CheckoutRequestSchema(Schema):
    plan = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=32), metadata={"example": "growth"}
    )
    operation_id = ma.fields.String(
        load_default=None,
        validate=ma.validate.Regexp(r"^[A-Za-z0-9_.:-]{1,100}$"),
        metadata={"description": "Your id of this attempt: a retry returns the same session"},
    )


class CheckoutSchema(Schema):
    id = ma.fields.String(metadata={"description": "Stripe Checkout Session id"})
    url = ma.fields.String(metadata={"description": "Send the user here to pay"})
    expires_at = ma.fields.DateTime(allow_none=True)
    plan = ma.fields.String()
    operation_id = ma.fields.String()


class PortalSchema(Schema):
    url = ma.fields.String(metadata={"description": "Stripe Billing Portal session URL"})


class InvoiceSchema(Schema):
    id = ma.fields.Integer()
    stripe_invoice_id = ma.fields.String()
    number = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": ["draft", "open", "paid", "uncollectible", "void"]})
    currency = ma.fields.String()
    amount_due = ma.fields.Integer(metadata={"description": "In cents"})
    amount_paid = ma.fields.Integer(metadata={"description": "In cents"})
    hosted_invoice_url = ma.fields.String(allow_none=True)
    invoice_pdf = ma.fields.String(allow_none=True)
    period_start = ma.fields.DateTime(allow_none=True)
    period_end = ma.fields.DateTime(allow_none=True)
    issued_at = ma.fields.DateTime()
    paid_at = ma.fields.DateTime(allow_none=True)
