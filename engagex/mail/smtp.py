"""SMTP delivery over pooled, persistent connections.

One ``SmtpBackend`` per process keeps up to ``pool_size`` authenticated connections
open and reuses them across sends; each ``send`` call takes one connection for its
whole batch, so threads never share a connection (the backend is thread-safe). A
connection idle for a while is checked with NOOP before reuse, one idle too long is
closed, one from before a ``fork`` is never touched by the child, and a connection
the server drops in the middle of a batch is replaced and the batch resumes at the
message whose outcome is unknown (at most that message can arrive twice).

Per message: the envelope uses the IDNA form of both addresses; a non-ASCII local
part is sent with ``SMTPUTF8`` (and ``BODY=8BITMIME``) when the server offers it, and
refused as a permanent failure with that reason when it does not. Replies map to
results: 2xx sent, 5xx permanent, 4xx (and anything else) temporary; a failed
transaction is reset with RSET before the next one. Where the server offers
PIPELINING (RFC 2920) the end of one message and the envelope of the next travel in
one write, so a message costs one round trip instead of four.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engagex.mail import Result, count, sign
from engagex.mail._smtp import ConnectError, Connection, ConnectionPool, Item, Lost, Reply
from engagex.mail.message import (
    AddressError,
    BatchRenderer,
    Message,
    Personalization,
    expand,
    needs_smtputf8,
    render,
    wire_address,
)

log = logging.getLogger(__name__)

_DOT_LINE = re.compile(rb"(?m)^\.")
_TRUE = {"1", "true", "yes", "on"}
#: Connection losses while one message is first in line before that message is given
#: up (as a temporary failure); four times as many end the whole call.
MAX_LOSSES = 3


def _flag(value: object, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


class SmtpBackend(ConnectionPool):
    """Delivery through one SMTP server (a relay or smart host)."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        implicit_tls: bool | None = None,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        pool_size: int = 4,
        local_hostname: str | None = None,
        health_check_after: float = 5.0,
        max_idle: float = 60.0,
        max_messages_per_connection: int = 0,
        checkout_timeout: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``implicit_tls`` defaults to True on port 465 (SMTPS), where ``starttls``
        does not apply. ``max_messages_per_connection`` (0 = no limit) rotates
        connections for servers that cap them."""
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.implicit_tls = port == 465 if implicit_tls is None else implicit_tls
        self.starttls = starttls and not self.implicit_tls
        self.tls_context = tls_context or ssl.create_default_context()
        self.timeout = timeout
        self.pool_size = pool_size
        self.local_hostname = local_hostname
        self.health_check_after = health_check_after
        self.max_idle = max_idle
        self.max_messages_per_connection = max_messages_per_connection
        self.checkout_timeout = checkout_timeout
        self.clock = clock
        #: Connections opened by this process (a figure for tests and benchmarks).
        self.connections_opened = 0
        self._lock = threading.Lock()
        self._idle: list[Connection] = []
        self._slots = threading.BoundedSemaphore(pool_size)
        self._pid = os.getpid()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpBackend:
        """From ``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USERNAME``, ``SMTP_PASSWORD``,
        ``SMTP_STARTTLS`` (default on) and, optionally, ``SMTP_CA_FILE`` (a CA bundle
        for a private relay), ``SMTP_POOL_SIZE`` and ``SMTP_TIMEOUT``."""
        host = config.get("SMTP_HOST")
        if not host:
            raise ValueError("ENGAGEX_MAIL_BACKEND=smtp needs SMTP_HOST")
        ca_file = config.get("SMTP_CA_FILE")
        return cls(
            host,
            int(config.get("SMTP_PORT") or 587),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            starttls=_flag(config.get("SMTP_STARTTLS"), True),
            tls_context=ssl.create_default_context(cafile=ca_file) if ca_file else None,
            pool_size=int(config.get("SMTP_POOL_SIZE") or 4),
            timeout=float(config.get("SMTP_TIMEOUT") or 30),
        )

    # ------------------------------------------------------------------ interface

    def send(self, messages: Sequence[Message]) -> list[Result]:
        return self._send([(m.with_message_id(), None) for m in messages])

    def send_batch(
        self, template: Message, personalizations: Sequence[Personalization]
    ) -> list[Result]:
        """``send`` of the expanded messages, with the bodies encoded once."""
        renderer = BatchRenderer(template, personalizations)
        rendered: list[tuple[Message, bytes | None]] = []
        for p in personalizations:
            try:
                rendered.append(renderer.render(p))
            except AddressError:
                rendered.append((expand(template, p), None))  # _send reports why
        return self._send(rendered)

    def _send(self, messages: Sequence[tuple[Message, bytes | None]]) -> list[Result]:
        results: list[Result | None] = [None] * len(messages)
        queue: deque[Item] = deque()
        for index, (message, raw) in enumerate(messages):
            try:
                queue.append(self._prepare(index, message, raw))
            except AddressError as exc:
                results[index] = _failure(message, str(exc), permanent=True)
        if queue:
            self._deliver(queue, results)
        final = [r for r in results if r is not None]
        assert len(final) == len(messages)
        count(self.name, final)
        return final

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # ------------------------------------------------------------------- delivery

    def _prepare(self, index: int, message: Message, raw: bytes | None = None) -> Item:
        raw = sign(render(message) if raw is None else raw, message)
        if b"\n." in raw or raw.startswith(b"."):
            raw = _DOT_LINE.sub(b"..", raw)
        if not raw.endswith(b"\r\n"):
            raw += b"\r\n"
        return Item(
            index=index,
            message=message,
            sender=wire_address(message.envelope_from or message.from_email),
            recipient=wire_address(message.to_email),
            data=raw + b".\r\n",
            utf8=needs_smtputf8(message),
        )

    def _deliver(self, queue: deque[Item], results: list[Result | None]) -> None:
        conn: Connection | None = None
        losses = 0  # connection losses in this call
        strikes = 0  # losses while the same message was first in line
        try:
            while queue:
                if conn is None:
                    try:
                        conn = self._checkout()
                    except ConnectError as exc:
                        for item in queue:
                            results[item.index] = _failure(item.message, str(exc))
                        return
                    self._refuse_utf8(conn, queue, results)
                    if not queue:
                        break
                first = queue[0]
                try:
                    if conn.pipelining:
                        self._pipelined(conn, queue, results)
                    else:
                        self._classic(conn, queue, results)
                except (Lost, OSError) as exc:
                    # OSError covers resets, timeouts and smtplib's own exceptions.
                    log.info("SMTP connection to %s lost: %s", self.host, exc)
                    self._discard(conn, polite=False)
                    conn = None
                    losses += 1
                    strikes = strikes + 1 if queue and queue[0] is first else 1
                    error = f"SMTP connection to {self.host} lost: {exc}"
                    if losses > MAX_LOSSES * 4:
                        for item in queue:
                            results[item.index] = _failure(item.message, error)
                        return
                    if strikes >= MAX_LOSSES:
                        # This message keeps breaking the connection: give up on it
                        # (temporarily) rather than on the whole batch.
                        item = queue.popleft()
                        results[item.index] = _failure(item.message, error)
                        strikes = 0
                    continue
                if queue:  # stopped early: the connection reached its message limit
                    self._discard(conn, polite=True)
                    conn = None
        finally:
            if conn is not None:
                self._checkin(conn)

    def _refuse_utf8(
        self, conn: Connection, queue: deque[Item], results: list[Result | None]
    ) -> None:
        if conn.smtputf8 or not any(item.utf8 for item in queue):
            return
        for item in [item for item in queue if item.utf8]:
            queue.remove(item)
            results[item.index] = _failure(
                item.message,
                f"{item.message.to_email!r} has a non-ASCII local part, which needs "
                f"SMTPUTF8, and {self.host} does not offer it",
                permanent=True,
            )

    def _classic(self, conn: Connection, queue: deque[Item], results: list[Result | None]) -> None:
        """One command, one reply: MAIL, RCPT, DATA, the data, per message."""
        while queue and not self._full(conn):
            item = queue[0]
            lines = conn.envelope(item).split(b"\r\n")
            outcome: tuple[str, Reply] | None = None
            for stage, line in zip(("MAIL FROM", "RCPT TO", "DATA"), lines, strict=False):
                conn.write(line + b"\r\n")
                reply = conn.reply()
                if not (reply.ok or (stage == "DATA" and reply.code == 354)):
                    outcome = (stage, reply)
                    break
            if outcome is None:
                conn.write(item.data)
                outcome = ("end of data", conn.reply())
            else:
                self._rset(conn)
            results[item.index] = _from_reply(item.message, *outcome)
            queue.popleft()
            conn.sent += 1
            conn.last_used = self.clock()

    def _pipelined(
        self, conn: Connection, queue: deque[Item], results: list[Result | None]
    ) -> None:
        """RFC 2920: the data of one message and the envelope of the next share a
        write; replies are read in order."""
        conn.write(conn.envelope(queue[0]))
        while queue:
            item = queue[0]
            replies = [conn.reply(), conn.reply(), conn.reply()]  # MAIL, RCPT, DATA
            mail, rcpt, data = replies
            chained = None
            if data.code == 354:
                following = queue[1] if len(queue) > 1 else None
                chain = following is not None and not self._full_after_one(conn)
                if mail.ok and rcpt.ok:
                    conn.write(item.data + (conn.envelope(following) if chain else b""))
                    outcome: tuple[str, Reply] = ("end of data", conn.reply())
                    chained = following if chain else None
                else:
                    # A server that opens DATA without a recipient: end it empty.
                    conn.write(b".\r\n")
                    conn.reply()
                    self._rset(conn)
                    outcome = ("RCPT TO", rcpt) if mail.ok else ("MAIL FROM", mail)
            else:
                stages = zip(("MAIL FROM", "RCPT TO", "DATA"), replies, strict=True)
                outcome = next(((s, r) for s, r in stages if not r.ok), ("DATA", data))
                if mail.ok:
                    self._rset(conn)
            results[item.index] = _from_reply(item.message, *outcome)
            queue.popleft()
            conn.sent += 1
            conn.last_used = self.clock()
            if not queue or self._full(conn):
                return
            if chained is None:
                conn.write(conn.envelope(queue[0]))

    def _full_after_one(self, conn: Connection) -> bool:
        limit = self.max_messages_per_connection
        return bool(limit) and conn.sent + 1 >= limit

    @staticmethod
    def _rset(conn: Connection) -> None:
        conn.write(b"RSET\r\n")
        reply = conn.reply()
        if not reply.ok:
            raise Lost(f"RSET refused: {reply.code} {reply.text}")


def _failure(
    message: Message, error: str, permanent: bool = False, code: int | None = None
) -> Result:
    return Result(
        message.message_id, message.to_email, ok=False, permanent=permanent, error=error, code=code
    )


def _from_reply(message: Message, stage: str, reply: Reply) -> Result:
    if reply.ok:
        return Result(
            message.message_id,
            message.to_email,
            ok=True,
            provider_id=reply.text[:200],
            code=reply.code,
        )
    return _failure(
        message,
        f"{stage}: {reply.code} {reply.text}"[:500],
        permanent=500 <= reply.code < 600,
        code=reply.code,
    )
