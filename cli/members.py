"""``engagex members`` and ``engagex invitations``: the team of an organization."""

from __future__ import annotations

import rich_click as click

from blueprints.accounts import services as accounts
from cli._common import emit, json_option, org_option, org_transaction
from engagex.permissions import Role

ROLE = click.Choice([r.value for r in Role])
MEMBER_ID = click.IntRange(1, 2**63 - 1)


def _member(m: object) -> dict[str, object]:
    return {
        "id": m.id,  # type: ignore[attr-defined]
        "email": m.user.email,  # type: ignore[attr-defined]
        "name": m.user.name,  # type: ignore[attr-defined]
        "role": m.role,  # type: ignore[attr-defined]
        "since": m.created_at,  # type: ignore[attr-defined]
    }


@click.group()
def members() -> None:
    """List members, add them, change their role, remove them."""


@members.command("list")
@org_option
@click.option("--role", type=ROLE, help="Only members with this role.")
@json_option
def list_members(org_slug: str, role: str | None, as_json: bool) -> None:
    """List the members of an organization."""
    with org_transaction(org_slug):
        data, cursor = [], None
        while True:
            page = accounts.list_members(None, limit=200, cursor=cursor, role=role)
            data += [_member(m) for m in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    emit(
        data,
        as_json,
        columns=["id", "email", "name", "role", "since"],
        rows=lambda: [(d["id"], d["email"], d["name"], d["role"], d["since"]) for d in data],
        title=f"Members of {org_slug}",
    )


@members.command("add")
@org_option
@click.argument("email")
@click.option("--role", required=True, type=ROLE)
@json_option
def add_member(org_slug: str, email: str, role: str, as_json: bool) -> None:
    """Add EMAIL directly (created without a password if new; see `invitations create`)."""
    with org_transaction(org_slug):
        data = _member(accounts.add_member(None, email, role))
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"added {data['email']} as {data['role']} (member {data['id']})")


@members.command("set-role")
@org_option
@click.argument("member_id", type=MEMBER_ID)
@click.option("--role", required=True, type=ROLE)
@json_option
def set_role(org_slug: str, member_id: int, role: str, as_json: bool) -> None:
    """Change the role of member MEMBER_ID."""
    with org_transaction(org_slug):
        data = _member(accounts.set_role(None, member_id, role))
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"{data['email']} is now {data['role']}")


@members.command("remove")
@org_option
@click.argument("member_id", type=MEMBER_ID)
@json_option
def remove_member(org_slug: str, member_id: int, as_json: bool) -> None:
    """Remove member MEMBER_ID (an organization keeps at least one owner)."""
    with org_transaction(org_slug):
        accounts.remove_member(None, member_id)
    if as_json:
        emit({"id": member_id, "removed": True}, as_json)
    else:
        click.echo(f"removed member {member_id}")


@click.group()
def invitations() -> None:
    """Invite people by email; list and revoke invitations."""


@invitations.command("create")
@org_option
@click.argument("email")
@click.option("--role", required=True, type=ROLE)
@json_option
def create_invitation(org_slug: str, email: str, role: str, as_json: bool) -> None:
    """Email EMAIL an invitation (valid 7 days, single use); prints the link too."""
    with org_transaction(org_slug):
        invitation, token = accounts.create_invitation(None, email=email, role=role)
        data = {
            "id": invitation.id,
            "email": invitation.email,
            "role": invitation.role,
            "expires_at": invitation.expires_at,
            "url": accounts.accept_url(token),
        }
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"invited {data['email']} as {data['role']}; link (valid 7 days):")
        click.echo(data["url"])


@invitations.command("list")
@org_option
@click.option(
    "--status",
    type=click.Choice(["pending", "accepted", "revoked", "expired", "all"]),
    default="pending",
    show_default=True,
)
@json_option
def list_invitations(org_slug: str, status: str, as_json: bool) -> None:
    """List invitations, newest first."""
    with org_transaction(org_slug):
        page = accounts.list_invitations(None, limit=200, status=status)
        data = [
            {
                "id": i.id,
                "email": i.email,
                "role": i.role,
                "status": i.status,
                "expires_at": i.expires_at,
            }
            for i in page.items
        ]
    emit(
        data,
        as_json,
        columns=["id", "email", "role", "status", "expires"],
        rows=lambda: [(d["id"], d["email"], d["role"], d["status"], d["expires_at"]) for d in data],
        title=f"Invitations of {org_slug}",
    )


@invitations.command("revoke")
@org_option
@click.argument("invitation_id", type=MEMBER_ID)
def revoke_invitation(org_slug: str, invitation_id: int) -> None:
    """Revoke invitation INVITATION_ID: its link stops working."""
    with org_transaction(org_slug):
        accounts.revoke_invitation(None, invitation_id)
    click.echo(f"revoked invitation {invitation_id}")


COMMANDS = [members, invitations]
