"""``engagex domains``: add sending domains, print their DNS records, verify, re-check."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import rich_click as click

from blueprints.domains import services as domains
from blueprints.domains.models import PROVIDERS, SendingDomain
from blueprints.domains.records import zone_lines
from cli._common import emit, json_option, load_app, org_option, org_transaction, transaction
from engagex.db import db
from engagex.tenancy import tenant_context

log = logging.getLogger(__name__)

_COLOR = {"verified": "green", "failed": "red", "pending": "yellow"}


def _data(domain: SendingDomain) -> dict[str, Any]:
    return {
        "id": domain.id,
        "name": domain.name,
        "provider": domain.provider,
        "status": domain.status,
        "dkim_selector": domain.dkim_selector,
        "records": domain.records,
        "last_checked_at": domain.last_checked_at,
        "verified_at": domain.verified_at,
    }


def _utc(moment: datetime) -> str:
    # SQLite hands back naive datetimes; both backends store UTC.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _print_records(data: dict[str, Any], *, details: bool) -> None:
    """A plain table: values are never wrapped or cut, so they copy as they are."""
    status = data["status"]
    checked = data["last_checked_at"]
    click.echo(
        f"{data['name']}: "
        + click.style(status, fg=_COLOR.get(status), bold=True)
        + f" (provider {data['provider']}"
        + (f", last checked {_utc(checked)}" if checked else ", not checked yet")
        + ")\n"
    )
    rows = data["records"]
    width = max([len("NAME"), *(len(r["name"]) for r in rows)])
    click.echo(f"{'TYPE':<6} {'NAME':<{width}}  VALUE")
    for row in rows:
        click.echo(f"{row['type']:<6} {row['name']:<{width}}  {row['value']}")
        if details:
            label = click.style(row["status"], fg=_COLOR.get(row["status"]))
            click.echo(f"{'':<6} {label}: {row['detail']}")


@click.group("domains")
def domains_group() -> None:
    """Sending domains: DNS records, verification, DKIM."""


@domains_group.command("add")
@click.argument("domain")
@org_option
@click.option(
    "--provider",
    type=click.Choice(PROVIDERS),
    default=None,
    help="Records for SendGrid (DKIM CNAMEs) or SMTP (own DKIM key); default: the mail backend.",
)
@json_option
def add(domain: str, org_slug: str, provider: str | None, as_json: bool) -> None:
    """Add DOMAIN and print the DNS records to publish."""
    with org_transaction(org_slug):
        data = _data(domains.create_domain(None, name=domain, provider=provider))
    if as_json:
        emit(data, as_json)
        return
    _print_records(data, details=False)
    click.echo(
        f"\nPublish these records, then run: engagex domains verify {data['name']} --org {org_slug}"
    )


@domains_group.command("list")
@org_option
@json_option
def list_domains(org_slug: str, as_json: bool) -> None:
    """List the organization's sending domains."""
    with org_transaction(org_slug):
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = domains.list_domains(None, limit=200, cursor=cursor)
            items.extend(_data(d) for d in page.items)
            if not (cursor := page.next_cursor):
                break
    emit(
        items,
        as_json,
        columns=["id", "name", "provider", "status", "last checked"],
        rows=lambda: [
            (d["id"], d["name"], d["provider"], d["status"], d["last_checked_at"]) for d in items
        ],
        title="Sending domains",
    )


@domains_group.command("records")
@click.argument("domain")
@org_option
@json_option
@click.option("--zone", "as_zone", is_flag=True, help="Print zone-file lines instead.")
def records(domain: str, org_slug: str, as_json: bool, as_zone: bool) -> None:
    """Print the DNS records of DOMAIN, ready to paste into DNS."""
    with org_transaction(org_slug):
        data = _data(domains.get_domain_by_name(None, domain))
    if as_json:
        emit(data["records"], as_json)
    elif as_zone:
        click.echo("\n".join(zone_lines(data["records"])))
    else:
        _print_records(data, details=True)


@domains_group.command("verify")
@click.argument("domain")
@org_option
@json_option
def verify(domain: str, org_slug: str, as_json: bool) -> int:
    """Check DOMAIN's records in DNS now (exit 0 only when verified)."""
    with org_transaction(org_slug):
        found = domains.get_domain_by_name(None, domain)
        data = _data(domains.verify_domain(None, found.id))
    if as_json:
        emit(data, as_json)
    else:
        _print_records(data, details=True)
    return 0 if data["status"] == "verified" else 1


@domains_group.command("remove")
@click.argument("domain")
@org_option
def remove(domain: str, org_slug: str) -> None:
    """Remove DOMAIN and its DKIM key; mail from it is refused afterwards."""
    with org_transaction(org_slug):
        found = domains.get_domain_by_name(None, domain)
        name = found.name
        domains.delete_domain(None, found.id)
    click.echo(f"removed {name}")


@domains_group.command("recheck-all")
@click.option("--org", "org_slug", default=None, metavar="SLUG", help="Only this organization.")
@json_option
def recheck_all(org_slug: str | None, as_json: bool) -> int:
    """Re-check every domain of every organization (daily, from cron).

    Each domain is checked and committed on its own, so one failure does not stop the
    run. A domain whose records disappeared is downgraded (sending from it is blocked)
    and its organization notified. Exits 1 only if a check crashed.
    """
    org_id = None
    if org_slug:
        with org_transaction(org_slug) as org:
            org_id = org.id
    with transaction():
        targets = domains.domains_to_recheck(org_id)
    app = load_app()
    changes: list[dict[str, Any]] = []
    counts = {"checked": 0, "verified": 0, "pending": 0, "failed": 0, "errors": 0}
    for organization_id, domain_id in targets:
        with app.app_context():
            try:
                with tenant_context(organization_id):
                    before = db.session.get(SendingDomain, domain_id)
                    if before is None:  # removed since the list was read
                        continue
                    old = before.status
                    domain = domains.verify_domain(None, domain_id)
                    row = {
                        "id": domain.id,
                        "organization_id": organization_id,
                        "name": domain.name,
                        "old_status": old,
                        "status": domain.status,
                    }
                db.session.commit()
            except Exception:
                db.session.rollback()
                counts["errors"] += 1
                log.exception("re-check of sending domain %s failed", domain_id)
                continue
        counts["checked"] += 1
        counts[row["status"]] += 1
        if row["old_status"] != row["status"]:
            changes.append(row)
    result = {**counts, "changes": changes}
    if as_json:
        emit(result, as_json)
    else:
        click.echo(
            f"checked {counts['checked']} domain(s): {counts['verified']} verified, "
            f"{counts['pending']} pending, {counts['failed']} failed, "
            f"{counts['errors']} error(s)"
        )
        for row in changes:
            click.echo(
                f"  {row['name']} (organization {row['organization_id']}): "
                f"{row['old_status']} -> {row['status']}"
            )
    return 1 if counts["errors"] else 0


COMMANDS = [domains_group]
