"""``engagex bounces process``: bounce mail of SMTP sending turned into events.

``process`` reads the mailbox, parses every message (``dsn``), finds the recipient
(a signed unsubscribe token, else our Message-ID with the campaign's salt) and records
``bounce``/``deferred``/``spamreport`` events through ``ingest`` (hard bounce: contact
``bounced`` + suppression; complaint: ``complained`` + suppression). It flushes; the
caller commits and only then calls ``finish`` to delete (or mark) the messages, so a
crash never loses a bounce.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from blueprints.analytics import ingest, recipients, settings
from blueprints.analytics.bounces import dsn
from blueprints.analytics.bounces.mailbox import Mailbox, MailboxConfig, parse_url
from blueprints.analytics.events import EventIn
from blueprints.analytics.sql import now
from blueprints.campaigns.models import Campaign
from engagex.db import db
from engagex.errors import ValidationFailed
from engagex.tenancy import system_scope
from engagex.tokens import BadToken, verify

log = logging.getLogger(__name__)

KINDS = {"bounce": "bounce", "deferred": "deferred", "complaint": "spamreport"}


@dataclass
class Summary:
    messages: int = 0
    reports: int = 0
    hard_bounces: int = 0
    soft_bounces: int = 0
    deferred: int = 0
    complaints: int = 0
    recorded: int = 0
    duplicates: int = 0
    unmatched: int = 0
    ignored: int = 0
    #: (message id in the mailbox, delete?) to apply after the commit
    actions: list[tuple[str, bool]] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k != "actions"}


def configured_mailbox(url: str | None = None) -> MailboxConfig:
    """The mailbox of ``ENGAGEX_BOUNCE_MAILBOX`` (or ``url``), with its settings."""
    url = url or settings.text("ENGAGEX_BOUNCE_MAILBOX")
    if not url:
        raise ValidationFailed(
            "no bounce mailbox: set ENGAGEX_BOUNCE_MAILBOX (imaps://user@host/INBOX) or "
            "pass --mailbox",
            code="no_mailbox",
        )
    return parse_url(
        url,
        password=settings.text("ENGAGEX_BOUNCE_MAILBOX_PASSWORD"),
        starttls=settings.flag("ENGAGEX_BOUNCE_MAILBOX_STARTTLS", True),
        ca_file=settings.text("ENGAGEX_BOUNCE_MAILBOX_CA_FILE"),
    )


def recipient_of(report: dsn.Report) -> int | None:
    """The recipient a report is about, from signed or salted data only."""
    secret = current_app.config["SECRET_KEY"]
    for token in report.tokens:
        try:
            (recipient_id,) = verify(secret, "unsubscribe", token, 1)
        except BadToken:
            continue
        return recipient_id
    if report.message_id is not None:
        recipient_id, salt = report.message_id
        ref = recipients.resolve([recipient_id]).get(recipient_id)
        if ref is None:
            return None
        with system_scope():
            stored = db.session.scalar(
                sa.select(Campaign.message_salt)
                .where(Campaign.id == ref.campaign_id)
                .execution_options(include_deleted=True)
            )
        if stored and stored == salt:
            return recipient_id
    return None


def event_of(report: dsn.Report, recipient_id: int, at: datetime) -> EventIn:
    data: dict[str, object] = {}
    if report.kind == "bounce":
        data["hard"] = report.hard
    for name, value in (
        ("status", report.status),
        ("reason", report.diagnostic),
        ("action", report.action),
    ):
        if value:
            data[name] = value
    return EventIn(
        type=KINDS[report.kind],
        recipient_id=recipient_id,
        occurred_at=at,
        key=f"{report.key}:{recipient_id}",
        source="dsn",
        data=data,
    )


def process(mailbox: Mailbox, *, keep: bool = False, limit: int | None = None) -> Summary:
    """Read and record; see the module docstring. Call ``finish`` after committing."""
    summary = Summary()
    events: list[EventIn] = []
    owners: dict[str, str] = {}
    at = now()
    for message_id, raw in mailbox.messages(limit):
        summary.messages += 1
        try:
            report = dsn.parse(raw)
        except Exception:  # a malformed message must not stop the others
            log.exception("could not parse message %s of the bounce mailbox", message_id)
            report = None
        if report is None:
            summary.ignored += 1
            summary.actions.append((message_id, False))
            continue
        summary.reports += 1
        recipient_id = recipient_of(report)
        if recipient_id is None:
            summary.unmatched += 1
            summary.actions.append((message_id, False))
            continue
        if report.kind == "bounce":
            if report.hard:
                summary.hard_bounces += 1
            else:
                summary.soft_bounces += 1
        elif report.kind == "deferred":
            summary.deferred += 1
        else:
            summary.complaints += 1
        event = event_of(report, recipient_id, at)
        owners[event.key] = message_id
        events.append(event)
    if events:
        with system_scope():
            result = ingest.record(events)
        summary.recorded = result.recorded
        summary.duplicates = result.duplicates
        summary.unmatched += result.unmatched
    for event in events:
        summary.actions.append((owners[event.key], not keep))
    return summary


def finish(mailbox: Mailbox, summary: Summary) -> None:
    """Delete the recorded messages (or mark them read), after the commit."""
    for message_id, delete in summary.actions:
        mailbox.done(message_id, delete=delete)
