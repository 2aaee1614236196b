"""Fixtures of the templates tests."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from tests.factories import auth, make_key, make_org

UNSUBSCRIBE = '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'


def page(body: str) -> str:
    """A minimal marketing HTML document around ``body``, with the unsubscribe link."""
    return f"<!DOCTYPE html><html><head></head><body>{body}{UNSUBSCRIBE}</body></html>"


@pytest.fixture
def org(session):
    return make_org()


@pytest.fixture
def headers(org):
    return auth(make_key(org, "editor"))


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ENGAGEX_OUTBOX_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # deliver in-process after the commit
    # Test sends pass the sending-domain gate; its own tests live in tests/domains.
    monkeypatch.setitem(app.config, "ENGAGEX_ALLOW_UNVERIFIED_SENDERS", True)
    app.extensions.pop("engagex.mail_backend", None)
    yield tmp_path
    app.extensions.pop("engagex.mail_backend", None)


def read_outbox(directory: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]
