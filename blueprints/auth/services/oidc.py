"""Single sign-on with any OpenID Connect issuer (authorization code + PKCE S256).

The issuer is discovered from ``OIDC_ISSUER``; authlib validates the ID token (issuer,
audience, expiry, signature against the issuer's JWKS, nonce, at_hash). People are
identified by (issuer, subject); an existing account is linked by email only when the
issuer says ``email_verified``, and a new account is created only for a verified email.
"""

from __future__ import annotations

from typing import Any

import requests
import sqlalchemy as sa
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc.errors import JoseError

from blueprints.accounts import services as accounts
from blueprints.accounts.models import User
from blueprints.auth.models import OidcIdentity
from blueprints.auth.services.flows import SignedIn, start_session
from engagex.db import db, utcnow
from engagex.errors import AppError, ValidationFailed

SCOPES = "openid email profile"
_EXTENSION = "engagex.oidc"


class SsoFailed(AppError):
    status = 401
    code = "sso_failed"


def configured() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def issuer() -> str:
    return current_app.config["OIDC_ISSUER"].rstrip("/")


def _client() -> Any:
    """The authlib client of this app, registered on first use (metadata is cached)."""
    if not configured():
        raise SsoFailed("single sign-on is not configured", code="sso_not_configured")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    client = app.extensions.get(_EXTENSION)
    if client is None:
        registry = OAuth(app)
        client = registry.register(
            "oidc",
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config.get("OIDC_CLIENT_SECRET"),
            server_metadata_url=f"{issuer()}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "timeout": 10},
        )
        app.extensions[_EXTENSION] = client
    return client


_FAILURES = (AuthlibBaseError, JoseError, requests.RequestException, KeyError, ValueError)


def begin(redirect_uri: str) -> dict[str, str]:
    """The authorization URL plus what the callback must check: ``state``, ``nonce`` and
    the PKCE ``code_verifier`` (the adapter keeps them in a signed, short-lived cookie)."""
    try:
        started = _client().create_authorization_url(redirect_uri, nonce=generate_token(24))
    except _FAILURES as exc:
        raise SsoFailed(
            f"the identity provider cannot be reached: {exc}", code="sso_unavailable"
        ) from exc
    return {
        "url": started["url"],
        "state": started["state"],
        "nonce": started["nonce"],
        "code_verifier": started["code_verifier"],
        "redirect_uri": redirect_uri,
    }


def finish(pending: dict[str, str], *, code: str | None, error: str | None) -> dict[str, Any]:
    """Exchange the code and return the validated ID token claims."""
    if error:
        raise SsoFailed(f"the identity provider refused the sign-in: {error}", code="sso_denied")
    if not code:
        raise SsoFailed("the identity provider sent no code", code="sso_failed")
    client = _client()
    try:
        token = client.fetch_access_token(
            redirect_uri=pending["redirect_uri"],
            code=code,
            code_verifier=pending["code_verifier"],
        )
        if "id_token" not in token:
            raise SsoFailed("the identity provider sent no ID token", code="sso_failed")
        # authlib checks the audience only through azp unless told: the token must be
        # issued to us (aud contains our client id) by the configured issuer.
        options = {
            "iss": {"essential": True, "values": [issuer()]},
            "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]},
        }
        claims = client.parse_id_token(
            token, nonce=pending["nonce"], claims_options=options, leeway=60
        )
    except SsoFailed:
        raise
    except _FAILURES as exc:
        raise SsoFailed(f"the sign-in could not be verified: {exc}", code="sso_invalid") from exc
    return dict(claims)


def _verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def user_for_claims(claims: dict[str, Any]) -> User:
    """The person these claims identify: by (issuer, subject), else a verified email."""
    iss, sub = claims.get("iss"), claims.get("sub")
    if not isinstance(iss, str) or not isinstance(sub, str) or not sub:
        raise SsoFailed("the ID token names no subject", code="sso_invalid")
    identity = db.session.scalars(
        sa.select(OidcIdentity).where(OidcIdentity.issuer == iss, OidcIdentity.subject == sub)
    ).one_or_none()
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    now = utcnow()
    if identity is None:
        if not email or not _verified(claims):
            raise SsoFailed(
                "the identity provider did not confirm the email address; "
                "ask your administrator or sign in with a password",
                code="sso_email_not_verified",
            )
        try:
            user = accounts.find_user(email)
        except ValidationFailed as exc:
            raise SsoFailed(f"unusable email from the provider: {exc}", code="sso_invalid") from exc
        if user is None:
            name = claims.get("name") if isinstance(claims.get("name"), str) else None
            user = accounts.create_user(email, (name or "")[:200] or None)
        identity = OidcIdentity(issuer=iss, subject=sub, user_id=user.id)
        db.session.add(identity)
    else:
        user = db.session.get(User, identity.user_id)
    identity.email = email
    identity.last_sign_in_at = now
    db.session.flush()
    return user


def sign_in(
    claims: dict[str, Any], *, ip_address: str | None = None, user_agent: str | None = None
) -> SignedIn:
    user = user_for_claims(claims)
    return start_session(user, method="oidc", ip_address=ip_address, user_agent=user_agent)
