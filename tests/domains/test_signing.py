"""DKIM: messages sent through a mail backend verify with dkimpy against the key in DNS."""

from __future__ import annotations

import re
from pathlib import Path

import dkim
import pytest
import sqlalchemy as sa
from dkim.util import parse_tag_value

from blueprints.domains import keys, signing
from blueprints.domains.models import SendingDomain
from blueprints.domains.resolver import Lookup
from engagex import mail
from engagex.db import db
from engagex.tenancy import tenant_context
from tests.domains.conftest import publish

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://app.example.net/u/tok>, <mailto:u@app.example.net?subject=tok>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def send(app, org_id: int, from_email: str, headers: dict[str, str] | None = None) -> bytes:
    message = mail.Message(
        to_email="reader@example.net",
        from_email=from_email,
        from_name="Acme News",
        subject="Spring sale — 20% off",
        html="<p>Hello <b>there</b></p>",
        text="Hello there",
        organization_id=org_id,
        headers=headers if headers is not None else dict(UNSUBSCRIBE),
    )
    result = mail.send_now([message])[0]
    assert result.ok, result
    return (Path(app.config["ENGAGEX_OUTBOX_DIR"]) / result.provider_id).read_bytes()


def signature_tags(raw: bytes) -> dict[str, str]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    field = re.match(rb"DKIM-Signature:(.*?)\r\n(?![ \t])", head, re.DOTALL).group(1)
    return {k.decode(): v.decode() for k, v in parse_tag_value(field).items()}


def dns_txt(dns_server):
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        answer = Lookup([dns_server.address], 5).txt(name.decode().rstrip("."))
        return answer.values[0].encode() if answer.found else None

    return lookup


@pytest.fixture
def verified(zone, add_domain, verify):
    domain = add_domain("acme.example", "smtp")
    publish(zone, domain)
    domain = verify(domain)
    assert domain.status == "verified"
    return domain


def test_signed_message_verifies_against_the_published_key(app, verified, dns_server):
    raw = send(app, verified.organization_id, "news@acme.example")
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=dns_txt(dns_server)) is True
    tags = signature_tags(raw)
    assert tags["d"] == "acme.example" and tags["s"] == verified.dkim_selector
    assert tags["c"] == "relaxed/relaxed" and tags["a"] == "rsa-sha256"
    signed = [h.strip() for h in tags["h"].lower().split(":")]
    for name in (
        "from",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ):
        assert name in signed


def test_tampering_breaks_the_signature(app, verified, dns_server):
    raw = send(app, verified.organization_id, "news@acme.example")
    assert dkim.verify(raw, dnsfunc=dns_txt(dns_server))
    tampered = raw.replace(b"https://app.example.net/u/tok", b"https://evil.example.net/u/t")
    assert tampered != raw
    assert dkim.verify(tampered, dnsfunc=dns_txt(dns_server)) is False


def test_headers_absent_from_a_message_are_still_covered(app, verified, dns_server):
    raw = send(app, verified.organization_id, "alerts@acme.example", headers={})
    assert dkim.verify(raw, dnsfunc=dns_txt(dns_server))
    # Someone adding List-Unsubscribe in transit breaks the signature.
    head, body = raw.split(b"\r\n\r\n", 1)
    forged = head + b"\r\nList-Unsubscribe: <https://evil.example/>\r\n\r\n" + body
    assert dkim.verify(forged, dnsfunc=dns_txt(dns_server)) is False


def test_no_signature_without_a_verified_own_key_domain(app, zone, org, add_domain, verify):
    pending = add_domain("pending.example", "smtp")
    assert not send(app, org.id, "a@pending.example").startswith(b"DKIM-Signature")
    sendgrid = add_domain("sg.example", "sendgrid")
    publish(zone, sendgrid)
    assert verify(sendgrid).status == "verified"
    assert not send(app, org.id, "a@sg.example").startswith(b"DKIM-Signature")
    # Another organization cannot sign with this one's key.
    publish(zone, pending)
    assert verify(pending).status == "verified"
    from tests.factories import make_org

    other = make_org()
    assert not send(app, other.id, "a@pending.example").startswith(b"DKIM-Signature")
    assert send(app, org.id, "a@pending.example").startswith(b"DKIM-Signature")


def test_private_key_is_encrypted_at_rest_and_bound_to_its_row(app, verified, session):
    with tenant_context(verified.organization_id):
        stored = db.session.scalar(
            sa.select(SendingDomain.dkim_private_key).where(SendingDomain.id == verified.id)
        )
    assert stored.startswith("v1:") and b"PRIVATE KEY" not in stored.encode()
    pem = keys.decrypt(
        stored,
        secret=app.config["SECRET_KEY"],
        organization_id=verified.organization_id,
        domain="acme.example",
    )
    assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    with pytest.raises(keys.KeyUnavailable):
        keys.decrypt(
            stored,
            secret="another secret",
            organization_id=verified.organization_id,
            domain="acme.example",
        )
    with pytest.raises(keys.KeyUnavailable):
        keys.decrypt(
            stored,
            secret=app.config["SECRET_KEY"],
            organization_id=verified.organization_id + 1,
            domain="acme.example",
        )


def test_an_undecryptable_key_sends_unsigned_and_logs_without_key_material(
    app, verified, caplog, monkeypatch
):
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-secret")
    raw = send(app, verified.organization_id, "news@acme.example")
    assert not raw.startswith(b"DKIM-Signature")
    assert "cannot be decrypted" in caplog.text and "acme.example" in caplog.text
    assert "PRIVATE" not in caplog.text


def test_openssl_signature_is_byte_identical_to_dkimpys_own(monkeypatch):
    monkeypatch.setattr(dkim.time, "time", lambda: 1_800_000_000)
    pair = keys.generate()
    raw = (
        b"From: A <a@acme.example>\r\nTo: b@example.net\r\nSubject: Hi\r\n"
        b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nMessage-ID: <1@acme.example>\r\n"
        b"List-Unsubscribe: <https://x.example/u>\r\n\r\nHello\r\n"
    )
    ours = signing.sign_raw(raw, domain="acme.example", selector="s", pem=pair.private_pem)
    include = [*signing.ALWAYS_SIGNED, "to", "from"]
    theirs = dkim.sign(
        raw,
        b"s",
        b"acme.example",
        pair.private_pem,
        include_headers=[h.encode() for h in include],
        canonicalize=(b"relaxed", b"relaxed"),
    )
    assert ours == theirs
