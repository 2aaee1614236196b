"""``engagex bounces process``: read the bounce mailbox of SMTP sending (cron)."""

from __future__ import annotations

import rich_click as click

from blueprints.analytics.bounces import services
from blueprints.analytics.bounces.mailbox import MailboxError, open_mailbox
from cli._common import emit, json_option, load_app, transaction


@click.group()
def bounces() -> None:
    """Bounces and complaints that arrive by mail (SMTP sending)."""


@bounces.command("process")
@click.option(
    "--mailbox",
    "url",
    metavar="URL",
    help="imaps://user@host/INBOX, pop3s://user@host... (default: ENGAGEX_BOUNCE_MAILBOX).",
)
@click.option("--keep", is_flag=True, help="Keep processed messages (IMAP: mark them read).")
@click.option("--limit", type=click.IntRange(1), help="At most this many messages.")
@json_option
def process(url: str | None, keep: bool, limit: int | None, as_json: bool) -> None:
    """Record the bounces, deferrals and complaints of the bounce mailbox.

    Hard bounces and complaints suppress the address. Recorded messages are deleted
    after the database commit (unless --keep); others are left in place.
    """
    app = load_app()
    with app.app_context():
        config = services.configured_mailbox(url)
    try:
        mailbox = open_mailbox(config)
    except MailboxError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        with transaction():
            summary = services.process(mailbox, keep=keep, limit=limit)
        services.finish(mailbox, summary)
    finally:
        mailbox.close()
    data = {"mailbox": config.describe(), **summary.as_dict()}
    emit(
        data,
        as_json,
        columns=["", "count"],
        rows=lambda: list(data.items()),
        title="Bounce mailbox",
    )


COMMANDS = [bounces]
