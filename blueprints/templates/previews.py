"""Previews and test sends of templates (services: flush, never commit).

A preview renders subject, HTML and text for a real contact or sample data, with the
original (untracked) links. The HTML is meant for a sandboxed iframe (``sandbox`` with
no ``allow-same-origin``, ``srcdoc``), never for the application's own DOM.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from blueprints.accounts import services as accounts
from blueprints.domains import services as domains
from blueprints.templates import contacts, rendering, services
from blueprints.templates.models import EmailTemplate, TemplateRevision, TemplateTestSend
from blueprints.templates.rendering import RenderedMessage, VariableSpec
from engagex import mail
from engagex.db import db, utcnow
from engagex.errors import AppError, ValidationFailed
from engagex.permissions import Actor, require

MAX_TEST_RECIPIENTS = 5
#: test messages an organization may send per rolling hour
TEST_SENDS_PER_HOUR = 50
TEST_SUBJECT_PREFIX = "[Test] "
TEST_HEADER = "X-EngageX-Test"
MAX_SAMPLE_BYTES = 64 * 1024


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


def _contact_fields(
    actor: Actor | None, contact_id: int | None, sample: dict[str, Any] | None
) -> dict[str, Any] | None:
    if contact_id is not None and sample is not None:
        raise ValidationFailed("give contact_id or sample, not both", code="contact_and_sample")
    if contact_id is not None:
        require(actor, "contacts:read")
        return contacts.contact_by_id(actor, contact_id)
    if sample is None:
        return None
    if len(json.dumps(sample, default=str)) > MAX_SAMPLE_BYTES:
        raise ValidationFailed("the sample is larger than 64 KiB", code="sample_too_large")
    try:
        rendering.plain(sample)
    except TypeError as exc:
        raise ValidationFailed(f"invalid sample: {exc}", code="invalid_sample") from exc
    attributes = sample.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ValidationFailed("sample attributes must be an object", code="invalid_sample")
    return {
        "email": sample.get("email") or services.SAMPLE_CONTACT["email"],
        "first_name": sample.get("first_name") or "",
        "last_name": sample.get("last_name") or "",
        "attributes": attributes,
    }


def _revision_for(
    actor: Actor | None, template: EmailTemplate, revision_id: int | None
) -> TemplateRevision:
    if revision_id is None:
        return services.latest_revision(actor, template.id)
    return services.get_revision(actor, revision_id, template_id=template.id)


def _render(
    compiled: rendering.CompiledTemplate,
    variables: tuple[VariableSpec, ...],
    contact: dict[str, Any] | None,
) -> RenderedMessage:
    if contact is None:
        context = services.sample_context(variables)
    else:
        context = services.sample_context((), contact)
    return rendering.render(compiled, context, services.preview_links(compiled))


def preview(
    actor: Actor | None,
    template_id: int,
    *,
    contact_id: int | None = None,
    sample: dict[str, Any] | None = None,
    revision_id: int | None = None,
) -> tuple[TemplateRevision, RenderedMessage]:
    """Render a saved template (its latest or a given revision) for a contact or sample."""
    template = services.get_template(actor, template_id)
    revision = _revision_for(actor, template, revision_id)
    contact = _contact_fields(actor, contact_id, sample)
    compiled = services.compiled_revision(actor, revision.id, track_clicks=False, track_opens=False)
    return revision, _render(compiled, compiled.variables, contact)


def preview_draft(
    actor: Actor | None,
    data: dict[str, Any],
    *,
    contact_id: int | None = None,
    sample: dict[str, Any] | None = None,
) -> RenderedMessage:
    """Validate and render unsaved template content (the editor's live preview)."""
    require(actor, "templates:write")
    fields = services.clean_fields({"kind": "marketing", **data})
    services.apply_mjml(fields, fields)
    variables = data.get("variables") or []
    contact = _contact_fields(actor, contact_id, sample)
    compiled = services.validate(fields, variables, auto_footer=services.auto_footer_enabled())
    return _render(compiled, compiled.variables, contact)


def _sent_last_hour() -> int:
    since = utcnow() - timedelta(hours=1)
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(TemplateTestSend.recipient_count), 0)).where(
            TemplateTestSend.created_at > since
        )
    )


def check_hourly_limit(sent: int, wanted: int, limit: int) -> None:
    """Refuse (429 ``rate_limited``) test messages past ``limit`` per rolling hour."""
    if sent + wanted > limit:
        raise RateLimited(
            f"at most {limit} test messages per hour; {max(limit - sent, 0)} left now",
            details={"limit": limit, "window_seconds": 3600},
        )


def queue_test(
    recipients: list[str],
    message: RenderedMessage,
    *,
    from_email: str,
    from_name: str | None,
    reply_to: str | None,
    organization_id: int,
    metadata: dict[str, str],
) -> str:
    """Queue ``message`` to each address as a test (template and campaign tests alike):
    the ``[Test]`` subject, the ``X-EngageX-Test`` header, the ``test`` category, on the
    mail queue after the commit. Returns the subject sent."""
    subject = TEST_SUBJECT_PREFIX + message.subject
    for address in recipients:
        mail.queue(
            mail.Message(
                to_email=address,
                from_email=from_email,
                from_name=from_name,
                reply_to=reply_to,
                subject=subject,
                html=message.html,
                text=message.text,
                organization_id=organization_id,
                headers={TEST_HEADER: "1"},
                metadata={"organization_id": str(organization_id), **metadata, "test": "1"},
                category="test",
            )
        )
    return subject


def send_test(
    actor: Actor | None,
    template_id: int,
    *,
    emails: list[str],
    contact_id: int | None = None,
    sample: dict[str, Any] | None = None,
    revision_id: int | None = None,
) -> dict[str, Any]:
    """Send the template, marked as a test, to at most five addresses.

    Delivery goes through the organization's backend on the mail queue after the
    transaction commits. Links are the original, untracked URLs; the unsubscribe link
    is an inert placeholder. At most ``TEST_SENDS_PER_HOUR`` messages per hour.
    """
    require(actor, "templates:write")
    recipients = list(dict.fromkeys(accounts.normalize_email(e) for e in emails))
    if not recipients:
        raise ValidationFailed("give at least one address", code="no_recipients")
    if len(recipients) > MAX_TEST_RECIPIENTS:
        raise ValidationFailed(
            f"a test goes to at most {MAX_TEST_RECIPIENTS} addresses", code="too_many_recipients"
        )
    check_hourly_limit(_sent_last_hour(), len(recipients), TEST_SENDS_PER_HOUR)
    template = services.get_template(actor, template_id)
    revision = _revision_for(actor, template, revision_id)
    org = services.current_organization()
    from_email = revision.from_email or org.default_from_email
    if not from_email:
        raise ValidationFailed(
            "no sender: set from_email on the template or the organization's default sender",
            code="no_sender",
        )
    # A test reaches real inboxes: it must come from a verified sending domain too.
    domains.assert_sender_allowed(org.id, from_email)
    contact = _contact_fields(actor, contact_id, sample)
    compiled = services.compiled_revision(actor, revision.id, track_clicks=False, track_opens=False)
    message = _render(compiled, compiled.variables, contact)
    subject = queue_test(
        recipients,
        message,
        from_email=from_email,
        from_name=revision.from_name or org.default_from_name or org.name,
        reply_to=revision.reply_to,
        organization_id=org.id,
        metadata={"template_id": str(template.id), "revision_id": str(revision.id)},
    )
    db.session.add(
        TemplateTestSend(
            template_id=template.id,
            revision_id=revision.id,
            recipients=recipients,
            recipient_count=len(recipients),
            created_by_id=actor.user_id if actor else None,
        )
    )
    db.session.flush()
    return {"recipients": recipients, "subject": subject, "revision_id": revision.id}
