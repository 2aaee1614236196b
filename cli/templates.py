"""``engagex templates``: write, inspect, render and test-send email templates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

import rich_click as click

from blueprints.templates import contacts, previews, services
from blueprints.templates.starters import STARTERS
from cli._common import emit, json_option, org_option, org_transaction
from engagex.errors import ValidationFailed


def _variables(optional: Sequence[str], required: Sequence[str]) -> list[dict[str, Any]]:
    """``NAME`` or ``NAME=DEFAULT`` options as variable declarations, in order given."""
    out = []
    for spec, is_required in [(s, False) for s in optional] + [(s, True) for s in required]:
        name, sep, default = spec.partition("=")
        out.append(
            {"name": name.strip(), "default": default if sep else None, "required": is_required}
        )
    return out


def _sample(raw: str | None) -> dict[str, Any] | None:
    """``--sample`` as inline JSON or ``@file.json``."""
    if raw is None:
        return None
    try:
        if raw.startswith("@"):
            with open(raw[1:], encoding="utf-8") as fh:
                data = json.load(fh)
        else:
            data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"not JSON or not readable: {exc}", param_hint="--sample") from exc
    if not isinstance(data, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--sample")
    return data


def _template_data(template: Any) -> dict[str, Any]:
    fields = ("id", "name", "kind", "subject", "preheader", "from_name", "from_email", "reply_to")
    data = {name: getattr(template, name) for name in fields}
    data.update(
        starter=template.starter,
        version=template.version,
        has_mjml=template.mjml is not None,
        has_text=template.text is not None,
        variables=[
            {"name": v.name, "default": v.default, "required": v.required}
            for v in template.variables
        ],
        updated_at=template.updated_at,
    )
    return data


def content_options(func: Any) -> Any:
    options = [
        click.option("--subject", help="Subject line (Jinja)."),
        click.option("--preheader", help="Inbox preview line (Jinja)."),
        click.option(
            "--html",
            "html_file",
            type=click.File("r", encoding="utf-8"),
            help="HTML body file ('-' for stdin).",
        ),
        click.option(
            "--mjml", "mjml_file", type=click.File("r", encoding="utf-8"), help="MJML source file."
        ),
        click.option(
            "--text",
            "text_file",
            type=click.File("r", encoding="utf-8"),
            help="Plain-text body file (default: derived from the HTML).",
        ),
        click.option("--kind", type=click.Choice(["marketing", "transactional"])),
        click.option("--from-email", help="Default sender address."),
        click.option("--from-name", help="Default sender name."),
        click.option("--reply-to", help="Reply-To address."),
        click.option(
            "--var",
            "variables",
            multiple=True,
            metavar="NAME[=DEFAULT]",
            help="Declare an optional variable (repeatable).",
        ),
        click.option(
            "--required-var",
            "required_variables",
            multiple=True,
            metavar="NAME[=DEFAULT]",
            help="Declare a required variable (repeatable).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _content(
    subject: str | None,
    preheader: str | None,
    html_file: TextIO | None,
    mjml_file: TextIO | None,
    text_file: TextIO | None,
    kind: str | None,
    from_email: str | None,
    from_name: str | None,
    reply_to: str | None,
    variables: Sequence[str],
    required_variables: Sequence[str],
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in (
        ("subject", subject),
        ("preheader", preheader),
        ("kind", kind),
        ("from_email", from_email),
        ("from_name", from_name),
        ("reply_to", reply_to),
    ):
        if value is not None:
            data[key] = value
    for key, handle in (("html", html_file), ("mjml", mjml_file), ("text", text_file)):
        if handle is not None:
            data[key] = handle.read()
    if variables or required_variables:
        data["variables"] = _variables(variables, required_variables)
    return data


def _print_template(data: dict[str, Any], as_json: bool, verb: str) -> None:
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"{verb} template {data['id']} '{data['name']}' (revision {data['version']})")


@click.group()
def templates() -> None:
    """Write, preview and test-send email templates."""


@templates.command("starters")
@json_option
def list_starters(as_json: bool) -> None:
    """List the starter templates (use one with 'create --starter KEY')."""
    data = [{"key": s.key, "name": s.name, "description": s.description} for s in STARTERS.values()]
    emit(
        data,
        as_json,
        columns=["key", "name", "description"],
        rows=lambda: [tuple(d.values()) for d in data],
        title="Starters",
    )


@templates.command("list")
@org_option
@click.option("--kind", type=click.Choice(["marketing", "transactional"]))
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True)
@json_option
def list_templates(org_slug: str, kind: str | None, limit: int, as_json: bool) -> None:
    """List templates, newest first."""
    with org_transaction(org_slug):
        page = services.list_templates(None, limit=limit, kind=kind)
        data = [_template_data(t) for t in page.items]
    emit(
        data,
        as_json,
        columns=["id", "name", "kind", "revision", "subject", "updated"],
        rows=lambda: [
            (d["id"], d["name"], d["kind"], d["version"], d["subject"], d["updated_at"])
            for d in data
        ],
        title="Templates",
    )


@templates.command("show")
@click.argument("template_id", type=click.IntRange(1))
@org_option
@click.option(
    "--source", type=click.Choice(["html", "mjml", "text"]), help="Print this source instead."
)
@json_option
def show(template_id: int, org_slug: str, source: str | None, as_json: bool) -> None:
    """Show template TEMPLATE_ID (or print one of its sources)."""
    with org_transaction(org_slug):
        template = services.get_template(None, template_id)
        data = _template_data(template)
        body = getattr(template, source) if source else None
    if source:
        click.echo(body or "", nl=False)
        return
    emit(
        data,
        as_json,
        columns=["field", "value"],
        rows=lambda: [(k, v) for k, v in data.items()],
        title=data["name"],
    )


@templates.command("create")
@org_option
@click.option("--name", required=True, help="Template name (unique in the organization).")
@click.option("--starter", type=click.Choice(list(STARTERS)), help="Start from a starter template.")
@content_options
@json_option
def create(org_slug: str, name: str, starter: str | None, as_json: bool, **content: Any) -> None:
    """Create a template from --html, --mjml or --starter."""
    data = {"name": name, **_content(**content)}
    if starter:
        data["starter"] = starter
    with org_transaction(org_slug):
        result = _template_data(services.create_template(None, data))
    _print_template(result, as_json, "created")


@templates.command("update")
@click.argument("template_id", type=click.IntRange(1))
@org_option
@click.option("--name", help="New name.")
@content_options
@json_option
def update(
    template_id: int, org_slug: str, name: str | None, as_json: bool, **content: Any
) -> None:
    """Change template TEMPLATE_ID; content changes make a new revision."""
    data = _content(**content)
    if name is not None:
        data["name"] = name
    if not data:
        raise click.UsageError("nothing to change: give at least one option")
    with org_transaction(org_slug):
        result = _template_data(services.update_template(None, template_id, data))
    _print_template(result, as_json, "updated")


@templates.command("delete")
@click.argument("template_id", type=click.IntRange(1))
@org_option
def delete(template_id: int, org_slug: str) -> None:
    """Delete template TEMPLATE_ID (campaigns keep the revisions they use)."""
    with org_transaction(org_slug):
        services.delete_template(None, template_id)
    click.echo(f"deleted template {template_id}")


def _recipient(contact_email: str | None, sample: str | None) -> dict[str, Any] | None:
    if contact_email and sample:
        raise click.UsageError("give --contact or --sample, not both")
    if contact_email:
        return contacts.contact_by_email(None, contact_email)
    return _sample(sample)


@templates.command("render")
@click.argument("template_id", type=click.IntRange(1))
@org_option
@click.option("--contact", "contact_email", metavar="EMAIL", help="Render for this contact.")
@click.option(
    "--sample",
    metavar="JSON|@FILE",
    help="Contact fields as JSON (custom ones under 'attributes').",
)
@click.option(
    "--revision", "revision_id", type=click.IntRange(1), help="A revision id (default: latest)."
)
@click.option(
    "--part",
    type=click.Choice(["text", "html", "subject"]),
    default="text",
    show_default=True,
    help="What to print.",
)
@json_option
def render_template(
    template_id: int,
    org_slug: str,
    contact_email: str | None,
    sample: str | None,
    revision_id: int | None,
    part: str,
    as_json: bool,
) -> None:
    """Render TEMPLATE_ID as a contact (or sample data) would receive it, untracked."""
    with org_transaction(org_slug):
        recipient = _recipient(contact_email, sample)
        revision, message = previews.preview(
            None, template_id, sample=recipient, revision_id=revision_id
        )
        data = {
            "revision_id": revision.id,
            "subject": message.subject,
            "html": message.html,
            "text": message.text,
        }
    if as_json:
        emit(data, as_json)
    elif part == "text":
        click.echo(f"Subject: {data['subject']}\n\n{data['text']}", nl=False)
    else:
        click.echo(data[part])


@templates.command("test-send")
@click.argument("template_id", type=click.IntRange(1))
@org_option
@click.option(
    "--to",
    "emails",
    multiple=True,
    required=True,
    metavar="EMAIL",
    help="Recipient (repeat, at most 5).",
)
@click.option(
    "--contact", "contact_email", metavar="EMAIL", help="Fill variables from this contact."
)
@click.option("--sample", metavar="JSON|@FILE", help="Fill variables from sample data.")
@json_option
def test_send(
    template_id: int,
    org_slug: str,
    emails: tuple[str, ...],
    contact_email: str | None,
    sample: str | None,
    as_json: bool,
) -> None:
    """Send TEMPLATE_ID as a test ("[Test]" subject) to at most five addresses."""
    if len(emails) > previews.MAX_TEST_RECIPIENTS:
        raise ValidationFailed(f"a test goes to at most {previews.MAX_TEST_RECIPIENTS} addresses")
    with org_transaction(org_slug):
        recipient = _recipient(contact_email, sample)
        result = previews.send_test(None, template_id, emails=list(emails), sample=recipient)
    if as_json:
        emit(result, as_json)
    else:
        click.echo(f"queued test '{result['subject']}' to {', '.join(result['recipients'])}")


COMMANDS = [templates]
