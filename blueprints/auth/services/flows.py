"""The ways in: sign-up, sign-in (+ second factor), password change and reset, and
accepting an invitation. Adapters pass the client's IP and user agent explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Membership, Organization, User
from blueprints.accounts.services.mail import base_url, send_action_email
from blueprints.auth.models import AuthSession
from blueprints.auth.services import mfa, passwords, sessions
from engagex.db import db, utcnow
from engagex.errors import AppError, ValidationFailed

RESET_TTL = timedelta(hours=1)
RESET_PURPOSE = "password-reset"


class InvalidCredentials(AppError):
    status = 401
    code = "invalid_credentials"


class AccountDisabled(AppError):
    status = 403
    code = "account_disabled"


@dataclass(frozen=True)
class SignedIn:
    """A new session; ``mfa_required`` means it only admits the second factor."""

    user: User
    session: AuthSession
    token: str

    @property
    def mfa_required(self) -> bool:
        return self.session.mfa_pending


def start_session(
    user: User,
    *,
    method: str,
    organization_id: int | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> SignedIn:
    """Open a session after a first factor; pending until the second if MFA is enrolled."""
    if not user.is_active:
        raise AccountDisabled("this account is disabled")
    pending = mfa.has_mfa(user.id)
    if organization_id is not None and organization_id not in {
        org.id for org, _ in accounts.organizations_of_user(user.id)
    }:
        organization_id = None
    session, token = sessions.create_session(
        user,
        method=method,
        organization_id=organization_id,
        mfa_pending=pending,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    if not pending:
        _signed_in(user, method, ip_address)
    return SignedIn(user, session, token)


def _signed_in(user: User, method: str, ip_address: str | None) -> None:
    user.last_sign_in_at = utcnow()
    db.session.flush()
    accounts.audit.record_for_user_orgs(
        user.id, "auth.signed_in", {"method": method}, ip=ip_address
    )


def sign_up(
    *,
    email: str,
    password: str,
    name: str | None,
    organization_name: str,
    organization_slug: str | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> tuple[SignedIn, Organization]:
    """A new person and their first organization, signed in."""
    email = accounts.normalize_email(email)
    passwords.check_policy(password, email=email)  # before anything is written
    user = accounts.create_user(email, name)
    passwords.set_password(user, password)
    org = accounts.create_organization_for_user(
        user, name=organization_name, slug=organization_slug
    )
    signed = start_session(
        user,
        method="password",
        organization_id=org.id,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return signed, org


def sign_in(
    *,
    email: str,
    password: str,
    organization_id: int | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> SignedIn:
    """Check the password; ``InvalidCredentials`` (after auditing the failure) if wrong.

    The caller commits even on failure so the audit event of a failed attempt stays.
    """
    try:
        user = accounts.find_user(email)
    except ValidationFailed:
        user = None
    if not passwords.verify_password(user, password):
        if user is not None:
            accounts.audit.record_for_user_orgs(
                user.id, "auth.sign_in_failed", {"reason": "password"}, ip=ip_address
            )
        raise InvalidCredentials("the email or the password is wrong")
    assert user is not None
    return start_session(
        user,
        method="password",
        organization_id=organization_id,
        ip_address=ip_address,
        user_agent=user_agent,
    )


def complete_mfa(
    pending_token: str, code: str, *, ip_address: str | None = None, user_agent: str | None = None
) -> SignedIn:
    """Second step of a sign-in: a TOTP or recovery code turns the pending session into a
    full one (with a fresh id)."""
    resolved = sessions.resolve(pending_token, allow_pending=True)
    if resolved is None or not resolved.session.mfa_pending:
        raise InvalidCredentials(
            "the sign-in has expired; enter the email and password again", code="mfa_expired"
        )
    user, pending = resolved.user, resolved.session
    used = mfa.verify_second_factor(user, code)
    if used is None:
        accounts.audit.record_for_user_orgs(
            user.id, "auth.sign_in_failed", {"reason": "mfa"}, ip=ip_address
        )
        raise InvalidCredentials("the code is not valid", code="invalid_code")
    sessions.revoke(pending)
    session, token = sessions.create_session(
        user,
        method=pending.method,
        organization_id=pending.current_organization_id,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    _signed_in(user, f"{pending.method}+{used}", ip_address)
    return SignedIn(user, session, token)


def change_password(
    user: User, *, current_password: str | None, new_password: str, keep_session_id: int
) -> int:
    """Change the password (the current one is required if there is one); every other
    session is revoked. Returns how many sessions were revoked."""
    if user.password_hash is not None and not passwords.verify_password(
        user, current_password or ""
    ):
        raise ValidationFailed("the current password is wrong", code="wrong_password")
    passwords.set_password(user, new_password)
    revoked = sessions.revoke_all(user.id, keep=keep_session_id)
    accounts.audit.record_for_user_orgs(user.id, "auth.password_changed", {"revoked": revoked})
    return revoked


def reset_url(token: str) -> str:
    return f"{base_url()}/reset-password?{urlencode({'token': token})}"


def request_password_reset(email: str) -> str | None:
    """Email a reset link (valid 1 hour, once) if the account exists; the token is
    returned for the CLI and tests, never to an HTTP client."""
    user = accounts.find_user(email)
    if user is None or not user.is_active:
        return None
    token = accounts.sign_token(RESET_PURPOSE, {"u": user.id, "f": passwords.fingerprint(user)})
    send_action_email(
        to_email=user.email,
        to_name=user.name,
        subject="Reset your EngageX password",
        paragraphs=[
            "Hello,",
            "Someone (hopefully you) asked to reset the password of your EngageX account. "
            "Choose a new password with the button below.",
        ],
        action_label="Choose a new password",
        action_url=reset_url(token),
        notes=[
            "The link works once and expires in one hour. "
            "Resetting the password signs you out everywhere.",
            "If you did not ask for this, ignore this email: your password stays the same.",
        ],
    )
    return token


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from an emailed link; every session of the person is revoked."""
    payload = accounts.read_token(RESET_PURPOSE, token, RESET_TTL, what="password reset")
    user = db.session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    if user is None or not user.is_active:
        raise ValidationFailed("this password reset link is not valid", code="invalid_token")
    if payload.get("f") != passwords.fingerprint(user):
        raise accounts.Gone("this password reset link was already used", code="token_used")
    passwords.set_password(user, new_password)
    sessions.revoke_all(user.id)
    accounts.audit.record_for_user_orgs(user.id, "auth.password_reset")
    return user


@dataclass(frozen=True)
class Accepted:
    membership: Membership
    organization_id: int
    user: User
    #: A session when accepting also signed the person in (new account or first password).
    signed_in: SignedIn | None


def accept_invitation(
    token: str,
    *,
    name: str | None = None,
    password: str | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> Accepted:
    """Join the inviting organization. A new person (or one without a password yet) sets
    a password and is signed in; an existing one is linked and signs in as usual."""
    invitation = accounts.open_invitation(token)
    user = accounts.find_user(invitation.email)
    needs_password = user is None or user.password_hash is None
    if user is None and not password:
        raise ValidationFailed("choose a password to create your account", code="password_required")
    if needs_password and password:
        passwords.check_policy(password, email=invitation.email)
    if user is None:
        user = accounts.create_user(invitation.email, name)
    membership = accounts.accept_invitation(invitation, user)
    signed = None
    if needs_password and password:
        passwords.set_password(user, password)
        signed = start_session(
            user,
            method="invitation",
            organization_id=invitation.organization_id,
            ip_address=ip_address,
            user_agent=user_agent,
        )
    return Accepted(membership, invitation.organization_id, user, signed)
