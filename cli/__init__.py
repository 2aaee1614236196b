"""The ``engagex`` command: a root group plus one module per domain.

Commands are thin adapters over the domains' services: parse options, resolve the
organization, call the service, commit, print a rich table or ``--json``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click
import rich_click
from flask.cli import ScriptInfo
from sqlalchemy.exc import OperationalError, ProgrammingError

from engagex import create_app
from engagex.errors import AppError
from engagex.permissions import PermissionDenied


def _fail(message: str, exit_code: int = 1) -> None:
    """One line on stderr, no traceback: the contract for bad input."""
    click.echo(f"error: {message}", err=True)
    sys.exit(exit_code)


class RootGroup(rich_click.RichGroup):
    """Rich help, but errors as a single line and a non-zero exit."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            _fail(exc.format_message() + hint, 2)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except AppError as exc:
            _fail(exc.message)
        except PermissionDenied as exc:
            _fail(str(exc))
        except (OperationalError, ProgrammingError) as exc:
            _fail(
                f"database error: {str(exc.orig).strip().splitlines()[0]} "
                "(is the database reachable and migrated with 'engagex db upgrade'?)"
            )
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="engagex")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """EngageX: multi-tenant email marketing, operated from the terminal.

    Settings come from the environment (DATABASE_URL, REDIS_URL, ...; see the README).
    """
    if ctx.obj is None:
        ctx.obj = ScriptInfo(create_app=create_app, set_debug_flag=False)


def _load_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


_load_commands()


def main() -> None:
    cli.main(prog_name="engagex")
