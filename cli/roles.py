"""``engagex roles``: the role -> permission matrix."""

from __future__ import annotations

import rich_click as click

from cli._common import emit, json_option
from engagex.permissions import MATRIX, Role, matrix_markdown


@click.command()
@click.option("--markdown", is_flag=True, help="Print the table of docs/permissions.md.")
@json_option
def roles(markdown: bool, as_json: bool) -> None:
    """Show what each role may do."""
    if markdown:
        click.echo(matrix_markdown(), nl=False)
        return
    data = {r.value: sorted(p for p, (_, held) in MATRIX.items() if r in held) for r in Role}
    emit(
        data,
        as_json,
        columns=["permission", *[r.value for r in Role]],
        rows=lambda: [
            (perm, *("✓" if r in held else "" for r in Role)) for perm, (_, held) in MATRIX.items()
        ],
        title="Role permissions",
    )


COMMANDS = [roles]
