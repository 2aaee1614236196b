"""Bounce mail of SMTP sending: RFC 3464 reports, ARF complaints, IMAP and POP3."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.analytics import stats
from blueprints.analytics.bounces import dsn
from blueprints.analytics.bounces import services as bounces
from blueprints.contacts import audience
from blueprints.contacts.models import Contact
from cli import cli
from engagex.db import db
from engagex.tenancy import tenant_context
from engagex.tokens import sign
from tests.analytics.helpers import SECRET, make_sent_campaign
from tests.analytics.mailservers import ImapServer, Pop3Server, Store
from tests.factories import make_org

MAIL = Path(__file__).parent / "mail"


def sample(name: str, recipient, salt: str, *, token: bool = True) -> bytes:
    text = (MAIL / name).read_text()
    values = {
        "{ADDRESS}": recipient.email,
        "{MESSAGE_ID}": f"<r{recipient.id}.{salt}@acme.example>",
        "{MESSAGE_ID_PLAIN}": f"{recipient.id}-{uuid.uuid4().hex[:8]}",
        "{TOKEN}": sign(SECRET, "unsubscribe", recipient.id) if token else "x" * 20,
    }
    for key, value in values.items():
        text = text.replace(key, value)
    return text.encode()


def status_of(contact: Contact) -> str:
    return db.session.scalar(sa.select(Contact.status).where(Contact.id == contact.id))


class R:
    id = 42
    email = "ann@example.com"


@pytest.mark.parametrize(
    ("name", "kind", "hard", "status"),
    [
        ("postfix_hard.eml", "bounce", True, "5.1.1"),
        ("gmail_blocked.eml", "bounce", False, "5.7.1"),
        ("exchange_delayed.eml", "deferred", False, "4.4.7"),
        ("arf_complaint.eml", "complaint", False, None),
        ("qmail_text.eml", "bounce", True, "5.1.1"),
    ],
)
def test_reports_are_parsed(name, kind, hard, status):
    report = dsn.parse(sample(name, R, "salt1"))
    assert report is not None
    assert (report.kind, report.hard, report.status) == (kind, hard, status)
    assert report.message_id == (42, "salt1")
    if name in ("postfix_hard.eml", "gmail_blocked.eml", "qmail_text.eml"):
        assert report.tokens == (sign(SECRET, "unsubscribe", 42),)
    if name == "postfix_hard.eml":
        assert report.recipient == "ann@example.com"
        assert "User unknown" in report.diagnostic


def test_mail_that_is_no_report_is_left_alone():
    assert dsn.parse((MAIL / "not_a_bounce.eml").read_bytes()) is None
    assert dsn.classify("5.0.0", "550 user unknown") is True
    assert dsn.classify("5.0.0", "550 blocked by policy") is False
    assert dsn.classify("5.2.2", "mailbox full") is False


def test_the_recipient_comes_from_a_signed_token_or_our_message_id_with_its_salt(org):
    sent = make_sent_campaign(1)
    salt = sent.campaign.message_salt
    db.session.commit()
    recipient = sent.recipients[0]
    by_token = dsn.parse(sample("postfix_hard.eml", recipient, "wrong-salt"))
    assert bounces.recipient_of(by_token) == recipient.id
    by_id = dsn.parse(sample("exchange_delayed.eml", recipient, salt))
    assert bounces.recipient_of(by_id) == recipient.id
    forged = dsn.parse(sample("arf_complaint.eml", recipient, "guessed"))
    assert bounces.recipient_of(forged) is None


def run(app, *args: str):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.fixture
def mailbox_org(session):
    org = make_org(f"bounce-{uuid.uuid4().hex[:6]}")
    with tenant_context(org.id):
        sent = make_sent_campaign(5)
        salt = sent.campaign.message_salt
        db.session.commit()
        yield org, sent, salt


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_engagex_bounces_process_reads_the_mailbox(app, mailbox_org, protocol, monkeypatch):
    org, sent, salt = mailbox_org
    r = sent.recipients
    store = Store()
    store.add(sample("postfix_hard.eml", r[0], salt))
    store.add(sample("gmail_blocked.eml", r[1], salt))
    store.add(sample("exchange_delayed.eml", r[2], salt))
    store.add(sample("arf_complaint.eml", r[3], salt))
    store.add(sample("qmail_text.eml", r[4], salt))
    store.add((MAIL / "not_a_bounce.eml").read_bytes())
    store.add(sample("arf_complaint.eml", r[3], "forged", token=False))  # matches nobody
    server_class = ImapServer if protocol == "imap" else Pop3Server
    monkeypatch.setitem(app.config, "ENGAGEX_BOUNCE_MAILBOX_PASSWORD", store.password)
    monkeypatch.setitem(app.config, "ENGAGEX_BOUNCE_MAILBOX_STARTTLS", False)
    with server_class(store) as server:
        url = f"{protocol}://{store.user}@127.0.0.1:{server.port}/INBOX"
        result = run(app, "bounces", "process", "--mailbox", url, "--json")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        again = json.loads(run(app, "bounces", "process", "--mailbox", url, "--json").stdout)
    assert summary["messages"] == 7
    assert (summary["hard_bounces"], summary["soft_bounces"]) == (2, 1)
    assert (summary["deferred"], summary["complaints"]) == (1, 1)
    assert (summary["recorded"], summary["ignored"], summary["unmatched"]) == (5, 1, 1)
    # Recorded reports were deleted; the others stay (IMAP: marked read, not read again).
    left = store.raws()
    assert len(left) == 2
    assert again["messages"] == (0 if protocol == "imap" else 2) and again["recorded"] == 0
    with tenant_context(org.id):
        assert [status_of(c) for c in sent.contacts] == [
            "bounced",
            "subscribed",
            "subscribed",
            "complained",
            "bounced",
        ]
        assert audience.suppression_of(r[0].email).reason == "bounce"
        assert audience.suppression_of(r[3].email).reason == "complaint"
        assert audience.suppression_of(r[1].email) is None
        data = stats.campaign_stats(None, sent.campaign.id)
        assert (data["bounces"], data["soft_bounces"], data["deferred"]) == (2, 1, 1)
        assert data["complaints"] == 1
        assert data["rates"]["delivered_base"] == "sent_minus_bounces"


def test_keep_marks_imap_messages_read_and_a_wrong_password_is_one_line(
    app, mailbox_org, monkeypatch
):
    _org, sent, salt = mailbox_org
    store = Store()
    store.add(sample("postfix_hard.eml", sent.recipients[0], salt))
    monkeypatch.setitem(app.config, "ENGAGEX_BOUNCE_MAILBOX_STARTTLS", False)
    with ImapServer(store) as server:
        monkeypatch.setitem(
            app.config, "ENGAGEX_BOUNCE_MAILBOX", f"imap://bounces@127.0.0.1:{server.port}"
        )
        monkeypatch.setitem(app.config, "ENGAGEX_BOUNCE_MAILBOX_PASSWORD", "wrong")
        refused = run(app, "bounces", "process")
        assert refused.exit_code == 1 and refused.output.startswith("error: IMAP")
        monkeypatch.setitem(app.config, "ENGAGEX_BOUNCE_MAILBOX_PASSWORD", store.password)
        kept = json.loads(run(app, "bounces", "process", "--keep", "--json").stdout)
    assert kept["recorded"] == 1 and len(store.raws()) == 1
    assert "\\Seen" in store.messages[0].flags
    unconfigured = run(app, "bounces", "process", "--mailbox", "smtp://x@y")
    assert unconfigured.exit_code == 1 and "imap://" in unconfigured.output
