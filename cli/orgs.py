"""``engagex orgs`` and ``engagex api-keys``: bootstrap without the web UI."""

from __future__ import annotations

import rich_click as click

from blueprints.accounts import services as accounts
from cli._common import emit, json_option, org_option, org_transaction, transaction
from engagex.permissions import Role
from engagex.tenancy import system_scope


@click.group()
def orgs() -> None:
    """Create and list organizations."""


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


@click.group("api-keys")
def api_keys() -> None:
    """Create and revoke API keys."""


@api_keys.command("create")
@org_option
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", required=True, help="What the key is for.")
@json_option
def create_key(org_slug: str, role: str, name: str, as_json: bool) -> None:
    """Create an API key; the token is printed only this once."""
    with org_transaction(org_slug):
        key, token = accounts.create_api_key(None, name=name, role=role)
        data = {"id": key.id, "name": key.name, "role": key.role, "key": token}
    if as_json:
        emit(data, as_json)
    else:
        click.echo(token)


@api_keys.command("revoke")
@org_option
@click.argument("key_id", type=click.IntRange(1))
def revoke_key(org_slug: str, key_id: int) -> None:
    """Revoke API key KEY_ID."""
    with org_transaction(org_slug):
        accounts.revoke_api_key(None, key_id)
    click.echo(f"revoked API key {key_id}")


COMMANDS = [orgs, api_keys]
