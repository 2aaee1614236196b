"""Shared plumbing of CLI commands: the app, the transaction boundary and output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo
from rich.console import Console
from rich.table import Table

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Organization
from engagex.db import db
from engagex.tenancy import tenant_context

json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
org_option = click.option(
    "--org", "org_slug", required=True, metavar="SLUG", help="Organization slug."
)


def load_app() -> Flask:
    return click.get_current_context().ensure_object(ScriptInfo).load_app()


@contextmanager
def transaction() -> Iterator[None]:
    """The CLI command's transaction: commit when the block succeeds, else roll back."""
    app = load_app()
    with app.app_context():
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


@contextmanager
def org_transaction(slug: str) -> Iterator[Organization]:
    """A transaction confined to the organization ``slug`` (a one-line error if unknown)."""
    with transaction():
        org = accounts.get_organization(slug)
        with tenant_context(org.id):
            yield org


def emit(
    data: Any,
    as_json: bool,
    *,
    columns: Sequence[str] = (),
    rows: Callable[[], Sequence[Sequence[Any]]] | None = None,
    title: str | None = None,
) -> None:
    """Print ``data`` as JSON, or as a rich table of ``columns``/``rows``."""
    if as_json:
        click.echo(json.dumps(data, default=str, indent=2))
        return
    if rows is None:
        click.echo(data)
        return
    table = Table(title=title)
    for name in columns:
        table.add_column(name)
    for row in rows():
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)
