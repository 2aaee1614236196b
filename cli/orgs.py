"""``engagex orgs`` and ``engagex api-keys``: bootstrap without the web UI."""

from __future__ import annotations

import rich_click as click

from blueprints.accounts import services as accounts
from cli._common import emit, json_option, org_option, org_transaction, transaction
from engagex.permissions import Role
from engagex.tenancy import system_scope


@click.group()
def orgs() -> None:
    """Create, list, inspect, change and delete organizations."""


@orgs.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name.")
@click.option("--owner", "owner_email", required=True, metavar="EMAIL", help="The first owner.")
@json_option
def create_org(slug: str, name: str, owner_email: str, as_json: bool) -> None:
    """Create organization SLUG with an owner (the user is created if new)."""
    with transaction():
        org = accounts.create_organization(None, slug=slug, name=name, owner_email=owner_email)
        data = {
            "id": org.id,
            "slug": org.slug,
            "name": org.name,
            "owner": accounts.normalize_email(owner_email),
        }
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"created organization {data['slug']} (id {data['id']}), owner {data['owner']}")


@orgs.command("list")
@json_option
def list_orgs(as_json: bool) -> None:
    """List organizations."""
    with transaction(), system_scope():
        data = [
            {"id": o.id, "slug": o.slug, "name": o.name, "created_at": o.created_at}
            for o in accounts.list_organizations()
        ]
    emit(
        data,
        as_json,
        columns=["id", "slug", "name", "created"],
        rows=lambda: [(d["id"], d["slug"], d["name"], d["created_at"]) for d in data],
        title="Organizations",
    )


@orgs.command("show")
@click.argument("slug")
@json_option
def show_org(slug: str, as_json: bool) -> None:
    """Show organization SLUG: settings, owners and member counts."""
    with org_transaction(slug) as org:
        owners, members = accounts.membership_summary(None)
        data = {
            "id": org.id,
            "slug": org.slug,
            "name": org.name,
            "timezone": org.timezone,
            "default_from_name": org.default_from_name,
            "default_from_email": org.default_from_email,
            "require_mfa": org.require_mfa,
            "created_at": org.created_at,
            "owners": owners,
            "members": members,
        }
    if as_json:
        emit(data, as_json)
        return
    emit(
        data,
        False,
        columns=["field", "value"],
        rows=lambda: [
            ("id", data["id"]),
            ("slug", data["slug"]),
            ("name", data["name"]),
            ("time zone", data["timezone"]),
            (
                "default sender",
                f"{data['default_from_name'] or ''} <{data['default_from_email'] or ''}>",
            ),
            ("require MFA", "yes" if data["require_mfa"] else "no"),
            ("owners", ", ".join(data["owners"])),
            ("members", ", ".join(f"{n} {r}" for r, n in data["members"].items() if n)),
            ("created", data["created_at"]),
        ],
        title=f"Organization {data['slug']}",
    )


@orgs.command("update")
@click.argument("slug")
@click.option("--name", help="Display name.")
@click.option("--timezone", help="IANA time zone, e.g. Europe/Paris.")
@click.option("--from-email", help="Default sender address ('' clears it).")
@click.option("--from-name", help="Default sender name ('' clears it).")
@click.option(
    "--auto-footer/--no-auto-footer",
    default=None,
    help="Add an unsubscribe footer to templates that lack a link.",
)
@click.option("--postal-address", help="Postal address shown in the automatic footer.")
@json_option
def update_org(
    slug: str,
    name: str | None,
    timezone: str | None,
    from_email: str | None,
    from_name: str | None,
    auto_footer: bool | None,
    postal_address: str | None,
    as_json: bool,
) -> None:
    """Change organization SLUG's name, time zone, default sender or footer settings."""
    options = {
        "name": name,
        "timezone": timezone,
        "default_from_email": from_email,
        "default_from_name": from_name,
        "auto_unsubscribe_footer": auto_footer,
        "postal_address": postal_address,
    }
    data = {k: v for k, v in options.items() if v is not None}
    if not data:
        raise click.UsageError("nothing to change: give at least one option")
    with org_transaction(slug) as org:
        accounts.update_organization(org, None, data)
        result = {
            "slug": org.slug,
            "name": org.name,
            "timezone": org.timezone,
            "default_from_email": org.default_from_email,
            "default_from_name": org.default_from_name,
            **{
                k: (org.settings or {}).get(k)
                for k in ("auto_unsubscribe_footer", "postal_address")
            },
        }
    if as_json:
        emit(result, as_json)
    else:
        click.echo(f"updated organization {result['slug']}")


@orgs.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
def delete_org(slug: str, yes: bool, as_json: bool) -> None:
    """Delete organization SLUG (soft: its members and API keys lose access at once;
    the data stays for the retention period)."""
    if not yes:
        click.confirm(
            f"Delete organization {slug}? Nobody can use it afterwards.", abort=True, err=True
        )
    with org_transaction(slug) as org:
        accounts.delete_organization(None, org.id)
        data = {"id": org.id, "slug": org.slug, "deleted": True}
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"deleted organization {data['slug']} (id {data['id']})")


@click.group("api-keys")
def api_keys() -> None:
    """Create, list and revoke API keys."""


@api_keys.command("create")
@org_option
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", required=True, help="What the key is for.")
@json_option
def create_key(org_slug: str, role: str, name: str, as_json: bool) -> None:
    """Create an API key; the token is printed only this once."""
    with org_transaction(org_slug) as org:
        key, token = accounts.create_api_key(None, name=name, role=role)
        data = {
            "key": token,
            "id": key.id,
            "name": key.name,
            "role": key.role,
            "prefix": key.prefix,
            "organization": org.slug,
        }
    if as_json:
        emit(data, as_json)
    else:
        click.echo(token)


@api_keys.command("list")
@org_option
@json_option
def list_keys(org_slug: str, as_json: bool) -> None:
    """List live API keys (the secrets are never shown again)."""
    with org_transaction(org_slug):
        data, cursor = [], None
        while True:
            page = accounts.list_api_keys(None, limit=200, cursor=cursor)
            data += [
                {
                    "id": k.id,
                    "name": k.name,
                    "role": k.role,
                    "prefix": k.prefix,
                    "created_at": k.created_at,
                    "last_used_at": k.last_used_at,
                }
                for k in page.items
            ]
            cursor = page.next_cursor
            if cursor is None:
                break
    emit(
        data,
        as_json,
        columns=["id", "name", "role", "prefix", "created", "last used"],
        rows=lambda: [
            (
                d["id"],
                d["name"],
                d["role"],
                d["prefix"],
                d["created_at"],
                d["last_used_at"] or "never",
            )
            for d in data
        ],
        title=f"API keys of {org_slug}",
    )


@api_keys.command("revoke")
@org_option
@click.argument("key_id", type=click.IntRange(1, 2**63 - 1))
@json_option
def revoke_key(org_slug: str, key_id: int, as_json: bool) -> None:
    """Revoke API key KEY_ID at once."""
    with org_transaction(org_slug):
        accounts.revoke_api_key(None, key_id)
    if as_json:
        emit({"id": key_id, "revoked": True}, as_json)
    else:
        click.echo(f"revoked API key {key_id}")


COMMANDS = [orgs, api_keys]
