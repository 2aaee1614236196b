"""``engagex users``: people and their credentials, for operators."""

from __future__ import annotations

import sys

import rich_click as click

from blueprints.accounts import services as accounts
from blueprints.auth.services import mfa, passwords, sessions
from cli._common import emit, json_option, transaction
from engagex.tenancy import system_scope

password_stdin_option = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)


def read_password(from_stdin: bool) -> str:
    """The new password: from stdin, or asked twice on a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise click.UsageError("--password-stdin: nothing on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise click.UsageError("no terminal to ask for the password: use --password-stdin")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
def users() -> None:
    """Create and list people, set passwords, reset MFA."""


@users.command("create")
@click.argument("email")
@click.option("--name", help="Display name.")
@password_stdin_option
@click.option("--no-password", is_flag=True, help="No password (single sign-on or a later reset).")
@json_option
def create_user(
    email: str, name: str | None, password_stdin: bool, no_password: bool, as_json: bool
) -> None:
    """Create user EMAIL (asks for a password unless --no-password)."""
    if password_stdin and no_password:
        raise click.UsageError("--password-stdin and --no-password exclude each other")
    password = None if no_password else read_password(password_stdin)
    with transaction():
        email = accounts.normalize_email(email)
        if password is not None:
            passwords.check_policy(password, email=email)
        user = accounts.create_user(email, name)
        if password is not None:
            passwords.set_password(user, password)
        data = {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "has_password": bool(password),
        }
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"created user {data['email']} (id {data['id']})")


@users.command("list")
@json_option
def list_users(as_json: bool) -> None:
    """List every user with their number of organizations."""
    with transaction(), system_scope():
        data = [
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "organizations": count,
                "has_password": user.password_hash is not None,
                "mfa_enabled": mfa.has_mfa(user.id),
                "active": user.is_active,
                "last_sign_in_at": user.last_sign_in_at,
            }
            for user, count in accounts.list_users()
        ]
    emit(
        data,
        as_json,
        columns=["id", "email", "name", "orgs", "password", "MFA", "last sign-in"],
        rows=lambda: [
            (
                d["id"],
                d["email"],
                d["name"],
                d["organizations"],
                "yes" if d["has_password"] else "no",
                "yes" if d["mfa_enabled"] else "no",
                d["last_sign_in_at"] or "never",
            )
            for d in data
        ],
        title="Users",
    )


@users.command("set-password")
@click.argument("email")
@password_stdin_option
@json_option
def set_password(email: str, password_stdin: bool, as_json: bool) -> None:
    """Set the password of EMAIL; every session of the user is signed out."""
    password = read_password(password_stdin)
    with transaction():
        user = accounts.get_user(email)
        passwords.set_password(user, password)
        revoked = sessions.revoke_all(user.id)
        accounts.audit.record_for_user_orgs(user.id, "auth.password_set_by_operator")
        data = {"email": user.email, "sessions_revoked": revoked}
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"password of {data['email']} changed; {revoked} session(s) signed out")


@users.command("reset-mfa")
@click.argument("email")
@json_option
def reset_mfa(email: str, as_json: bool) -> None:
    """Remove the authenticator and recovery codes of EMAIL (a lost phone)."""
    with transaction():
        user = accounts.get_user(email)
        had = mfa.has_mfa(user.id)
        if had:
            mfa.reset_mfa(user)
            sessions.revoke_all(user.id)
        data = {"email": user.email, "mfa_removed": had}
    if as_json:
        emit(data, as_json)
    elif had:
        click.echo(f"MFA removed from {data['email']}; their sessions are signed out")
    else:
        click.echo(f"{data['email']} had no MFA")


COMMANDS = [users]
