"""The DNS records a sending domain needs, and domain-name normalization."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import idna

from blueprints.domains import settings
from engagex.errors import ValidationFailed

OWNERSHIP_LABEL = "_engagex"
OWNERSHIP_PREFIX = "engagex-verification="
DMARC_SUGGESTED = "v=DMARC1; p=none; adkim=r; aspf=r"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(raw: str) -> str:
    """Lower-case ASCII (IDNA) form without the trailing dot; raises ``ValidationFailed``."""
    name = raw.strip().rstrip(".").lower()
    if "@" in name:
        raise ValidationFailed(
            f"{raw.strip()!r} is an email address; give its domain (the part after '@')",
            code="invalid_domain",
        )
    try:
        name = idna.encode(name, uts46=True).decode() if name else ""
    except idna.IDNAError as exc:
        raise ValidationFailed(
            f"{raw.strip()!r} is not a valid domain name: {exc}", code="invalid_domain"
        ) from exc
    labels = name.split(".")
    if (
        len(labels) < 2
        or len(name) > 253
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationFailed(
            f"{raw.strip()!r} is not a domain name you can send from (expected something "
            "like example.com or mail.example.com)",
            code="invalid_domain",
        )
    return name


def email_domain(email: str) -> str:
    """The normalized domain of an address; raises ``ValidationFailed``."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValidationFailed(f"{email.strip()!r} is not an email address", code="invalid_sender")
    try:
        return normalize_domain(domain)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code="invalid_sender") from exc


@dataclass(frozen=True)
class Required:
    """One record to publish: ``name`` is a fully qualified name without the final dot."""

    purpose: str  # ownership | spf | dkim | dmarc
    type: str  # TXT | CNAME
    name: str
    value: str

    def as_row(self, status: str = "pending", detail: str = "not checked yet") -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "type": self.type,
            "name": self.name,
            "value": self.value,
            "status": status,
            "detail": detail,
        }


def dkim_txt_value(public_key_b64: str) -> str:
    return f"v=DKIM1; k=rsa; p={public_key_b64}"


def required_records(
    name: str,
    provider: str,
    token: str,
    selector: str | None = None,
    public_key: str | None = None,
) -> list[Required]:
    """What to publish for ``name``, in the order a person pastes them."""
    spf = settings.spf_mechanism(provider)
    records = [
        Required("ownership", "TXT", f"{OWNERSHIP_LABEL}.{name}", f"{OWNERSHIP_PREFIX}{token}"),
        Required("spf", "TXT", name, f"v=spf1 {spf} ~all"),
    ]
    if provider == "sendgrid":
        for label, target in zip(("s1", "s2"), settings.sendgrid_dkim_targets(name), strict=True):
            records.append(Required("dkim", "CNAME", f"{label}._domainkey.{name}", target))
    else:
        if not selector or not public_key:
            raise ValueError("an SMTP domain needs its DKIM selector and public key")
        records.append(
            Required("dkim", "TXT", f"{selector}._domainkey.{name}", dkim_txt_value(public_key))
        )
    records.append(Required("dmarc", "TXT", f"_dmarc.{name}", DMARC_SUGGESTED))
    return records


def merge(required: list[Required], previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for ``required``, keeping the last outcome of records that did not change."""
    known = {(r["purpose"], r["type"], r["name"], r["value"]): r for r in previous}
    rows = []
    for record in required:
        old = known.get((record.purpose, record.type, record.name, record.value))
        rows.append(record.as_row(old["status"], old["detail"]) if old else record.as_row())
    return rows


def zone_lines(rows: list[dict[str, Any]], ttl: int = 3600) -> list[str]:
    """The records as zone-file lines (long TXT values split into 255-byte strings)."""
    lines = []
    for row in rows:
        if row["type"] == "TXT":
            raw = row["value"]
            chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [""]
            data = " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)
        else:
            data = row["value"].rstrip(".") + "."
        lines.append(f"{row['name']}. {ttl} IN {row['type']} {data}")
    return lines
