"""``engagex db``: schema migrations (Alembic through Flask-Migrate)."""

from __future__ import annotations

import flask_migrate
import rich_click as click

from cli._common import load_app


@click.group()
def db() -> None:
    """Migrate the database schema (never done implicitly by the app)."""


@db.command()
@click.argument("revision", default="heads")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: every head)."""
    with load_app().app_context():
        flask_migrate.upgrade(revision=revision)


@db.command()
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (default: one step back)."""
    with load_app().app_context():
        flask_migrate.downgrade(revision=revision)


@db.command()
def current() -> None:
    """Show the revision the database is at."""
    with load_app().app_context():
        flask_migrate.current()


@db.command()
@click.option("-m", "--message", required=True, help="What the schema change does.")
@click.option("--autogenerate/--empty", default=True, help="Diff the models against the database.")
def revision(message: str, autogenerate: bool) -> None:
    """Write a new migration script (for developers)."""
    with load_app().app_context():
        flask_migrate.revision(message=message, autogenerate=autogenerate)


COMMANDS = [db]
