"""Short transactional emails (invitations, password resets) in text and simple HTML.

Delivered through ``engagex.mail.queue``: after the transaction commits, on the ``mail``
queue, so a rolled-back change never sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import current_app
from markupsafe import Markup, escape

from engagex.mail import Message, queue

PRODUCT = "EngageX"


def base_url() -> str:
    return current_app.config["ENGAGEX_BASE_URL"]


def sender() -> str:
    """The From address: ENGAGEX_MAIL_FROM, else no-reply at the public host."""
    configured = current_app.config.get("ENGAGEX_MAIL_FROM")
    if configured:
        return configured
    host = urlsplit(base_url()).hostname or "localhost"
    if host.replace(".", "").isdigit() or ":" in host:  # an IP address is no mail domain
        host = "localhost"
    return f"no-reply@{host}"


def _html(
    paragraphs: Sequence[str], action_label: str, action_url: str, notes: Sequence[str]
) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    button = Markup(
        '<p><a href="{url}" style="display:inline-block;padding:10px 18px;'
        "background:#2563eb;color:#ffffff;text-decoration:none;border-radius:6px;"
        'font-weight:600">{label}</a></p>'
        '<p style="font-size:13px;color:#555">Or paste this link into your browser:<br>'
        '<a href="{url}" style="color:#2563eb;word-break:break-all">{url}</a></p>'
    ).format(url=action_url, label=action_label)
    small = "".join(f'<p style="font-size:13px;color:#555">{escape(n)}</p>' for n in notes)
    return (
        '<!doctype html><html><body style="margin:0;padding:24px;background:#f6f7f9">'
        '<div style="max-width:520px;margin:0 auto;background:#ffffff;padding:24px;'
        "border-radius:8px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
        'font-size:15px;line-height:1.5;color:#111">'
        f"{body}{button}{small}"
        f'<p style="font-size:12px;color:#888;margin-top:24px">{PRODUCT}</p>'
        "</div></body></html>"
    )


def send_action_email(
    *,
    to_email: str,
    subject: str,
    paragraphs: Sequence[str],
    action_label: str,
    action_url: str,
    notes: Sequence[str] = (),
    organization_id: int | None = None,
    to_name: str | None = None,
) -> None:
    """Queue an email whose point is one link (accept, reset): text and HTML alike."""
    text = "\n\n".join([*paragraphs, f"{action_label}:\n{action_url}", *notes, f"-- \n{PRODUCT}"])
    queue(
        Message(
            to_email=to_email,
            to_name=to_name,
            from_email=sender(),
            from_name=current_app.config.get("ENGAGEX_MAIL_FROM_NAME") or PRODUCT,
            subject=subject,
            text=text + "\n",
            html=_html(paragraphs, action_label, action_url, notes),
            organization_id=organization_id,
            category="transactional",
        )
    )
