"""The bounce mailbox over IMAP or POP3 (the standard library's ``imaplib``/``poplib``).

Configured by one URL (``ENGAGEX_BOUNCE_MAILBOX``): ``imaps://user@host[:993][/folder]``,
``imap://...`` (STARTTLS unless ``ENGAGEX_BOUNCE_MAILBOX_STARTTLS=0``),
``pop3s://user@host[:995]`` or ``pop3://...`` (STLS likewise). The password comes from
``ENGAGEX_BOUNCE_MAILBOX_PASSWORD`` or, percent-encoded, from the URL.

IMAP reads unread messages (``UNSEEN``) without marking them (``BODY.PEEK[]``); a
processed message is deleted (``\\Deleted`` + ``EXPUNGE`` at the end) or, with ``keep``,
marked read. POP3 has no flags: processed messages are deleted (``DELE``, committed by
``QUIT``) unless kept; a kept message is read again next time, which changes nothing
(reports are deduplicated).
"""

from __future__ import annotations

import contextlib
import imaplib
import poplib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit

from engagex.errors import ValidationFailed

PORTS = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}


@dataclass(frozen=True)
class MailboxConfig:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str
    starttls: bool
    ca_file: str | None = None
    timeout: float = 30.0

    def describe(self) -> str:
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_url(
    url: str, *, password: str | None = None, starttls: bool = True, ca_file: str | None = None
) -> MailboxConfig:
    parts = urlsplit(url or "")
    if parts.scheme not in PORTS:
        raise ValidationFailed(
            "the bounce mailbox must be an imap://, imaps://, pop3:// or pop3s:// URL",
            code="invalid_mailbox",
        )
    if not parts.hostname or not parts.username:
        raise ValidationFailed(
            "the bounce mailbox URL needs a user and a host (imaps://user@host/INBOX)",
            code="invalid_mailbox",
        )
    secret = password if password is not None else unquote(parts.password or "")
    if not secret:
        raise ValidationFailed(
            "no password for the bounce mailbox (ENGAGEX_BOUNCE_MAILBOX_PASSWORD)",
            code="invalid_mailbox",
        )
    try:
        port = parts.port or PORTS[parts.scheme]
    except ValueError as exc:
        raise ValidationFailed("the mailbox port is not valid", code="invalid_mailbox") from exc
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxConfig(
        parts.scheme,
        parts.hostname,
        port,
        unquote(parts.username),
        secret,
        folder,
        starttls and parts.scheme in ("imap", "pop3"),
        ca_file,
    )


class Mailbox(Protocol):
    def messages(self, limit: int | None = None) -> Iterator[tuple[str, bytes]]: ...

    def done(self, message_id: str, *, delete: bool) -> None: ...

    def close(self) -> None: ...


class MailboxError(RuntimeError):
    """The server refused a command or the connection failed."""


def _context(config: MailboxConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=config.ca_file)


class ImapMailbox:
    def __init__(self, config: MailboxConfig) -> None:
        try:
            if config.scheme == "imaps":
                self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    config.host, config.port, ssl_context=_context(config), timeout=config.timeout
                )
            else:
                self.conn = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
                if config.starttls:
                    self.conn.starttls(ssl_context=_context(config))
            self.conn.login(config.user, config.password)
            status, _ = self.conn.select(_quote(config.folder))
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"IMAP {config.describe()}: {exc}") from exc
        if status != "OK":
            raise MailboxError(f"IMAP {config.describe()}: cannot open the folder")
        self.deleted = False

    def messages(self, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        status, data = self.conn.search(None, "UNSEEN")
        if status != "OK":
            raise MailboxError("IMAP SEARCH failed")
        numbers = (data[0] or b"").split()
        for number in numbers[:limit] if limit else numbers:
            status, parts = self.conn.fetch(number.decode(), "(BODY.PEEK[])")
            if status != "OK":
                raise MailboxError(f"IMAP FETCH {number.decode()} failed")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw is not None:
                yield number.decode(), raw

    def done(self, message_id: str, *, delete: bool) -> None:
        flag = "(\\Deleted)" if delete else "(\\Seen)"
        self.conn.store(message_id, "+FLAGS", flag)
        self.deleted = self.deleted or delete

    def close(self) -> None:
        try:
            if self.deleted:
                self.conn.expunge()
            self.conn.close()
            self.conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _quote(folder: str) -> str:
    return (
        folder if folder.isalnum() else '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
    )


class Pop3Mailbox:
    def __init__(self, config: MailboxConfig) -> None:
        try:
            if config.scheme == "pop3s":
                self.conn: poplib.POP3 = poplib.POP3_SSL(
                    config.host, config.port, context=_context(config), timeout=config.timeout
                )
            else:
                self.conn = poplib.POP3(config.host, config.port, timeout=config.timeout)
                if config.starttls:
                    self.conn.stls(context=_context(config))
            self.conn.user(config.user)
            self.conn.pass_(config.password)
        except (poplib.error_proto, OSError) as exc:
            raise MailboxError(f"POP3 {config.describe()}: {exc}") from exc

    def messages(self, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        _, listing, _ = self.conn.list()
        numbers = [line.split()[0].decode() for line in listing]
        for number in numbers[:limit] if limit else numbers:
            _, lines, _ = self.conn.retr(int(number))
            yield number, b"\r\n".join(lines) + b"\r\n"

    def done(self, message_id: str, *, delete: bool) -> None:
        if delete:
            self.conn.dele(int(message_id))

    def close(self) -> None:
        with contextlib.suppress(poplib.error_proto, OSError):
            self.conn.quit()  # commits the deletions


def open_mailbox(config: MailboxConfig) -> Mailbox:
    if config.scheme.startswith("imap"):
        return ImapMailbox(config)
    return Pop3Mailbox(config)
