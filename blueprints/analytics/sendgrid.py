"""SendGrid's signed Event Webhook: verification and the mapping to our events.

**Verification** (SendGrid's "Signed Event Webhook"): the request carries
``X-Twilio-Email-Event-Webhook-Signature`` (base64 of a DER ECDSA signature) and
``X-Twilio-Email-Event-Webhook-Timestamp``; the signature is ECDSA P-256 with SHA-256
over the timestamp followed by the raw body, checked with the public key SendGrid
shows in its settings (``SENDGRID_WEBHOOK_PUBLIC_KEY``: its base64 DER, or PEM). A
timestamp more than five minutes away from now is refused (a captured request cannot be
replayed later). A request that fails any of this is refused with 403 and writes
nothing.

**Tenant**: every message we send carries ``custom_args`` ``organization_id``,
``campaign_id`` and ``recipient_id``, which SendGrid copies into each event. An event
counts only if a stored recipient has that id *and* that organization and campaign.

**Types**: ``processed`` -> ``sent``, ``delivered``, ``deferred``, ``bounce`` (``type``
``bounce`` is hard, ``blocked`` soft), ``dropped``, ``open`` (``sg_machine_open``: a
machine), ``click``, ``spamreport``, ``unsubscribe`` and ``group_unsubscribe`` ->
``unsubscribe``. Others (``group_resubscribe``, new ones) are acknowledged and logged.
Duplicates (the same ``sg_event_id``) are ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

from blueprints.analytics import recipients
from blueprints.analytics.events import EventIn
from engagex.errors import AppError

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
TOLERANCE = 300
MAX_BODY = 16 * 1024 * 1024

TYPES = {
    "processed": "sent",
    "delivered": "delivered",
    "deferred": "deferred",
    "bounce": "bounce",
    "dropped": "dropped",
    "open": "open",
    "click": "click",
    "spamreport": "spamreport",
    "unsubscribe": "unsubscribe",
    "group_unsubscribe": "unsubscribe",
}


class SignatureRefused(AppError):
    status = 403
    code = "invalid_signature"


class PayloadInvalid(AppError):
    status = 400
    code = "invalid_payload"


@lru_cache(maxsize=8)
def _public_key(text: str) -> ec.EllipticCurvePublicKey:
    text = text.strip()
    try:
        if "BEGIN PUBLIC KEY" in text:
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = serialization.load_der_public_key(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error) as exc:
        raise ValueError("SENDGRID_WEBHOOK_PUBLIC_KEY is not a public key") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("SENDGRID_WEBHOOK_PUBLIC_KEY is not an ECDSA key")
    return key


def verify(
    body: bytes, signature: str | None, timestamp: str | None, now: float | None = None
) -> None:
    """Raise ``SignatureRefused`` unless the request is SendGrid's, signed recently."""
    configured = current_app.config.get("SENDGRID_WEBHOOK_PUBLIC_KEY")
    if not configured:
        log.error("SENDGRID_WEBHOOK_PUBLIC_KEY is not set: refusing the SendGrid event webhook")
        raise SignatureRefused(
            "The event webhook is not configured (no public key).", code="webhook_not_configured"
        )
    if not signature or not timestamp:
        raise SignatureRefused("The signature headers are missing.")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise SignatureRefused("The timestamp is not a Unix time.") from exc
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE:
        raise SignatureRefused(
            "The timestamp is too old (or in the future).", code="stale_timestamp"
        )
    try:
        raw = base64.b64decode(signature, validate=True)
        _public_key(configured).verify(raw, timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise SignatureRefused("The signature does not match.") from exc


@dataclass
class Parsed:
    events: list[EventIn] = field(default_factory=list)
    unknown: Counter[str] = field(default_factory=Counter)
    invalid: int = 0


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 20:
        return int(value)
    return None


def _key(item: dict[str, Any]) -> str:
    event_id = item.get("sg_event_id")
    if isinstance(event_id, str) and event_id:
        return f"sg:{event_id[:90]}"
    digest = hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()
    return f"sg:h:{digest[:60]}"


def _occurred(item: dict[str, Any]) -> datetime:
    stamp = item.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and 0 < stamp < 2**33:
        return datetime.fromtimestamp(stamp, UTC)
    return datetime.now(UTC)


def _text(item: dict[str, Any], name: str, limit: int = 500) -> str | None:
    value = item.get(name)
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)[:limit] or None


def _link_index(campaign_id: int | None, url: str | None) -> int | None:
    if campaign_id is None or not url:
        return None
    try:
        return recipients.link_tables.get(campaign_id).index(url)
    except ValueError:
        return None


def parse(body: bytes) -> Parsed:
    """The events of a verified body (not written yet)."""
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadInvalid("The body is not JSON.") from exc
    if not isinstance(items, list):
        raise PayloadInvalid("The body must be a JSON array of events.")
    out = Parsed()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("event"), str):
            out.invalid += 1
            continue
        name = item["event"]
        kind = TYPES.get(name)
        if kind is None:
            out.unknown[name[:50]] += 1
            continue
        recipient = _int(item.get("recipient_id"))
        campaign = _int(item.get("campaign_id"))
        organization = _int(item.get("organization_id"))
        if recipient is None or campaign is None or organization is None:
            out.invalid += 1  # not one of our campaign messages (or no custom_args)
            continue
        data: dict[str, Any] = {}
        machine = None
        link = None
        if kind == "bounce":
            data["hard"] = item.get("type", "bounce") != "blocked"
            for name_in, name_out in (
                ("status", "status"),
                ("reason", "reason"),
                ("bounce_classification", "classification"),
            ):
                if (value := _text(item, name_in)) is not None:
                    data[name_out] = value
        elif kind in ("deferred", "delivered", "dropped"):
            for name_in in ("response", "reason", "attempt"):
                if (value := _text(item, name_in)) is not None:
                    data[name_in] = value
        elif kind == "open" and item.get("sg_machine_open") is True:
            machine = "provider"
        elif kind == "click":
            url = _text(item, "url", 2000)
            if url:
                data["url"] = url
            link = _link_index(campaign, url)
        if name == "group_unsubscribe":
            data["group"] = _text(item, "asm_group_id")
        out.events.append(
            EventIn(
                type=kind,
                recipient_id=recipient,
                occurred_at=_occurred(item),
                key=_key(item),
                source="sendgrid",
                link_index=link,
                user_agent=_text(item, "useragent", 300),
                machine_reason=machine,
                data=data,
                claimed_org=organization,
                claimed_campaign=campaign,
            )
        )
    for name, count in out.unknown.items():
        log.info("SendGrid event type %r is not handled (%d acknowledged)", name, count)
    return out
