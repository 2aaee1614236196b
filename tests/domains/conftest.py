"""Fixtures of the domains tests: a real DNS server on loopback and domain builders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from blueprints.domains import services
from blueprints.domains.models import SendingDomain
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.factories import make_org
from tests.support.dns_server import DnsServer, Zone

SENDGRID_TARGETS = ("s1.domainkey.u42.wl7.sendgrid.net", "s2.domainkey.u42.wl7.sendgrid.net")
RELAY_SPF = "spf.relay.example.net"


@pytest.fixture(scope="session")
def dns_server() -> Iterator[DnsServer]:
    with DnsServer() as server:
        yield server


@pytest.fixture
def zone(dns_server: DnsServer, app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Zone]:
    """An empty zone (plus the providers' own SPF records) that the app resolves against."""
    dns_server.zone.clear()
    dns_server.zone.txt("sendgrid.net", "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ~all")
    dns_server.zone.txt(RELAY_SPF, "v=spf1 ip4:192.0.2.0/24 -all")
    for name, value in {
        "ENGAGEX_DNS_NAMESERVERS": [dns_server.address],
        "ENGAGEX_DNS_TIMEOUT": 5.0,
        "ENGAGEX_SPF_INCLUDE_SENDGRID": "sendgrid.net",
        "ENGAGEX_SPF_INCLUDE_SMTP": RELAY_SPF,
        "ENGAGEX_DKIM_SENDGRID_TARGETS": ",".join(SENDGRID_TARGETS),
        "ENGAGEX_ALLOW_UNVERIFIED_SENDERS": False,
    }.items():
        monkeypatch.setitem(app.config, name, value)
    yield dns_server.zone
    dns_server.zone.clear()


def publish(zone: Zone, domain: SendingDomain | dict[str, Any], **skip: bool) -> None:
    """Put the domain's records into the zone as a person would paste them.

    ``skip`` names purposes to leave out (``ownership=True``).
    """
    rows = domain["records"] if isinstance(domain, dict) else domain.records
    for row in rows:
        if skip.get(row["purpose"]):
            continue
        if row["type"] == "TXT":
            zone.txt(row["name"], row["value"])
        else:
            zone.cname(row["name"], row["value"] + ".")


def record(domain: SendingDomain, purpose: str) -> dict[str, Any]:
    return next(r for r in domain.records if r["purpose"] == purpose)


@pytest.fixture
def org(session):
    return make_org()


@pytest.fixture
def add_domain(org):
    """Create a domain through the service in ``org`` (or another org) and commit."""

    def build(name: str = "example.com", provider: str = "smtp", in_org=None) -> SendingDomain:
        target = in_org or org
        with tenant_context(target.id):
            domain = services.create_domain(None, name=name, provider=provider)
            db.session.commit()
            db.session.refresh(domain)  # load it while the tenant context allows it
            return domain

    return build


@pytest.fixture
def verify(org):
    def run(domain: SendingDomain) -> SendingDomain:
        with tenant_context(domain.organization_id):
            result = services.verify_domain(None, domain.id)
            db.session.commit()
            db.session.refresh(result)
            return result

    return run
