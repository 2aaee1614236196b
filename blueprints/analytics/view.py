"""View in browser (``/v/<token>``): the message as its recipient got it.

It is rendered again from the campaign's pinned revision with the recipient's current
data and the same tracked links, through the campaign's composer (the same code that
built the mail). The page is served with a sandboxing Content-Security-Policy: the
HTML is written by the organization's members, and must not run script on the
platform's origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from blueprints.analytics import recipients
from blueprints.campaigns.compose import Recipient
from blueprints.campaigns.models import Campaign
from blueprints.campaigns.services.pipeline import composer_for
from blueprints.contacts.models import Contact
from engagex.db import db
from engagex.errors import NotFound
from engagex.mail.message import expand
from engagex.tokens import BadToken, verify

PURPOSE = "view"

CSP = (
    "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation; "
    "default-src 'none'; img-src * data:; style-src 'unsafe-inline' *; font-src * data:; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str


def recipient_of(token: str) -> recipients.RecipientRef:
    try:
        (recipient_id,) = verify(current_app.config["SECRET_KEY"], PURPOSE, token, 1)
    except BadToken as exc:
        raise NotFound("this link is not valid", code="invalid_link") from exc
    ref = recipients.resolve([recipient_id]).get(recipient_id)
    if ref is None:
        raise NotFound("this message is no longer available", code="invalid_link")
    return ref


def render(ref: recipients.RecipientRef) -> Rendered:
    """The recipient's message (call in its tenant context)."""
    campaign = db.session.scalars(
        sa.select(Campaign).where(Campaign.id == ref.campaign_id)
    ).one_or_none()
    if campaign is None or campaign.template_revision_id is None:
        raise NotFound("this message is no longer available", code="message_gone")
    person = None
    if ref.contact_id is not None:
        person = db.session.execute(
            sa.select(Contact.first_name, Contact.last_name, Contact.attributes).where(
                Contact.id == ref.contact_id
            )
        ).first()
    composer = composer_for(campaign)
    composed = composer.compose(
        [
            Recipient(
                ref.id,
                ref.email,
                person.first_name if person else None,
                person.last_name if person else None,
                person.attributes if person else None,
            )
        ]
    )
    if composed.messages:
        message = composed.messages[0][1]
    elif composed.personalized and composed.template is not None:
        message = expand(composed.template, composed.personalized[0][1])
    else:
        raise NotFound("this message cannot be shown", code="message_gone")
    return Rendered(message.subject, message.html)
