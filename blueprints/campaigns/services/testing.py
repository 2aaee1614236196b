"""Test sends of a campaign: its content, sender and subject, to a few addresses.

The message is rendered as a recipient would get it, for a real contact or sample data,
with the original (untracked) links and inert unsubscribe links; the subject starts
with ``[Test] `` and ``X-EngageX-Test: 1`` marks it. It goes out on the ``mail`` queue
after the commit through the organization's backend, from a verified sending domain.
Without addresses, the campaign's seed list gets it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from blueprints.accounts import services as accounts
from blueprints.campaigns.models import CampaignTestSend
from blueprints.campaigns.services.campaigns import get_campaign
from blueprints.campaigns.services.lifecycle import prepare
from blueprints.domains import services as domains
from blueprints.templates import contacts as template_contacts
from blueprints.templates import previews
from blueprints.templates import services as templates
from blueprints.templates.rendering import compile_jinja, render
from engagex.db import db, utcnow
from engagex.errors import ValidationFailed
from engagex.permissions import Actor, require

MAX_TEST_RECIPIENTS = 10
#: test messages an organization may send per rolling hour (campaign tests)
TEST_SENDS_PER_HOUR = 50


def _sent_last_hour() -> int:
    since = utcnow() - timedelta(hours=1)
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CampaignTestSend.recipient_count), 0)).where(
            CampaignTestSend.created_at > since
        )
    )


def send_test(
    actor: Actor | None,
    campaign_id: int,
    *,
    emails: list[str] | None = None,
    contact_id: int | None = None,
) -> dict[str, Any]:
    """Queue the test to ``emails`` (default: the seed list); returns who and what."""
    require(actor, "campaigns:write")
    campaign = get_campaign(actor, campaign_id)
    recipients = list(
        dict.fromkeys(accounts.normalize_email(e) for e in (emails or campaign.seed_emails or []))
    )
    if not recipients:
        raise ValidationFailed(
            "give addresses, or set the campaign's seed list", code="no_recipients"
        )
    if len(recipients) > MAX_TEST_RECIPIENTS:
        raise ValidationFailed(
            f"a test goes to at most {MAX_TEST_RECIPIENTS} addresses", code="too_many_recipients"
        )
    previews.check_hourly_limit(_sent_last_hour(), len(recipients), TEST_SENDS_PER_HOUR)
    revision, sender, _compiled = prepare(campaign, audience=False)
    domains.assert_sender_allowed(campaign.organization_id, sender.from_email)
    compiled = templates.compiled_revision(None, revision.id, track_clicks=False, track_opens=False)
    if campaign.subject:
        compiled = replace(
            compiled,
            subject=compile_jinja(campaign.subject, html=False, field_name="subject"),
            subject_source=campaign.subject,
        )
    org = accounts.get_organization_by_id(campaign.organization_id)
    contact = None
    if contact_id is not None:
        require(actor, "contacts:read")
        contact = template_contacts.contact_by_id(actor, contact_id)
    context = templates.sample_context(compiled.variables, contact, org)
    context["campaign"] = {"name": campaign.name}
    message = render(compiled, context, templates.preview_links(compiled))
    subject = previews.queue_test(
        recipients,
        message,
        from_email=sender.from_email,
        from_name=sender.from_name,
        reply_to=sender.reply_to,
        organization_id=campaign.organization_id,
        metadata={"campaign_id": str(campaign.id)},
    )
    db.session.add(
        CampaignTestSend(
            campaign_id=campaign.id,
            recipients=recipients,
            recipient_count=len(recipients),
            created_by_id=actor.user_id if actor else None,
        )
    )
    db.session.flush()
    accounts.audit.record(actor, "campaigns.test_sent", campaign, {"recipients": len(recipients)})
    return {"recipients": recipients, "subject": subject, "revision_id": revision.id}
