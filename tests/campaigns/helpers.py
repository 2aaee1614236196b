"""Builders of campaign test data (templates, audiences) and job helpers."""

from __future__ import annotations

import email
import uuid
from email import policy
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from rq.job import Job
from rq.serializers import JSONSerializer

from blueprints.campaigns import services
from blueprints.contacts import services as contacts
from blueprints.contacts.models import Contact, GroupMember
from blueprints.templates import services as templates
from engagex.db import db
from engagex.jobs import execute, get_queue, redis_connection
from engagex.tenancy import require_org_id

FOOTER = '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head></head><body>{body}{FOOTER}</body></html>"


def make_template(
    *,
    subject: str = "Hi {{ first_name|default('there') }}",
    body: str = '<p>Hello {{ first_name }}</p><p><a href="https://shop.example/sale">Sale</a></p>',
    kind: str = "marketing",
    **extra: Any,
) -> Any:
    html = page(body) if kind == "marketing" else f"<html><body>{body}</body></html>"
    return templates.create_template(
        None,
        {
            "name": f"t-{uuid.uuid4().hex[:8]}",
            "subject": subject,
            "html": html,
            "kind": kind,
            **extra,
        },
    )


def make_audience(
    count: int, *, name: str | None = None, domain: str = "example.com", prefix: str = "u"
) -> tuple[Any, list[str]]:
    """A group of ``count`` subscribed contacts, inserted in bulk; (group, emails)."""
    group = contacts.create_group(None, name=name or f"g-{uuid.uuid4().hex[:8]}")
    org_id = require_org_id()
    tag = uuid.uuid4().hex[:6]
    emails = [f"{prefix}{i}.{tag}@{domain}" for i in range(count)]
    if emails:
        db.session.execute(
            sa.insert(Contact),
            [
                {
                    "organization_id": org_id,
                    "email": address,
                    "first_name": f"N{i}",
                    "last_name": "Test",
                    "attributes": {},
                    "status": "subscribed",
                    "source": "api",
                }
                for i, address in enumerate(emails)
            ],
        )
        ids = db.session.scalars(sa.select(Contact.id).where(Contact.email.in_(emails))).all()
        db.session.execute(
            sa.insert(GroupMember),
            [{"organization_id": org_id, "group_id": group.id, "contact_id": i} for i in ids],
        )
    db.session.flush()
    return group, emails


def make_campaign(template: Any, group_ids: list[int], **fields: Any) -> Any:
    data = {
        "name": f"c-{uuid.uuid4().hex[:6]}",
        "template_id": template.id,
        "from_email": "news@acme.example",
        "group_ids": group_ids,
        **fields,
    }
    return services.create_campaign(None, data)


def read_outbox(directory: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]


def campaign_mail(directory: Path) -> list[email.message.EmailMessage]:
    """The campaign messages of an outbox (not the platform's own mail: welcomes,
    notifications, which other domains send meanwhile)."""
    return [m for m in read_outbox(directory) if m["Feedback-ID"]]


def addresses(messages: list[email.message.EmailMessage]) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in messages)


def drain(*queues: str, limit: int = 1000) -> int:
    """Run the queued jobs in this process, in queue order, as a worker would (objects
    loaded before are expired: the test session does not expire them on commit)."""
    try:
        return _drain(queues, limit)
    finally:
        db.session.expire_all()


def _drain(queues: tuple[str, ...], limit: int) -> int:
    ran = 0
    connection = redis_connection(current_app)
    for _ in range(limit):
        for name in queues or ("mail", "default", "bulk"):
            job_id = connection.lpop(get_queue(name).key)
            if job_id:
                job = Job.fetch(job_id.decode(), connection=connection, serializer=JSONSerializer)
                execute(*job.args)
                ran += 1
                break
        else:
            return ran
    return ran
