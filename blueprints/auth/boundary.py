"""The HTTP side of authentication: who is calling, and the session cookie.

flask-login's request loader returns an ``Actor``:

- ``Authorization: Bearer <API key>``: the key's organization and role. A bad key is
  401; the cookie is then ignored (a client that sends a header means it).
- else the ``engagex_session`` cookie: the person in the session's current organization,
  with their membership's role. Cookie-authenticated writes must echo the session's
  CSRF token (``engagex.api`` enforces it).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, Request, Response, after_this_request, current_app, g, request

from blueprints.accounts import services as accounts
from blueprints.accounts.models import User
from blueprints.auth.models import AuthSession
from blueprints.auth.services import mfa, sessions
from blueprints.auth.services.flows import SignedIn
from engagex.api import SESSION_COOKIE, Credentials, set_credentials
from engagex.extensions import login_manager
from engagex.permissions import Actor, permissions_of

CSRF_COOKIE = "csrf_token"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_TRUE = {"1", "true", "yes", "on"}


def cookie_secure() -> bool:
    """``Secure`` cookies unless explicitly running on plain http for development.

    ``ENGAGEX_COOKIE_SECURE`` decides when set; otherwise only an ``http://`` base URL on
    a loopback address (``make run``) drops the flag.
    """
    explicit = current_app.config.get("ENGAGEX_COOKIE_SECURE")
    if explicit is not None and explicit != "":
        return explicit is True or str(explicit).strip().lower() in _TRUE
    url = urlsplit(current_app.config["ENGAGEX_BASE_URL"])
    return not (url.scheme == "http" and url.hostname in _LOOPBACK)


def set_cookie(
    response: Response, name: str, value: str, max_age: timedelta, *, path: str = "/"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(max_age.total_seconds()),
        path=path,
        secure=cookie_secure(),
        httponly=True,
        samesite="Lax",
    )


def set_session_cookie(
    response: Response, token: str, *, pending: bool = False, csrf: str | None = None
) -> None:
    """The HttpOnly session cookie, plus the CSRF token in a cookie the SPA can read
    (a transport only: the server checks the header against the session itself)."""
    ttl = sessions.PENDING_MFA_TTL if pending else sessions.SESSION_TTL
    set_cookie(response, SESSION_COOKIE, token, ttl)
    if csrf:
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            max_age=int(ttl.total_seconds()),
            path="/",
            secure=cookie_secure(),
            httponly=False,
            samesite="Lax",
        )


def clear_session_cookie(response: Response) -> None:
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(
            name, path="/", secure=cookie_secure(), httponly=httponly, samesite="Lax"
        )


def load_actor_from_request(req: Request) -> Actor | None:
    """flask-login request loader (see the module docstring)."""
    header = req.headers.get("Authorization")
    if header is not None:
        set_credentials(Credentials(method="bearer"))
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return accounts.authenticate_api_key(token.strip())
    token = req.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    resolved = sessions.resolve(token, allow_pending=True)
    if resolved is None:
        g.engagex_clear_cookie = True
        return None
    if resolved.session.mfa_pending:
        set_credentials(
            Credentials(
                method="session",
                problem=("mfa_required", "Enter the code of your authenticator to sign in."),
            )
        )
        return None
    actor, problem = sessions.actor_for(resolved.session, resolved.user)
    set_credentials(
        Credentials(
            method="session",
            csrf_token=sessions.csrf_token(resolved.session),
            session_id=resolved.session.id,
            problem=problem,
        )
    )
    g.engagex_session = resolved.session
    g.engagex_user = resolved.user
    if resolved.slid:
        g.engagex_refresh_cookie = token
    return actor


def current_session() -> AuthSession:
    """The session of a ``signed_in`` view."""
    return g.engagex_session


def current_user_row() -> User:
    """The person of a ``signed_in`` view."""
    return g.engagex_user


def client_ip() -> str | None:
    return request.remote_addr


def user_agent() -> str | None:
    return request.headers.get("User-Agent")


def _cookie_upkeep(response: Response) -> Response:
    """Re-send a slid session cookie (new Max-Age); drop a dead one."""
    if SESSION_COOKIE in {c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")}:
        return response
    refreshed = g.get("engagex_refresh_cookie")
    session = g.get("engagex_session")
    if refreshed and session is not None and session.revoked_at is None:
        set_session_cookie(response, refreshed, csrf=sessions.csrf_token(session))
    elif g.get("engagex_clear_cookie"):
        clear_session_cookie(response)
    return response


def init_app(app: Flask) -> None:
    login_manager.request_loader(load_actor_from_request)
    app.after_request(_cookie_upkeep)


def auth_state(user: User, session: AuthSession) -> dict[str, object]:
    """The body of ``GET /auth/me`` (and of a completed sign-in)."""
    orgs = [
        {
            "id": org.id,
            "slug": org.slug,
            "name": org.name,
            "role": role,
            "permissions": sorted(permissions_of(role)),
            "require_mfa": org.require_mfa,
        }
        for org, role in accounts.organizations_of_user(user.id)
    ]
    current = next((o for o in orgs if o["id"] == session.current_organization_id), None)
    _actor, problem = sessions.actor_for(session, user)
    enabled = mfa.has_mfa(user.id)
    return {
        "mfa_required": False,
        "user": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "has_password": user.password_hash is not None,
            "mfa_enabled": enabled,
            "recovery_codes_left": mfa.remaining_recovery_codes(user.id) if enabled else 0,
        },
        "organization": current,
        "organizations": orgs,
        "csrf_token": sessions.csrf_token(session),
        "problem": {"code": problem[0], "message": problem[1]} if problem else None,
    }


def rotate_session(signed: SignedIn) -> None:
    """A fresh session id at every sign-in: the browser's previous session ends."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        previous = sessions.resolve(old, allow_pending=True)
        if previous is not None and previous.session.id != signed.session.id:
            sessions.revoke(previous.session)


def start_response_session(signed: SignedIn) -> dict[str, object]:
    """Set the cookie of a new session on the response; return the sign-in body."""

    @after_this_request
    def _set(response: Response) -> Response:
        set_session_cookie(
            response,
            signed.token,
            pending=signed.mfa_required,
            csrf=None if signed.mfa_required else sessions.csrf_token(signed.session),
        )
        return response

    rotate_session(signed)
    if signed.mfa_required:
        return {"mfa_required": True, "user": None, "organization": None, "csrf_token": None}
    return auth_state(signed.user, signed.session)
