"""Builders of analytics test data, SendGrid-signed webhook requests and a webhook
receiver on loopback."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from blueprints.analytics import tasks
from blueprints.campaigns import services as campaigns
from blueprints.campaigns.models import Campaign, CampaignRecipient
from blueprints.contacts import services as contacts
from blueprints.contacts.models import Contact, GroupMember
from engagex.db import db
from engagex.tenancy import require_org_id
from engagex.tokens import sign

SECRET = "test-secret-key"
LINKS = ["https://shop.example/sale", "https://shop.example/about?x=1"]


@dataclass
class Sent:
    """A campaign in the state the pipeline leaves it: ``sent``, with recipients."""

    campaign: Campaign
    recipients: list[CampaignRecipient]
    contacts: list[Contact]
    group_id: int

    def open_url(self, index: int) -> str:
        return f"/t/o/{sign(SECRET, 'open', self.recipients[index].id)}"

    def click_url(self, index: int, link: int) -> str:
        return f"/t/c/{sign(SECRET, 'click', self.recipients[index].id, link)}"

    def unsubscribe_url(self, index: int) -> str:
        return f"/u/{sign(SECRET, 'unsubscribe', self.recipients[index].id)}"


def make_sent_campaign(
    count: int = 4,
    *,
    links: Sequence[str] = LINKS,
    sent_ago: timedelta = timedelta(hours=1),
    status: str = "sent",
    seeds: Sequence[str] = (),
) -> Sent:
    """A campaign with ``count`` contacts as recipients, written through the models (as
    the pipeline's snapshot and batches would), sent ``sent_ago`` ago."""
    org_id = require_org_id()
    group = contacts.create_group(None, name=f"g-{uuid.uuid4().hex[:8]}")
    tag = uuid.uuid4().hex[:6]
    people = []
    for i in range(count):
        contact = Contact(
            email=f"p{i}.{tag}@example.com",
            first_name=f"P{i}",
            attributes={},
            status="subscribed",
            source="api",
        )
        db.session.add(contact)
        people.append(contact)
    db.session.flush()
    if people:
        db.session.execute(
            sa.insert(GroupMember),
            [{"organization_id": org_id, "group_id": group.id, "contact_id": c.id} for c in people],
        )
    campaign = campaigns.create_campaign(
        None, {"name": f"c-{tag}", "from_email": "news@acme.example", "group_ids": [group.id]}
    )
    sent_at = datetime.now(UTC) - sent_ago
    campaign.status = status
    campaign.links = list(links)
    campaign.started_at = sent_at
    campaign.finished_at = sent_at if status == "sent" else None
    campaign.recipients_total = count + len(seeds)
    campaign.sent_count = count + len(seeds)
    rows = [
        CampaignRecipient(
            campaign_id=campaign.id,
            contact_id=c.id,
            email=c.email,
            batch_no=1,
            status="sent",
            sent_at=sent_at,
        )
        for c in people
    ] + [
        CampaignRecipient(
            campaign_id=campaign.id,
            contact_id=None,
            email=address,
            batch_no=0,
            status="sent",
            sent_at=sent_at,
            is_seed=True,
        )
        for address in seeds
    ]
    db.session.add_all(rows)
    db.session.flush()
    return Sent(campaign, rows, people, group.id)


def flush() -> dict[str, Any]:
    """Write the buffered tracking events (what the flush job does)."""
    return tasks.flush_events()


# --- SendGrid's signed event webhook --------------------------------------------------------


class SendGridKeys:
    """A P-256 key pair signing exactly as SendGrid's Event Webhook does."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_b64 = base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.private.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        }


def sg_event(
    kind: str, recipient: CampaignRecipient, *, org_id: int | None = None, **extra: Any
) -> dict[str, Any]:
    """One SendGrid event about ``recipient``, with the custom_args we send."""
    return {
        "email": recipient.email,
        "timestamp": int(time.time()),
        "event": kind,
        "sg_event_id": uuid.uuid4().hex,
        "sg_message_id": f"{uuid.uuid4().hex}.filter0001",
        "organization_id": str(org_id if org_id is not None else recipient.organization_id),
        "campaign_id": str(recipient.campaign_id),
        "recipient_id": str(recipient.id),
        **extra,
    }


def post_events(client: Any, keys: SendGridKeys, events: list[dict[str, Any]], **kw: Any) -> Any:
    body = json.dumps(events).encode()
    return client.post("/webhooks/sendgrid", data=body, headers=keys.headers(body, **kw))


# --- a receiver of outgoing webhooks -------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP endpoint on loopback that records what it is sent; ``statuses`` scripts
    its answers (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                reply = b'{"ok": true}' if status < 300 else b"try later"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/engagex"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def types(self) -> list[str]:
        return sorted(r.json["type"] for r in self.received)
