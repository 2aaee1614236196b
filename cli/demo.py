"""``engagex demo``: the demo organization of the embedded setup (``make run``)."""

from __future__ import annotations

import rich_click as click
from flask import current_app

from blueprints.accounts import services as accounts
from cli._common import emit, json_option, transaction


@click.command()
@json_option
def demo(as_json: bool) -> None:
    """Create the demo organization if needed and print a fresh owner API key."""
    with transaction():
        org, token = accounts.ensure_demo_organization()
        data = {"organization": org.slug, "owner": accounts.DEMO_OWNER, "api_key": token}
        base = current_app.config["ENGAGEX_BASE_URL"]
    if as_json:
        emit(data, as_json)
        return
    click.echo(
        f"Demo organization '{data['organization']}', owner {data['owner']}\n"
        f"  API key (owner): {token}\n"
        f"  Try: curl -H 'Authorization: Bearer {token}' {base}/api/v1/organization\n"
        f"  API docs: {base}/api/docs"
    )


COMMANDS = [demo]
