"""Settings of the domains package, read from ``app.config`` with their defaults.

| name | meaning | default |
|---|---|---|
| ``ENGAGEX_SPF_INCLUDE_SENDGRID`` | domain the SPF record must ``include:`` for SendGrid | ``sendgrid.net`` |
| ``ENGAGEX_SPF_INCLUDE_SMTP`` | domain the SPF record must ``include:`` for the SMTP relay | unset: ``a:``/``ip4:`` of ``SMTP_HOST``, else of the host of ``ENGAGEX_BASE_URL`` |
| ``ENGAGEX_DKIM_SENDGRID_TARGETS`` | the ``s1`` and ``s2`` DKIM CNAME targets (comma-separated; ``{domain}`` is replaced) | ``s1.domainkey.sendgrid.net,s2.domainkey.sendgrid.net`` |
| ``ENGAGEX_DNS_TIMEOUT`` | seconds one DNS lookup may take before the check counts as unanswered | ``5`` |
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

DEFAULT_SPF_INCLUDE_SENDGRID = "sendgrid.net"
DEFAULT_DKIM_SENDGRID_TARGETS = "s1.domainkey.sendgrid.net,s2.domainkey.sendgrid.net"
DEFAULT_DNS_TIMEOUT = 5.0


@dataclass(frozen=True)
class SpfMechanism:
    """The SPF term that authorizes the platform's servers (``include:sendgrid.net``)."""

    kind: str  # include | a | ip4 | ip6
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def _config() -> Any:
    return current_app.config


def _host_mechanism(host: str) -> SpfMechanism:
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return SpfMechanism("a", host)
    return SpfMechanism("ip4" if address.version == 4 else "ip6", str(address))


def spf_mechanism(provider: str) -> SpfMechanism:
    """The mechanism the domain's SPF record must contain for ``provider``."""
    config = _config()
    if provider == "sendgrid":
        include = config.get("ENGAGEX_SPF_INCLUDE_SENDGRID") or DEFAULT_SPF_INCLUDE_SENDGRID
        return SpfMechanism("include", include.strip().rstrip(".").lower())
    include = config.get("ENGAGEX_SPF_INCLUDE_SMTP")
    if include:
        return SpfMechanism("include", include.strip().rstrip(".").lower())
    # No relay SPF domain configured: authorize the relay host itself, or in the
    # embedded mode the machine the app runs on.
    host = config.get("SMTP_HOST") or urlsplit(config.get("ENGAGEX_BASE_URL") or "").hostname
    return _host_mechanism(host or "127.0.0.1")


def sendgrid_dkim_targets(domain: str) -> tuple[str, str]:
    """The CNAME targets of ``s1._domainkey`` and ``s2._domainkey`` for ``domain``."""
    raw = _config().get("ENGAGEX_DKIM_SENDGRID_TARGETS") or DEFAULT_DKIM_SENDGRID_TARGETS
    items = [t for t in raw.split(",")] if isinstance(raw, str) else list(raw)
    targets = [t.strip().rstrip(".").lower().replace("{domain}", domain) for t in items]
    targets = [t for t in targets if t]
    if len(targets) != 2:
        raise ValueError(
            "ENGAGEX_DKIM_SENDGRID_TARGETS must name exactly two CNAME targets (s1, s2); "
            f"got {raw!r}"
        )
    return targets[0], targets[1]


def nameservers() -> list[str]:
    """``host:port`` entries of ``ENGAGEX_DNS_NAMESERVERS`` (empty: the system resolver)."""
    value = _config().get("ENGAGEX_DNS_NAMESERVERS") or []
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v.strip()]


def dns_timeout() -> float:
    return float(_config().get("ENGAGEX_DNS_TIMEOUT") or DEFAULT_DNS_TIMEOUT)


def default_provider() -> str:
    """SendGrid's records when the app sends through SendGrid, else the own-key SMTP set."""
    return "sendgrid" if _config().get("ENGAGEX_MAIL_BACKEND") == "sendgrid" else "smtp"


def allow_unverified_senders() -> bool:
    return bool(_config().get("ENGAGEX_ALLOW_UNVERIFIED_SENDERS"))
