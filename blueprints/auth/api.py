"""A signed-in person's own routes under /api/v1: who am I, organizations and switching
between them, sign-out, password change, sessions, MFA; and the owners' MFA policy."""

from __future__ import annotations

from typing import Any

from flask import Response, after_this_request
from flask.views import MethodView

from blueprints.accounts import services as accounts
from blueprints.auth.boundary import (
    auth_state,
    clear_session_cookie,
    current_session,
    current_user_row,
)
from blueprints.auth.schemas import (
    AuthStateSchema,
    CodeSchema,
    CsrfSchema,
    MyOrganizationListSchema,
    OrganizationCreateSchema,
    OrganizationRefSchema,
    PasswordChangeSchema,
    ProfileSchema,
    RecoveryCodesSchema,
    SecurityPolicySchema,
    SessionListSchema,
    SwitchOrgSchema,
    TotpSetupSchema,
    WhoAmISchema,
)
from blueprints.auth.services import flows, mfa, sessions
from engagex.api import Blueprint, current_actor, requires, signed_in
from engagex.permissions import permissions_of

blp = Blueprint(
    "auth", __name__, url_prefix="/api/v1", description="The signed-in person: sessions, MFA"
)


def _state() -> dict[str, Any]:
    return auth_state(current_user_row(), current_session())


@blp.route("/auth/me")
class Me(MethodView):
    @signed_in
    @blp.response(200, AuthStateSchema)
    def get(self) -> Any:
        """The signed-in person, their organizations and the CSRF token for writes."""
        return _state()

    @signed_in
    @blp.arguments(ProfileSchema)
    @blp.response(200, AuthStateSchema)
    def patch(self, data: dict[str, Any]) -> Any:
        """Change the display name."""
        accounts.update_profile(current_user_row(), name=data["name"])
        return _state()


@blp.route("/auth/whoami")
class WhoAmI(MethodView):
    @requires("org:read")
    @blp.response(200, WhoAmISchema)
    def get(self) -> Any:
        """Who the credentials are in the current organization: a person or an API key,
        with the role and its permissions (clients hide what the role may not do)."""
        actor = current_actor()
        permissions = permissions_of(actor.role) if actor.role else frozenset()
        return {
            "kind": actor.kind,
            "role": actor.role,
            "permissions": sorted(permissions),
            "organization_id": actor.organization_id,
            "user_id": actor.user_id,
        }


@blp.route("/auth/csrf")
class Csrf(MethodView):
    @signed_in
    @blp.response(200, CsrfSchema)
    def get(self) -> Any:
        """The CSRF token cookie-authenticated writes send in ``X-CSRF-Token``."""
        return {"csrf_token": sessions.csrf_token(current_session())}


@blp.route("/auth/switch-org")
class SwitchOrganization(MethodView):
    @signed_in
    @blp.arguments(SwitchOrgSchema)
    @blp.response(200, AuthStateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Work in another of the person's organizations (404 unless a member)."""
        sessions.switch_organization(current_session(), current_user_row(), data["organization_id"])
        return _state()


@blp.route("/auth/sign-out")
class SignOut(MethodView):
    @signed_in
    @blp.response(204)
    def post(self) -> None:
        """End this session."""
        sessions.revoke(current_session())

        @after_this_request
        def _clear(response: Response) -> Response:
            clear_session_cookie(response)
            return response


@blp.route("/auth/password/change")
class PasswordChange(MethodView):
    @signed_in
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, AuthStateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Change the password; every other session is signed out."""
        flows.change_password(
            current_user_row(),
            current_password=data.get("current_password"),
            new_password=data["new_password"],
            keep_session_id=current_session().id,
        )
        return _state()


@blp.route("/auth/sessions")
class Sessions(MethodView):
    @signed_in
    @blp.response(200, SessionListSchema)
    def get(self) -> Any:
        """The person's live sessions, most recently used first."""
        mine = current_session().id
        items = sessions.list_sessions(current_user_row().id)
        return {
            "items": [
                {**{c: getattr(s, c) for c in _SESSION_FIELDS}, "current": s.id == mine}
                for s in items
            ]
        }


_SESSION_FIELDS = (
    "id",
    "method",
    "current_organization_id",
    "ip_address",
    "user_agent",
    "created_at",
    "last_seen_at",
    "expires_at",
)


@blp.route("/auth/sessions/<id:session_id>")
class SessionItem(MethodView):
    @signed_in
    @blp.response(204)
    def delete(self, session_id: int) -> None:
        """Sign out one session (another person's is a 404)."""
        sessions.revoke_session(current_user_row().id, session_id)
        if session_id == current_session().id:

            @after_this_request
            def _clear(response: Response) -> Response:
                clear_session_cookie(response)
                return response


@blp.route("/auth/mfa/totp")
class TotpSetup(MethodView):
    @signed_in
    @blp.response(201, TotpSetupSchema)
    def post(self) -> Any:
        """Start TOTP enrolment: show ``otpauth_uri`` as a QR code, then confirm a code."""
        secret, uri = mfa.begin_totp(current_user_row())
        return {"secret": secret, "otpauth_uri": uri}


@blp.route("/auth/mfa/totp/confirm")
class TotpConfirm(MethodView):
    @signed_in
    @blp.arguments(CodeSchema)
    @blp.response(200, RecoveryCodesSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Finish enrolment with a first code; returns ten recovery codes, shown once."""
        return {"recovery_codes": mfa.confirm_totp(current_user_row(), data["code"])}


@blp.route("/auth/mfa/totp/disable")
class TotpDisable(MethodView):
    @signed_in
    @blp.arguments(CodeSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> None:
        """Turn MFA off (needs a current code or a recovery code)."""
        mfa.disable_totp(current_user_row(), data["code"])


@blp.route("/auth/mfa/recovery-codes")
class RecoveryCodes(MethodView):
    @signed_in
    @blp.arguments(CodeSchema)
    @blp.response(200, RecoveryCodesSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Replace the recovery codes (needs a current code); the old ones stop working."""
        return {"recovery_codes": mfa.regenerate_recovery_codes(current_user_row(), data["code"])}


@blp.route("/organizations")
class MyOrganizations(MethodView):
    @signed_in
    @blp.response(200, MyOrganizationListSchema)
    def get(self) -> Any:
        """The organizations the person belongs to, with their role."""
        return {"items": _state()["organizations"]}

    @signed_in
    @blp.arguments(OrganizationCreateSchema)
    @blp.response(201, OrganizationRefSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an organization (you become its owner) and switch to it."""
        user = current_user_row()
        org = accounts.create_organization_for_user(user, name=data["name"], slug=data.get("slug"))
        sessions.switch_organization(current_session(), user, org.id)
        return {
            "id": org.id,
            "slug": org.slug,
            "name": org.name,
            "role": "owner",
            "require_mfa": org.require_mfa,
        }


@blp.route("/organization/security")
class SecurityPolicy(MethodView):
    @requires("org:delete")
    @blp.response(200, SecurityPolicySchema)
    def get(self) -> Any:
        """The organization's security policy."""
        org = accounts.get_organization_by_id(current_actor().organization_id)
        return {"require_mfa": org.require_mfa}

    @requires("org:delete")
    @blp.arguments(SecurityPolicySchema)
    @blp.response(200, SecurityPolicySchema)
    def put(self, data: dict[str, Any]) -> Any:
        """Owners require multi-factor authentication of every member (API keys exempt)."""
        org = accounts.get_organization_by_id(current_actor().organization_id)
        mfa.set_organization_requirement(org, current_actor(), data["require_mfa"])
        return {"require_mfa": org.require_mfa}
