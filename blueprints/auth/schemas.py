"""Request and response schemas of the auth API."""

from __future__ import annotations

import marshmallow as ma

from engagex.api import Schema

_EMAIL = ma.validate.Length(min=3, max=320)
# The policy (12+ characters, not common) is the service's; this only bounds the input.
_PASSWORD = ma.validate.Length(min=1, max=1024)
_MAX_ID = 2**63 - 1


def _password(**kwargs: object) -> ma.fields.String:
    return ma.fields.String(load_only=True, validate=_PASSWORD, **kwargs)  # type: ignore[arg-type]


class SignUpSchema(Schema):
    email = ma.fields.String(required=True, validate=_EMAIL)
    password = _password(required=True)
    name = ma.fields.String(validate=ma.validate.Length(max=200))
    organization_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    organization_slug = ma.fields.String(validate=ma.validate.Length(min=1, max=50))


class SignInSchema(Schema):
    email = ma.fields.String(required=True, validate=_EMAIL)
    password = _password(required=True)
    organization_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=_MAX_ID),
        metadata={"description": "Start in this organization (default: the last one used)"},
    )


class CodeSchema(Schema):
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=6, max=32),
        metadata={"description": "A 6-digit TOTP code or a recovery code"},
    )


class UserSchema(Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String(allow_none=True)
    has_password = ma.fields.Boolean()
    mfa_enabled = ma.fields.Boolean()
    recovery_codes_left = ma.fields.Integer()


class OrganizationRefSchema(Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    permissions = ma.fields.List(ma.fields.String())
    require_mfa = ma.fields.Boolean()


class WhoAmISchema(Schema):
    kind = ma.fields.String(metadata={"description": "user or api_key"})
    role = ma.fields.String()
    permissions = ma.fields.List(ma.fields.String())
    organization_id = ma.fields.Integer()
    user_id = ma.fields.Integer(allow_none=True)


class ProblemSchema(Schema):
    code = ma.fields.String()
    message = ma.fields.String()


class AuthStateSchema(Schema):
    """Who is signed in, where, and the CSRF token writes must send in X-CSRF-Token."""

    mfa_required = ma.fields.Boolean(required=True)
    user = ma.fields.Nested(UserSchema, allow_none=True)
    organization = ma.fields.Nested(OrganizationRefSchema, allow_none=True)
    organizations = ma.fields.List(ma.fields.Nested(OrganizationRefSchema))
    csrf_token = ma.fields.String(allow_none=True)
    problem = ma.fields.Nested(
        ProblemSchema,
        allow_none=True,
        metadata={"description": "Why the current organization is not usable, if it is not"},
    )


class CsrfSchema(Schema):
    csrf_token = ma.fields.String(required=True)


class ProfileSchema(Schema):
    name = ma.fields.String(required=True, allow_none=True, validate=ma.validate.Length(max=200))


class SwitchOrgSchema(Schema):
    organization_id = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=_MAX_ID)
    )


class PasswordChangeSchema(Schema):
    current_password = _password(allow_none=True)
    new_password = _password(required=True)


class PasswordResetRequestSchema(Schema):
    email = ma.fields.String(required=True, validate=_EMAIL)


class PasswordResetSchema(Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))
    new_password = _password(required=True)


class SessionSchema(Schema):
    id = ma.fields.Integer()
    method = ma.fields.String()
    current_organization_id = ma.fields.Integer(allow_none=True)
    ip_address = ma.fields.String(allow_none=True)
    user_agent = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    last_seen_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime()
    current = ma.fields.Boolean()


class SessionListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(SessionSchema), required=True)


class TotpSetupSchema(Schema):
    secret = ma.fields.String(metadata={"description": "Base32 secret, for manual entry"})
    otpauth_uri = ma.fields.String(metadata={"description": "Encode as a QR code"})


class RecoveryCodesSchema(Schema):
    recovery_codes = ma.fields.List(
        ma.fields.String(), metadata={"description": "Shown once; each works once"}
    )


class SecurityPolicySchema(Schema):
    require_mfa = ma.fields.Boolean(required=True)


class InvitationTokenArgs(Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))


class InvitationPreviewSchema(Schema):
    email = ma.fields.String()
    role = ma.fields.String()
    organization = ma.fields.Dict(metadata={"description": "name and slug"})
    expires_at = ma.fields.DateTime()
    account_exists = ma.fields.Boolean()
    needs_password = ma.fields.Boolean()


class InvitationAcceptSchema(Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))
    name = ma.fields.String(validate=ma.validate.Length(max=200))
    password = _password(metadata={"description": "Required for a new account"})


class InvitationAcceptedSchema(Schema):
    organization_id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    role = ma.fields.String()
    signed_in = ma.fields.Boolean()
    state = ma.fields.Nested(AuthStateSchema, allow_none=True)


class OidcInfoSchema(Schema):
    enabled = ma.fields.Boolean()
    issuer = ma.fields.String(allow_none=True)
    start_url = ma.fields.String(allow_none=True)


class OidcStartArgs(Schema):
    next = ma.fields.String(
        load_default="/",
        validate=ma.validate.Length(max=2000),
        metadata={"description": "Where to land after signing in (a path of this site)"},
    )


class OidcCallbackArgs(Schema):
    class Meta:
        unknown = ma.EXCLUDE  # providers add their own parameters (session_state, iss...)

    code = ma.fields.String(validate=ma.validate.Length(max=4096))
    state = ma.fields.String(validate=ma.validate.Length(max=512))
    error = ma.fields.String(validate=ma.validate.Length(max=512))
    error_description = ma.fields.String(validate=ma.validate.Length(max=2048))


class MyOrganizationListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(OrganizationRefSchema), required=True)


class OrganizationCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    slug = ma.fields.String(
        validate=ma.validate.Length(min=1, max=50),
        metadata={"description": "Derived from the name when omitted"},
    )
