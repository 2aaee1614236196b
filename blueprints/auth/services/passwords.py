"""Password hashing (argon2id, OWASP parameters) and the password policy.

Policy: at least 12 characters (at most 256, bounding the hashing work), not a common
password, not a common password with a short suffix ("password2024!"), not a repeated
pattern, not the account's own email address.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from blueprints.accounts.models import User
from engagex.db import db
from engagex.errors import ValidationFailed

MIN_LENGTH = 12
MAX_LENGTH = 256

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. Changing these makes
# ``verify`` rehash old hashes at the next successful sign-in.
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)

# 20,000 common passwords (Royce Williams' list, as shipped by Django), lower-cased.
_COMMON_LIST = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
_SUFFIX = re.compile(r"^(.*?)([\W\d_]{1,6})$")


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def _weak(reason: str) -> ValidationFailed:
    return ValidationFailed(reason, code="weak_password", details={"field": "password"})


def check_policy(password: str, *, email: str | None = None) -> None:
    """Raise ``ValidationFailed`` (code ``weak_password``) unless the password is acceptable."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise _weak(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise _weak(f"the password must have at most {MAX_LENGTH} characters")
    lowered = password.lower()
    common = common_passwords()
    if lowered in common:
        raise _weak("this password is too common; choose another")
    suffixed = _SUFFIX.match(lowered)
    if suffixed and len(suffixed.group(1)) >= 4 and suffixed.group(1) in common:
        raise _weak("this is a common password with a few characters added; choose another")
    if len(set(lowered)) <= 2 or any(
        lowered == lowered[:n] * (len(lowered) // n) for n in range(1, 5) if len(lowered) % n == 0
    ):
        raise _weak("this password is a repeated pattern; choose another")
    if email:
        local = email.lower().partition("@")[0]
        if lowered in (email.lower(), local) or (len(local) >= 4 and lowered.startswith(local)):
            raise _weak("the password must not be based on your email address")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the account does not exist takes as long as a real
    check, so response times do not tell which emails have accounts."""
    return HASHER.hash("engagex-dummy-password-for-timing")


def verify_password(user: User | None, password: str) -> bool:
    """Check ``password``; on success rehash if the parameters changed (flushed)."""
    if len(password) > MAX_LENGTH:
        return False
    stored = user.password_hash if user is not None else None
    try:
        HASHER.verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if user is None or stored is None:
        return False
    if HASHER.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
        db.session.flush()
    return True


def set_password(user: User, password: str) -> None:
    """Apply the policy and store a new hash (flushed); sessions are the caller's concern."""
    check_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    db.session.flush()


def fingerprint(user: User) -> str:
    """A short digest of the current hash: reset links die when the password changes."""
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]
