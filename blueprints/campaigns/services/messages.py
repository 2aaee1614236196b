"""Transactional messages: one template to one address, on the high-priority queue.

``POST /api/v1/messages`` validates everything it can at once (template, sender domain,
suppression, required variables, quota) and answers 202 with the message id; the
``deliver_message`` job on the ``mail`` queue renders and sends it after the commit.
Workers drain ``mail`` before ``bulk``, and campaign runners hand their worker over as
soon as a transactional message waits, so a campaign never holds one back.

Only ``transactional`` templates are sent this way: marketing mail goes through
campaigns, which give every recipient an unsubscribe link. Addresses suppressed after a
bounce or a complaint (or by hand) are refused; an unsubscribe does not stop
transactional mail (receipts, password resets).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app

from blueprints.accounts import services as accounts
from blueprints.billing import services as billing
from blueprints.campaigns.models import TransactionalMessage
from blueprints.campaigns.services import dispatch
from blueprints.contacts import audience as contacts_audience
from blueprints.domains import services as domains
from blueprints.templates import services as templates
from blueprints.templates.rendering import RecipientLinks, render
from engagex import mail
from engagex.api import Page, keyset_page
from engagex.db import db, utcnow
from engagex.errors import NotFound, ValidationFailed
from engagex.mail.message import make_message_id
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

log = logging.getLogger(__name__)

#: deliveries tried before a temporary failure is final (the job's retries)
MAX_ATTEMPTS = 4
CATEGORY = "transactional"


def _links(compiled: Any) -> RecipientLinks:
    # Transactional mail has no tracking and no list to leave.
    return RecipientLinks(click=compiled.links.__getitem__, unsubscribe="")


def _context(message: TransactionalMessage, org: Any) -> dict[str, Any]:
    data = message.data or {}
    return templates.sample_context(
        (),
        {
            "email": message.to_email,
            "first_name": data.get("first_name") or "",
            "last_name": data.get("last_name") or "",
            "attributes": data.get("attributes") or {},
        },
        org,
    )


def render_message(message: TransactionalMessage) -> mail.Message:
    """The wire ``Message`` of a stored transactional message (raises ``RenderFailed``)."""
    assert message.revision_id is not None
    compiled = templates.compiled_revision(
        None, message.revision_id, track_clicks=False, track_opens=False
    )
    org = accounts.get_organization_by_id(message.organization_id)
    rendered = render(compiled, _context(message, org), _links(compiled))
    return mail.Message(
        to_email=message.to_email,
        to_name=message.to_name,
        from_email=message.from_email,
        from_name=message.from_name,
        reply_to=message.reply_to,
        subject=message.subject or rendered.subject,
        html=rendered.html,
        text=rendered.text,
        organization_id=message.organization_id,
        metadata={"organization_id": str(message.organization_id), "message_id": str(message.id)},
        category=CATEGORY,
        message_id=message.message_id,
    )


def send_message(actor: Actor | None, data: dict[str, Any]) -> tuple[TransactionalMessage, bool]:
    """Queue one message; ``(message, created)`` (False: the idempotency key was seen)."""
    require(actor, "campaigns:send")
    key = data.get("idempotency_key")
    if key:
        existing = db.session.scalars(
            sa.select(TransactionalMessage).where(TransactionalMessage.idempotency_key == key)
        ).one_or_none()
        if existing is not None:
            return existing, False
    to = accounts.normalize_email(data["to"])
    try:
        template = templates.get_template(None, data["template_id"])
    except NotFound as exc:
        raise ValidationFailed(
            f"template {data['template_id']} not found", code="template_not_found"
        ) from exc
    if data.get("revision_id") is not None:
        try:
            revision = templates.get_revision(None, data["revision_id"], template_id=template.id)
        except NotFound as exc:
            raise ValidationFailed(
                "that revision is not a revision of the template", code="revision_not_found"
            ) from exc
    else:
        revision = templates.latest_revision(None, template.id)
    if revision.kind != "transactional":
        raise ValidationFailed(
            "only transactional templates are sent as messages; send marketing mail as a "
            "campaign (every recipient gets an unsubscribe link)",
            code="marketing_template",
        )
    org = accounts.get_organization_by_id(require_org_id())
    from_email = data.get("from_email") or revision.from_email or org.default_from_email
    if not from_email:
        raise ValidationFailed(
            "no sender: give from_email or set one on the template or the organization",
            code="no_sender",
        )
    from_email = accounts.normalize_email(from_email)
    domains.assert_sender_allowed(org.id, from_email)
    entry = contacts_audience.suppression_of(to)
    if entry is not None and entry.reason != "unsubscribe":
        raise ValidationFailed(
            f"{to} is on the suppression list ({entry.reason}); it is not sent to",
            code="recipient_suppressed",
            details={"reason": entry.reason},
        )
    message = TransactionalMessage(
        template_id=template.id,
        revision_id=revision.id,
        to_email=to,
        to_name=(data.get("to_name") or "").strip() or None,
        from_email=from_email,
        from_name=data.get("from_name") or revision.from_name or org.default_from_name or org.name,
        reply_to=accounts.normalize_email(data["reply_to"])
        if data.get("reply_to")
        else revision.reply_to,
        subject=(data.get("subject") or "").strip() or None,
        data={
            "first_name": data.get("first_name") or "",
            "last_name": data.get("last_name") or "",
            "attributes": data.get("attributes") or {},
        },
        idempotency_key=key or None,
        status="queued",
        message_id=make_message_id(from_email),
    )
    db.session.add(message)
    db.session.flush()
    render_message(message)  # a missing required variable is a 422 now, not a lost mail
    billing.record_usage(org.id, f"message:{message.id}", 1)
    dispatch.deliver_message(org.id, message.id)
    return message, True


def get_message(actor: Actor | None, message_id: int) -> TransactionalMessage:
    require(actor, "campaigns:read")
    message = db.session.scalars(
        sa.select(TransactionalMessage).where(TransactionalMessage.id == message_id)
    ).one_or_none()
    if message is None:
        raise NotFound("message not found", code="message_not_found")
    return message


def list_messages(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "campaigns:read")
    return keyset_page(
        sa.select(TransactionalMessage),
        [TransactionalMessage.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


class TemporaryFailure(RuntimeError):
    """Raised by the job so that RQ retries it (the attempt is recorded first)."""


def deliver(message_id: int) -> None:
    """Render and send a queued message (the job); records the outcome.

    A temporary failure is committed and raised, so the job is retried; after
    ``MAX_ATTEMPTS`` (or at once in the in-process mode, which does not retry) it is final.
    """
    message = db.session.get(TransactionalMessage, message_id, populate_existing=True)
    if message is None or message.status in ("sent", "failed"):
        return
    message.attempts += 1
    try:
        wire = render_message(message)
    except ValidationFailed as exc:
        message.status, message.error = "failed", exc.message[:1000]
        return
    result = mail.send_now([wire])[0]
    if result.ok:
        message.status, message.error = "sent", None
        message.provider_id = (result.provider_id or "")[:255] or None
        message.sent_at = utcnow()
        return
    message.error = (result.error or "not delivered")[:1000]
    final = result.permanent or message.attempts >= MAX_ATTEMPTS
    if final or not current_app.config.get("REDIS_URL"):
        message.status = "failed"
        return
    message.status = "queued"
    db.session.commit()
    raise TemporaryFailure(f"message {message_id} not delivered yet: {result.error}")
