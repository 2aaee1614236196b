"""Validation and token helpers shared by the accounts services (and the auth domain)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engagex.errors import AppError, ValidationFailed
from engagex.permissions import Actor, Role

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")


class Forbidden(AppError):
    """The actor holds the permission but not the standing this change needs (HTTP 403)."""

    status = 403
    code = "forbidden"


class Gone(AppError):
    """A token that was valid once: expired, used or revoked (HTTP 410)."""

    status = 410
    code = "gone"


def normalize_email(raw: str) -> str:
    """Trimmed, IDNA-encoded domain, lower-cased; raises ``ValidationFailed``."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            f"{raw.strip()!r} is not a valid email address: {exc}", code="invalid_email"
        ) from exc
    return f"{result.local_part}@{result.ascii_domain}".lower()


def validate_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise ValidationFailed(
            f"invalid slug {slug!r}: use 1-50 lower-case letters, digits and inner hyphens",
            code="invalid_slug",
        )
    return slug


def slugify(name: str) -> str:
    """A slug candidate from a display name ("Acme & Co." -> "acme-co")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50].strip("-")
    return slug or "org"


def validate_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("the name must have 1 to 200 characters", code="invalid_name")
    return name


def validate_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"unknown time zone {tz!r}", code="invalid_timezone") from exc
    return tz


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            f"unknown role {role!r}; one of: {roles}", code="invalid_role"
        ) from exc


def is_owner_or_system(actor: Actor | None) -> bool:
    return actor is None or actor.kind == "system" or actor.role == Role.OWNER


def require_owner_for(actor: Actor | None, what: str) -> None:
    """Only owners hand out or take away the owner role (admins manage everyone else)."""
    if not is_owner_or_system(actor):
        raise Forbidden(f"only an owner can {what}", code="owner_required")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- signed tokens ---------------------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"engagex.{salt}")


def sign_token(purpose: str, payload: dict[str, Any]) -> str:
    """A URL-safe token of ``payload`` signed with SECRET_KEY for one ``purpose``."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: timedelta, *, what: str) -> dict[str, Any]:
    """The payload of a token from ``sign_token``; ``Gone`` once older than ``max_age``."""
    try:
        payload = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise Gone(f"this {what} link has expired", code="token_expired") from exc
    except BadSignature as exc:
        raise ValidationFailed(f"this {what} link is not valid", code="invalid_token") from exc
    if not isinstance(payload, dict):
        raise ValidationFailed(f"this {what} link is not valid", code="invalid_token")
    return payload
