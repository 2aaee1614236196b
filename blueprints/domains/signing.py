"""DKIM signing of outgoing mail with the domain's own key (``provider == "smtp"``).

Registered with ``engagex.mail.register_signer``: every backend that sends raw MIME
(SMTP, outbox) passes each message through ``sign_message``. SendGrid signs with the
keys behind the ``s1``/``s2`` CNAMEs itself, so those domains are never signed here.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from typing import Any

import dkim
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from flask import current_app

from blueprints.domains import keys
from blueprints.domains.models import SendingDomain
from blueprints.domains.records import email_domain
from blueprints.domains.signals import domain_status_changed
from engagex.db import db
from engagex.errors import ValidationFailed
from engagex.mail import Message
from engagex.tenancy import current_scope, tenant_context

log = logging.getLogger(__name__)

#: Always in ``h=``; an absent one is signed as absent, so nobody can add it later
#: (RFC 8058 requires List-Unsubscribe and List-Unsubscribe-Post to be covered).
ALWAYS_SIGNED = (
    "from",
    "subject",
    "date",
    "message-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
)
#: Signed when present (signing an absent one would break on relays that add it).
SIGNED_IF_PRESENT = (
    "to",
    "cc",
    "reply-to",
    "sender",
    "mime-version",
    "content-type",
    "list-id",
    "feedback-id",
    "in-reply-to",
    "references",
)
_HEADER_NAME = re.compile(rb"^([!-9;-~]+):", re.MULTILINE)


def _present_headers(raw: bytes) -> set[str]:
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    return {m.group(1).decode("ascii").lower() for m in _HEADER_NAME.finditer(head)}


class _OpenSslDkim(dkim.DKIM):
    """dkimpy's signer with the RSA operation done by OpenSSL (``cryptography``).

    dkimpy computes RSA in pure Python, several milliseconds per 2048-bit signature,
    which would dominate a campaign's CPU. Canonicalization, header selection, the
    tag list and folding stay dkimpy's own; only ``gen_header``'s RSA step differs,
    and PKCS#1 v1.5 is deterministic, so the bytes are the ones dkimpy would write.
    The tests verify every signature with dkimpy's own verifier.
    """

    def __init__(self, message: bytes, key: rsa.RSAPrivateKey) -> None:
        super().__init__(message, signature_algorithm=b"rsa-sha256")
        self._key = key

    def gen_header(  # type: ignore[override]
        self,
        fields: list[tuple[bytes, bytes]],
        include_headers: list[bytes],
        canon_policy: Any,
        header_name: bytes,
        pk: Any,
        standardize: bool = False,
    ) -> bytes:
        if standardize:  # ARC; not used for DKIM-Signature
            return super().gen_header(
                fields, include_headers, canon_policy, header_name, pk, standardize
            )
        header_value = b"; ".join(b"=".join(x) for x in fields)
        header_value = dkim.fold(header_value, namelen=len(header_name), linesep=b"\r\n")
        header_value = dkim.RE_BTAG.sub(b"\\1", header_value)
        header = (header_name, b" " + header_value)
        digest = dkim.HashThrough(self.hasher(), self.debug_content)
        headers = canon_policy.canonicalize_headers(self.headers)
        self.signed_headers = dkim.hash_headers(
            digest, canon_policy, headers, include_headers, header, dict(fields)
        )
        signature = self._key.sign(digest.digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        index = next(i for i, (name, _) in enumerate(fields) if name == b"b")
        fields[index] = (b"b", base64.b64encode(signature))
        header_value = b"; ".join(b"=".join(x) for x in fields) + self.linesep
        return dkim.fold(header_value, namelen=len(header_name), linesep=self.linesep)


# A campaign signs thousands of messages from one domain: keep each answer for a minute
# per process; a status change of the organization's domains drops its entries.
_CACHE_SECONDS = 60.0
_cache: dict[tuple[int, int, str], tuple[float, tuple[str, bytes] | None]] = {}


def forget_organization(sender: object, *, organization_id: int, **_: object) -> None:
    """Drop the cached keys of an organization (its domains changed)."""
    for key in [k for k in _cache if k[1] == organization_id]:
        _cache.pop(key, None)


domain_status_changed.connect(forget_organization)


def signing_key(organization_id: int, domain: str) -> tuple[str, bytes] | None:
    """``(selector, PEM)`` of a verified own-key domain of the organization, else None."""
    key = (id(current_app._get_current_object()), organization_id, domain)  # type: ignore[attr-defined]
    cached = _cache.get(key)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    value = _load_signing_key(organization_id, domain)
    _cache[key] = (now + _CACHE_SECONDS, value)
    return value


def _load_signing_key(organization_id: int, domain: str) -> tuple[str, bytes] | None:
    with tenant_context(organization_id, current_scope().user_id):
        row = db.session.execute(
            sa.select(SendingDomain.dkim_selector, SendingDomain.dkim_private_key).where(
                SendingDomain.name == domain,
                SendingDomain.status == "verified",
                SendingDomain.provider == "smtp",
            )
        ).one_or_none()
    if row is None or not row.dkim_selector or not row.dkim_private_key:
        return None
    pem = keys.decrypt(
        row.dkim_private_key,
        secret=current_app.config["SECRET_KEY"],
        organization_id=organization_id,
        domain=domain,
    )
    return row.dkim_selector, pem


def sign_raw(raw: bytes, *, domain: str, selector: str, pem: bytes) -> bytes:
    """The ``DKIM-Signature`` header field (CRLF-terminated) for ``raw``."""
    present = _present_headers(raw)
    include = [*ALWAYS_SIGNED, *(h for h in SIGNED_IF_PRESENT if h in present), "from"]
    signer = _OpenSslDkim(raw, keys.load_private_key(pem))
    return signer.sign(
        selector.encode(),
        domain.encode(),
        pem,
        include_headers=[h.encode() for h in include],
        canonicalize=(b"relaxed", b"relaxed"),
    )


def sign_message(raw: bytes, message: Message) -> bytes:
    """``raw`` with a DKIM-Signature prepended, or unchanged when there is no key."""
    if message.organization_id is None:
        return raw
    try:
        domain = email_domain(message.from_email)
    except ValidationFailed:
        return raw
    try:
        found = signing_key(message.organization_id, domain)
    except keys.KeyUnavailable as exc:
        # Never log key material; say which domain needs a new key.
        log.error(
            "not DKIM-signing mail from %s (organization %s): %s",
            domain,
            message.organization_id,
            exc,
        )
        return raw
    if found is None:
        return raw
    selector, pem = found
    try:
        return sign_raw(raw, domain=domain, selector=selector, pem=pem) + raw
    except dkim.DKIMException as exc:
        log.error("not DKIM-signing message %s from %s: %s", message.message_id, domain, exc)
        return raw
