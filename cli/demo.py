"""``engagex demo``: the demo organization of the embedded setup (``make run``)."""

from __future__ import annotations

from dataclasses import asdict

import rich_click as click
from flask import current_app

from blueprints.demo.services import seed_demo
from cli._common import emit, json_option, transaction


@click.command()
@json_option
def demo(as_json: bool) -> None:
    """Create the demo organization if needed and print fresh owner credentials."""
    with transaction():
        credentials = seed_demo()
        base = current_app.config["ENGAGEX_BASE_URL"]
    if as_json:
        emit(asdict(credentials), as_json)
        return
    click.echo(
        f"Demo organization '{credentials.organization}' at {base}/\n"
        f"  Sign in as {credentials.owner} with the password {credentials.password}\n"
        f"  API key (owner): {credentials.api_key}\n"
        f"  Try: curl -H 'Authorization: Bearer {credentials.api_key}' {base}/api/v1/organization\n"
        f"  API docs: {base}/api/docs\n"
        "  (the password and key change at every 'make run')"
    )


COMMANDS = [demo]
