"""Multi-factor authentication: TOTP (RFC 6238) and single-use recovery codes.

Enrolment is two steps: ``begin_totp`` returns the secret and an ``otpauth://`` URI for
a QR code, ``confirm_totp`` checks a first code and returns ten recovery codes, shown
once. A TOTP code is accepted once per 30-second step (replays fail) within one step of
clock drift.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Organization, User
from blueprints.auth.models import RecoveryCode, TotpCredential
from engagex.db import db, utcnow
from engagex.errors import Conflict, ValidationFailed
from engagex.permissions import Actor
from engagex.tenancy import tenant_context

ISSUER = "EngageX"
RECOVERY_CODES = 10
_CODE = "0123456789"


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"engagex.totp:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _secret(credential: TotpCredential) -> str:
    try:
        return _fernet().decrypt(credential.secret_encrypted.encode()).decode()
    except InvalidToken as exc:  # SECRET_KEY changed since enrolment
        raise ValidationFailed(
            "the authenticator cannot be read (the server key changed); use a recovery code",
            code="mfa_unreadable",
        ) from exc


def _credential(user_id: int) -> TotpCredential | None:
    return db.session.scalars(
        sa.select(TotpCredential).where(TotpCredential.user_id == user_id)
    ).one_or_none()


def has_mfa(user_id: int) -> bool:
    credential = _credential(user_id)
    return credential is not None and credential.confirmed_at is not None


def remaining_recovery_codes(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )


def begin_totp(user: User) -> tuple[str, str]:
    """Start (or restart) enrolment; returns ``(secret, otpauth_uri)``."""
    credential = _credential(user.id)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict("multi-factor authentication is already enabled", code="mfa_enabled")
    secret = pyotp.random_base32()
    encrypted = _fernet().encrypt(secret.encode()).decode()
    if credential is None:
        credential = TotpCredential(user_id=user.id, secret_encrypted=encrypted)
        db.session.add(credential)
    else:
        credential.secret_encrypted = encrypted
        credential.last_used_step = None
    db.session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return secret, uri


def _normalize(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def _check_totp(credential: TotpCredential, code: str, now: float | None = None) -> bool:
    code = _normalize(code)
    if len(code) != 6 or not all(ch in _CODE for ch in code):
        return False
    totp = pyotp.TOTP(_secret(credential))
    step = int((now if now is not None else time.time()) // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if credential.last_used_step is not None and candidate <= credential.last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            credential.last_used_step = candidate
            db.session.flush()
            return True
    return False


def _new_recovery_codes(user_id: int) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 80 bits
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
        db.session.add(
            RecoveryCode(user_id=user_id, code_hash=hashlib.sha256(raw.encode()).hexdigest())
        )
    db.session.flush()
    return codes


def _use_recovery_code(user_id: int, code: str) -> bool:
    normalized = _normalize(code)
    if len(normalized) != 16:
        return False
    digest = hashlib.sha256(normalized.encode()).hexdigest()
    row = db.session.scalars(
        sa.select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == digest,
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    ).first()
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    return True


def verify_second_factor(user: User, code: str) -> str | None:
    """``"totp"`` or ``"recovery_code"`` when ``code`` passes (and is used up), else None."""
    credential = _credential(user.id)
    if credential is None or credential.confirmed_at is None:
        return None
    if _check_totp(credential, code):
        return "totp"
    if _use_recovery_code(user.id, code):
        return "recovery_code"
    return None


def _audit(user: User, action: str) -> None:
    accounts.audit.record_for_user_orgs(user.id, action)


def confirm_totp(user: User, code: str) -> list[str]:
    """Finish enrolment with a first code; returns the recovery codes (shown once)."""
    credential = _credential(user.id)
    if credential is None:
        raise ValidationFailed("start the enrolment first", code="mfa_not_started")
    if credential.confirmed_at is not None:
        raise Conflict("multi-factor authentication is already enabled", code="mfa_enabled")
    if not _check_totp(credential, code):
        raise ValidationFailed(
            "the code is not valid; check the device's clock", code="invalid_code"
        )
    credential.confirmed_at = utcnow()
    codes = _new_recovery_codes(user.id)
    _audit(user, "auth.mfa_enabled")
    return codes


def _require_code(user: User, code: str) -> None:
    if not has_mfa(user.id):
        raise ValidationFailed("multi-factor authentication is not enabled", code="mfa_not_enabled")
    if verify_second_factor(user, code) is None:
        raise ValidationFailed("the code is not valid", code="invalid_code")


def disable_totp(user: User, code: str) -> None:
    """Turn MFA off; needs a current code or a recovery code."""
    _require_code(user, code)
    reset_mfa(user)


def reset_mfa(user: User) -> None:
    """Remove the authenticator and recovery codes (also the operator's `users reset-mfa`)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.flush()
    _audit(user, "auth.mfa_disabled")


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    _require_code(user, code)
    codes = _new_recovery_codes(user.id)
    _audit(user, "auth.recovery_codes_regenerated")
    return codes


def set_organization_requirement(org: Organization, actor: Actor, required: bool) -> Organization:
    """Owners require MFA of every member; they must have it themselves first."""
    if required and actor.kind == "user" and actor.user_id and not has_mfa(actor.user_id):
        raise ValidationFailed(
            "enable multi-factor authentication on your own account first",
            code="mfa_not_enabled",
        )
    with tenant_context(org.id, actor.user_id):
        return accounts.set_require_mfa(org, actor, required)
