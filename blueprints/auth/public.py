"""The unauthenticated ways in under /api/v1/auth: sign-up, sign-in and its second
factor, password reset, invitation acceptance and single sign-on.

Each route is marked ``public`` (the route-matrix test knows them) and rate-limited.
Cross-site forms cannot reach them: they read JSON bodies only (a cross-site form can
send no JSON without a CORS preflight, which is never granted) and the session cookie is
``SameSite=Lax``.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Response, after_this_request, redirect, request
from flask.views import MethodView

from blueprints.accounts import ratelimit
from blueprints.accounts import services as accounts
from blueprints.accounts.services.mail import base_url
from blueprints.auth.boundary import (
    clear_session_cookie,
    client_ip,
    rotate_session,
    set_cookie,
    set_session_cookie,
    start_response_session,
    user_agent,
)
from blueprints.auth.schemas import (
    AuthStateSchema,
    CodeSchema,
    InvitationAcceptedSchema,
    InvitationAcceptSchema,
    InvitationPreviewSchema,
    InvitationTokenArgs,
    OidcCallbackArgs,
    OidcInfoSchema,
    OidcStartArgs,
    PasswordResetRequestSchema,
    PasswordResetSchema,
    SignInSchema,
    SignUpSchema,
)
from blueprints.auth.services import flows, oidc, sessions
from engagex.api import SESSION_COOKIE, Blueprint, public
from engagex.db import db
from engagex.errors import ValidationFailed

log = logging.getLogger(__name__)

blp = Blueprint(
    "auth_public",
    __name__,
    url_prefix="/api/v1/auth",
    description="Sign-up, sign-in, password reset, invitations, single sign-on",
)

OIDC_COOKIE = "engagex_oidc"
OIDC_PATH = "/api/v1/auth/oidc"
OIDC_TTL = timedelta(minutes=10)


def _ip_key() -> str:
    return client_ip() or "-"


def _account_key(email: str) -> str:
    return email.strip().lower()


@blp.route("/sign-up")
class SignUp(MethodView):
    @public
    @blp.arguments(SignUpSchema)
    @blp.response(201, AuthStateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an account and its first organization; signs in."""
        ratelimit.hit("sign_up_ip", _ip_key())
        signed, _org = flows.sign_up(
            email=data["email"],
            password=data["password"],
            name=data.get("name"),
            organization_name=data["organization_name"],
            organization_slug=data.get("organization_slug"),
            ip_address=client_ip(),
            user_agent=user_agent(),
        )
        return start_response_session(signed)


@blp.route("/sign-in")
class SignIn(MethodView):
    @public
    @blp.arguments(SignInSchema)
    @blp.response(200, AuthStateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Sign in with email and password.

        With MFA enrolled the answer is ``{"mfa_required": true}`` and the cookie admits
        only ``POST /auth/sign-in/mfa``.
        """
        account = _account_key(data["email"])
        ratelimit.hit("sign_in_ip", _ip_key())
        ratelimit.check("sign_in_account", account)
        try:
            signed = flows.sign_in(
                email=data["email"],
                password=data["password"],
                organization_id=data.get("organization_id"),
                ip_address=client_ip(),
                user_agent=user_agent(),
            )
        except flows.InvalidCredentials:
            ratelimit.hit("sign_in_account", account)
            db.session.commit()  # keep the audit event of the failed attempt
            raise
        return start_response_session(signed)


@blp.route("/sign-in/mfa")
class SignInMfa(MethodView):
    @public
    @blp.arguments(CodeSchema)
    @blp.response(200, AuthStateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Second step of a sign-in: a TOTP code or a recovery code."""
        token = request.cookies.get(SESSION_COOKIE, "")
        pending = sessions.resolve(token, allow_pending=True)
        account = f"user:{pending.user.id}" if pending else f"token:{token[:16]}"
        ratelimit.check("mfa_account", account)
        try:
            signed = flows.complete_mfa(
                token, data["code"], ip_address=client_ip(), user_agent=user_agent()
            )
        except flows.InvalidCredentials:
            ratelimit.hit("mfa_account", account)
            db.session.commit()
            raise
        return start_response_session(signed)


@blp.route("/password/reset-request")
class PasswordResetRequest(MethodView):
    @public
    @blp.arguments(PasswordResetRequestSchema)
    @blp.response(202)
    def post(self, data: dict[str, Any]) -> None:
        """Email a reset link if the account exists (the answer is the same either way)."""
        ratelimit.hit("password_reset_ip", _ip_key())
        ratelimit.hit("password_reset_account", _account_key(data["email"]))
        flows.request_password_reset(data["email"])


@blp.route("/password/reset")
class PasswordReset(MethodView):
    @public
    @blp.arguments(PasswordResetSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> None:
        """Set a new password from the emailed link; signs out every session."""
        ratelimit.hit("password_reset_ip", _ip_key())
        flows.reset_password(data["token"], data["new_password"])

        @after_this_request
        def _clear(response: Response) -> Response:
            clear_session_cookie(response)
            return response


@blp.route("/invitation")
class InvitationPreview(MethodView):
    @public
    @blp.arguments(InvitationTokenArgs, location="query")
    @blp.response(200, InvitationPreviewSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """What an invitation link offers (for the accept page)."""
        ratelimit.hit("invitation_accept_ip", _ip_key())
        invitation = accounts.open_invitation(args["token"])
        org = accounts.get_organization_by_id(invitation.organization_id)
        user = accounts.find_user(invitation.email)
        return {
            "email": invitation.email,
            "role": invitation.role,
            "organization": {"name": org.name, "slug": org.slug},
            "expires_at": invitation.expires_at,
            "account_exists": user is not None,
            "needs_password": user is None or user.password_hash is None,
        }


@blp.route("/invitation/accept")
class InvitationAccept(MethodView):
    @public
    @blp.arguments(InvitationAcceptSchema)
    @blp.response(200, InvitationAcceptedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Join the organization. A new person chooses a password and is signed in."""
        ratelimit.hit("invitation_accept_ip", _ip_key())
        accepted = flows.accept_invitation(
            data["token"],
            name=data.get("name"),
            password=data.get("password"),
            ip_address=client_ip(),
            user_agent=user_agent(),
        )
        state = None
        if accepted.signed_in is not None:
            state = start_response_session(accepted.signed_in)
        else:
            # Already signed in as the invited person: work in the new organization now.
            current = sessions.resolve(request.cookies.get(SESSION_COOKIE, ""))
            if current is not None and current.user.id == accepted.user.id:
                sessions.switch_organization(
                    current.session, current.user, accepted.organization_id
                )
        return {
            "organization_id": accepted.organization_id,
            "member_id": accepted.membership.id,
            "role": accepted.membership.role,
            "signed_in": state is not None,
            "state": state,
        }


# --- single sign-on --------------------------------------------------------------------


def _safe_next(target: str) -> str:
    """Only a path of this site: no scheme, no host, no ``//`` (open redirects)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target if "\\" not in target else "/"


@blp.route("/oidc")
class OidcInfo(MethodView):
    @public
    @blp.response(200, OidcInfoSchema)
    def get(self) -> Any:
        """Whether single sign-on is available (the sign-in page shows its button)."""
        enabled = oidc.configured()
        return {
            "enabled": enabled,
            "issuer": oidc.issuer() if enabled else None,
            "start_url": f"{OIDC_PATH}/start" if enabled else None,
        }


def _sign_in_page(code: str, next_path: str | None = None) -> Response:
    """Back to the sign-in page with the failure's code, keeping where the person was
    going (a password sign-in from there still lands on it)."""
    query = {"error": code, **({"next": next_path} if next_path and next_path != "/" else {})}
    response = redirect(f"/sign-in?{urlencode(query)}", code=302)
    response.delete_cookie(OIDC_COOKIE, path=OIDC_PATH)
    return response


@blp.route("/oidc/start")
class OidcStart(MethodView):
    @public
    @blp.arguments(OidcStartArgs, location="query")
    @blp.response(302)
    def get(self, args: dict[str, Any]) -> Response:
        """Redirect to the identity provider (authorization code flow, PKCE S256)."""
        ratelimit.hit("sso_ip", _ip_key())
        try:
            pending = oidc.begin(f"{base_url()}{OIDC_PATH}/callback")
        except oidc.SsoFailed as exc:
            return _sign_in_page(exc.code)
        pending["next"] = _safe_next(args["next"])
        response = redirect(pending.pop("url"), code=302)
        set_cookie(
            response, OIDC_COOKIE, accounts.sign_token("oidc", pending), OIDC_TTL, path=OIDC_PATH
        )
        return response


@blp.route("/oidc/callback")
class OidcCallback(MethodView):
    @public
    @blp.arguments(OidcCallbackArgs, location="query")
    @blp.response(302)
    def get(self, args: dict[str, Any]) -> Response:
        """The provider sends the browser back here; a session starts if all checks pass."""
        ratelimit.hit("sso_ip", _ip_key())
        try:
            pending = accounts.read_token(
                "oidc", request.cookies.get(OIDC_COOKIE, ""), OIDC_TTL, what="sign-in"
            )
        except (accounts.Gone, ValidationFailed):
            return _sign_in_page("sso_expired")
        next_path = _safe_next(str(pending.get("next") or "/"))
        if not hmac.compare_digest(str(pending.get("state", "")), args.get("state", "")):
            return _sign_in_page("sso_state_mismatch", next_path)
        try:
            claims = oidc.finish(pending, code=args.get("code"), error=args.get("error"))
            signed = oidc.sign_in(claims, ip_address=client_ip(), user_agent=user_agent())
        except (oidc.SsoFailed, flows.AccountDisabled) as exc:
            db.session.rollback()
            log.warning("single sign-on refused (%s): %s", exc.code, exc.message)
            return _sign_in_page(exc.code, next_path)
        rotate_session(signed)
        target = _safe_next(str(pending.get("next") or "/"))
        if signed.mfa_required:
            target = f"/sign-in/mfa?{urlencode({'next': target})}"
        response = redirect(target, code=302)
        response.delete_cookie(OIDC_COOKIE, path=OIDC_PATH)
        set_session_cookie(
            response,
            signed.token,
            pending=signed.mfa_required,
            csrf=None if signed.mfa_required else sessions.csrf_token(signed.session),
        )
        return response
