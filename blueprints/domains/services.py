"""Sending domains: add, verify, re-check, remove, and the sending gate.

Services flush and never commit: the boundary (API request, CLI command) owns the
transaction. DNS is read through ``ENGAGEX_DNS_NAMESERVERS`` (see ``settings``).
"""

from __future__ import annotations

import logging
import secrets
from typing import Protocol

import dns.exception
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from blueprints.accounts import services as accounts
from blueprints.domains import checks, keys, settings, signing
from blueprints.domains.models import PROVIDERS, SendingDomain
from blueprints.domains.records import (
    Required,
    email_domain,
    merge,
    normalize_domain,
    required_records,
)
from blueprints.domains.resolver import Lookup
from blueprints.domains.signals import domain_status_changed
from engagex.api import Page, keyset_page
from engagex.db import db, utcnow
from engagex.errors import AppError, Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import current_scope, require_org_id, system_scope, tenant_context

log = logging.getLogger(__name__)

__all__ = [
    "DnsUnavailable",
    "assert_sender_allowed",
    "create_domain",
    "delete_domain",
    "domains_to_recheck",
    "get_domain",
    "get_domain_by_name",
    "is_sender_allowed",
    "list_domains",
    "verify_domain",
]


class _HasId(Protocol):
    id: int


class DnsUnavailable(AppError):
    """The DNS resolver itself is misconfigured (an operator problem, not the domain's)."""

    status = 503
    code = "dns_unavailable"


def _lookup() -> Lookup:
    try:
        return Lookup(settings.nameservers(), settings.dns_timeout())
    except (ValueError, OSError, dns.exception.DNSException) as exc:
        raise DnsUnavailable(
            f"cannot query DNS with ENGAGEX_DNS_NAMESERVERS={settings.nameservers()!r}: {exc}"
        ) from exc


def _required(domain: SendingDomain) -> list[Required]:
    return required_records(
        domain.name,
        domain.provider,
        domain.verification_token,
        domain.dkim_selector,
        domain.dkim_public_key,
    )


def _refresh_records(domain: SendingDomain) -> SendingDomain:
    """Re-derive the records (settings may have changed), keeping unchanged outcomes."""
    rows = merge(_required(domain), domain.records or [])
    if rows != domain.records:
        domain.records = rows
        db.session.flush()
    return domain


def _verified_elsewhere(name: str, organization_id: int) -> bool:
    # Row-level security hides other organizations' rows: this one question is asked
    # across tenants, and it answers only yes or no.
    with system_scope():
        return bool(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(SendingDomain)
                .where(
                    SendingDomain.name == name,
                    SendingDomain.status == checks.VERIFIED,
                    SendingDomain.organization_id != organization_id,
                )
            )
        )


def create_domain(actor: Actor | None, *, name: str, provider: str | None = None) -> SendingDomain:
    """Add ``name`` to the current organization, with its records to publish.

    ``provider`` picks the records: ``sendgrid`` (two DKIM CNAMEs to SendGrid) or
    ``smtp`` (a 2048-bit key pair generated here, the public half published as TXT).
    It defaults to the configured mail backend.
    """
    require(actor, "domains:manage")
    org_id = require_org_id()
    name = normalize_domain(name)
    provider = provider or settings.default_provider()
    if provider not in PROVIDERS:
        raise ValidationFailed(
            f"unknown provider {provider!r}; one of: {', '.join(PROVIDERS)}",
            code="invalid_provider",
        )
    exists = db.session.scalar(
        sa.select(sa.func.count()).select_from(SendingDomain).where(SendingDomain.name == name)
    )
    if exists:
        raise Conflict(
            f"{name} is already a sending domain of this organization", code="domain_exists"
        )
    if _verified_elsewhere(name, org_id):
        raise Conflict(
            f"{name} is verified by another organization; a domain can be verified by "
            "one organization only",
            code="domain_taken",
        )
    domain = SendingDomain(
        organization_id=org_id,
        name=name,
        provider=provider,
        status=checks.PENDING,
        verification_token=secrets.token_hex(20),
    )
    if provider == "smtp":
        pair = keys.generate()
        domain.dkim_selector = f"egx{secrets.token_hex(4)}"
        domain.dkim_public_key = pair.public_b64
        domain.dkim_private_key = keys.encrypt(
            pair.private_pem,
            secret=current_app.config["SECRET_KEY"],
            organization_id=org_id,
            domain=name,
        )
    domain.records = merge(_required(domain), [])
    db.session.add(domain)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # lost a race with the same name in this organization
        raise Conflict(
            f"{name} is already a sending domain of this organization", code="domain_exists"
        ) from exc
    return domain


def list_domains(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "domains:read")
    return keyset_page(sa.select(SendingDomain), [SendingDomain.id], limit=limit, cursor=cursor)


def get_domain(actor: Actor | None, domain_id: int) -> SendingDomain:
    require(actor, "domains:read")
    domain = db.session.scalars(
        sa.select(SendingDomain).where(SendingDomain.id == domain_id)
    ).one_or_none()
    if domain is None:
        raise NotFound("sending domain not found", code="domain_not_found")
    return _refresh_records(domain)


def get_domain_by_name(actor: Actor | None, name: str) -> SendingDomain:
    require(actor, "domains:read")
    normalized = normalize_domain(name)
    domain = db.session.scalars(
        sa.select(SendingDomain).where(SendingDomain.name == normalized)
    ).one_or_none()
    if domain is None:
        raise NotFound(
            f"{normalized} is not a sending domain of this organization", code="domain_not_found"
        )
    return _refresh_records(domain)


def delete_domain(actor: Actor | None, domain_id: int) -> None:
    """Remove the domain and its key; sending from it is refused from then on."""
    require(actor, "domains:manage")
    domain = get_domain(actor, domain_id)
    db.session.delete(domain)
    db.session.flush()
    signing.forget_organization(None, organization_id=domain.organization_id)


def verify_domain(actor: Actor | None, domain_id: int) -> SendingDomain:
    """Check every record in DNS now, store the outcomes and the new status.

    Sends ``domain_status_changed`` when the status changes. Unanswered lookups leave a
    pending domain pending and a verified one verified (see ``checks.overall``).
    """
    require(actor, "domains:manage")
    domain = get_domain(actor, domain_id)
    lookup = _lookup()
    taken = _verified_elsewhere(domain.name, domain.organization_id)
    rows = checks.check_all(
        _required(domain),
        lookup,
        domain=domain.name,
        provider=domain.provider,
        taken_elsewhere=taken,
    )
    old = domain.status
    new = checks.overall(old, rows)
    now = utcnow()
    domain.records, domain.status, domain.last_checked_at = rows, new, now
    if new == checks.VERIFIED and old != checks.VERIFIED:
        domain.verified_at = now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another organization verified the name between our check and this write.
        for row in rows:
            if row["purpose"] == "ownership":
                row.update(
                    status=checks.FAILED,
                    detail=(
                        f"{domain.name} is already verified by another organization; a domain "
                        "can be verified by one organization only (remove it there first)"
                    ),
                )
        new = checks.FAILED
        domain.records, domain.status, domain.last_checked_at = rows, new, now
        db.session.flush()
    if new != old:
        log.info(
            "sending domain %s (organization %s): %s -> %s",
            domain.name,
            domain.organization_id,
            old,
            new,
        )
        domain_status_changed.send(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            domain_id=domain.id,
            organization_id=domain.organization_id,
            name=domain.name,
            old_status=old,
            new_status=new,
            records=rows,
        )
    return domain


def domains_to_recheck(organization_id: int | None = None) -> list[tuple[int, int]]:
    """``(organization_id, domain_id)`` of the domains of every live organization (or of
    one), least recently checked first. Read across tenants; the caller checks each one
    in its own tenant context and transaction."""
    with system_scope():
        live = {org.id for org in accounts.list_organizations()}
        stmt = sa.select(SendingDomain.organization_id, SendingDomain.id).order_by(
            SendingDomain.last_checked_at.asc().nulls_first(), SendingDomain.id
        )
        if organization_id is not None:
            stmt = stmt.where(SendingDomain.organization_id == organization_id)
        rows = db.session.execute(stmt).all()
    return [(org_id, domain_id) for org_id, domain_id in rows if org_id in live]


# --- the sending gate -------------------------------------------------------------------


def sender_domain_status(org: _HasId | int, from_email: str) -> str | None:
    """The status of ``from_email``'s domain among ``org``'s sending domains (None: not
    one of them); 422 ``invalid_sender`` for a malformed address."""
    org_id = org if isinstance(org, int) else org.id
    domain = email_domain(from_email)
    with tenant_context(org_id, current_scope().user_id):
        return db.session.scalar(
            sa.select(SendingDomain.status).where(SendingDomain.name == domain)
        )


def assert_sender_allowed(org: _HasId | int, from_email: str) -> None:
    """Refuse (422 ``sender_domain_unverified``) a From address whose domain is not a
    verified sending domain of ``org``.

    Campaign sends and transactional mail of an organization call this before anything
    reaches a mail backend. ``ENGAGEX_ALLOW_UNVERIFIED_SENDERS`` (development, tests and
    the embedded mode) lets any well-formed address through. A malformed address is 422
    ``invalid_sender`` either way.
    """
    domain = email_domain(from_email)
    if settings.allow_unverified_senders():
        return
    status = sender_domain_status(org, from_email)
    if status == checks.VERIFIED:
        return
    address = from_email.strip()
    if status is None:
        reason = (
            f"{domain} is not a sending domain of this organization; add it, publish its "
            "DNS records and verify it"
        )
    elif status == checks.PENDING:
        reason = f"{domain} is not verified yet; publish its DNS records and verify it"
    else:
        reason = (
            f"{domain} failed DNS verification (records missing or wrong); fix the records "
            "listed for the domain and verify it again"
        )
    raise ValidationFailed(
        f"cannot send from {address}: {reason}",
        code="sender_domain_unverified",
        details={"from_email": address, "domain": domain, "domain_status": status or "absent"},
    )


def is_sender_allowed(org: _HasId | int, from_email: str) -> bool:
    """``assert_sender_allowed`` as a yes/no (for forms that warn before sending)."""
    try:
        assert_sender_allowed(org, from_email)
    except ValidationFailed:
        return False
    return True
