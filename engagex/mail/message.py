"""The message value and its MIME form (multipart/alternative, RFC 2047 headers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, localtime


@dataclass(frozen=True)
class Message:
    """One email to one recipient, backend-neutral.

    ``metadata`` carries correlation ids (organization, campaign, recipient) to the
    provider; it must never hold an email address. ``headers`` are extra headers such as
    ``List-Unsubscribe``.
    """

    to_email: str
    from_email: str
    subject: str
    html: str
    text: str
    organization_id: int | None = None
    to_name: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    category: str = "transactional"
    message_id: str = ""

    def with_message_id(self) -> Message:
        if self.message_id:
            return self
        domain = self.from_email.rpartition("@")[2] or "engagex.invalid"
        from dataclasses import replace

        return replace(self, message_id=f"<{uuid.uuid4().hex}@{domain}>")


def _address(email: str, name: str | None) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=name or "", username=local, domain=domain)


def build_mime(message: Message) -> EmailMessage:
    """The MIME message: text and HTML alternatives, encoded headers, a Message-ID."""
    message = message.with_message_id()
    mime = EmailMessage(policy=SMTP)
    mime["From"] = _address(message.from_email, message.from_name)
    mime["To"] = _address(message.to_email, message.to_name)
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(localtime())
    mime["Message-ID"] = message.message_id
    mime["MIME-Version"] = "1.0"
    for name, value in message.headers.items():
        mime[name] = value
    mime.set_content(message.text, subtype="plain", charset="utf-8")
    mime.add_alternative(message.html, subtype="html", charset="utf-8")
    return mime
