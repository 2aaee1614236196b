"""The connection side of the SMTP backend: connections, their replies and the pool.

``ConnectionPool`` is mixed into ``SmtpBackend``: it opens connections (TLS, AUTH),
lends them out one per caller, checks idle ones with NOOP, and never lets a forked
child use its parent's sockets.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass

from engagex.mail.message import Message


class ConnectError(Exception):
    """The server could not be reached, refused TLS or refused the credentials."""


class Lost(Exception):
    """The connection broke (or the server said 421) in the middle of a transaction."""


@dataclass
class Item:
    """A message ready for the wire."""

    index: int
    message: Message
    sender: str
    recipient: str
    data: bytes  # signed, dot-stuffed, ending with CRLF "." CRLF
    utf8: bool


@dataclass
class Reply:
    code: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300


class Connection:
    def __init__(self, smtp: smtplib.SMTP, now: float) -> None:
        self.smtp = smtp
        self.pid = os.getpid()
        self.last_used = now
        self.sent = 0
        self.pipelining = smtp.has_extn("pipelining")
        self.smtputf8 = smtp.has_extn("smtputf8")
        self.eightbit = smtp.has_extn("8bitmime")

    def reply(self) -> Reply:
        code, text = self.smtp.getreply()
        reply = Reply(code, text.decode("utf-8", "replace"))
        if code == 421:
            # "Service not available, closing transmission channel".
            raise Lost(f"server closing the connection: {code} {reply.text}")
        return reply

    def write(self, data: bytes) -> None:
        self.smtp.send(data)

    def envelope(self, item: Item) -> bytes:
        options = ""
        if item.utf8:
            options = " SMTPUTF8" + (" BODY=8BITMIME" if self.eightbit else "")
        return (
            f"MAIL FROM:<{item.sender}>{options}\r\nRCPT TO:<{item.recipient}>\r\nDATA\r\n"
        ).encode("utf-8" if item.utf8 else "ascii")

    def close(self, polite: bool = True) -> None:
        if polite and self.pid == os.getpid():
            with contextlib.suppress(OSError):  # smtplib's exceptions are OSErrors
                self.smtp.quit()
        # In a forked child this only closes the child's copy of the socket.
        with contextlib.suppress(OSError):
            self.smtp.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ConnectionPool:
    """Up to ``pool_size`` connections to one server, each lent to one caller at a time."""

    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool
    tls_context: ssl.SSLContext
    timeout: float
    pool_size: int
    local_hostname: str | None
    health_check_after: float
    max_idle: float
    max_messages_per_connection: int
    checkout_timeout: float
    clock: Callable[[], float]
    connections_opened: int
    _lock: threading.Lock
    _idle: list[Connection]
    _slots: threading.BoundedSemaphore
    _pid: int

    def _full(self, conn: Connection) -> bool:
        limit = self.max_messages_per_connection
        return bool(limit) and conn.sent >= limit

    def _checkout(self) -> Connection:
        if not self._slots.acquire(timeout=self.checkout_timeout):
            raise ConnectError(
                f"all {self.pool_size} SMTP connections stayed busy for {self.checkout_timeout}s"
            )
        try:
            self._after_fork()
            while True:
                with self._lock:
                    conn = self._idle.pop() if self._idle else None
                if conn is None:
                    return self._open()
                if self._healthy(conn):
                    return conn
                conn.close(polite=False)
        except BaseException:
            self._slots.release()
            raise

    def _checkin(self, conn: Connection) -> None:
        try:
            if conn.pid == os.getpid():
                conn.last_used = self.clock()
                with self._lock:
                    self._idle.append(conn)
        finally:
            self._slots.release()

    def _discard(self, conn: Connection, polite: bool) -> None:
        try:
            conn.close(polite=polite)
        finally:
            self._slots.release()

    def _after_fork(self) -> None:
        if self._pid == os.getpid():
            return
        # The parent's sockets belong to the parent: forget them, never QUIT them.
        with self._lock:
            stale, self._idle = self._idle, []
            self._pid = os.getpid()
        for conn in stale:
            conn.close(polite=False)

    def _healthy(self, conn: Connection) -> bool:
        idle = self.clock() - conn.last_used
        if idle > self.max_idle or self._full(conn):
            conn.close(polite=True)
            return False
        if idle > self.health_check_after:
            try:
                code, _ = conn.smtp.noop()
            except (OSError, smtplib.SMTPException):
                return False
            return code == 250
        return True

    def _open(self) -> Connection:
        where = f"{self.host}:{self.port}"
        try:
            if self.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout,
                    context=self.tls_context,
                )
            else:
                smtp = smtplib.SMTP(
                    self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
                )
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectError(f"cannot connect to SMTP server {where}: {exc}") from exc
        try:
            smtp.ehlo()
            secure = self.implicit_tls
            if self.starttls:
                if not smtp.has_extn("starttls"):
                    raise ConnectError(
                        f"SMTP server {where} does not offer STARTTLS (set SMTP_STARTTLS=0 "
                        "only for a trusted relay)"
                    )
                smtp.starttls(context=self.tls_context)
                smtp.ehlo()
                secure = True
            if self.username:
                if not secure and not _is_loopback(self.host):
                    raise ConnectError(f"refusing to send SMTP credentials to {where} without TLS")
                smtp.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise ConnectError(
                f"SMTP server {where} refused the credentials of {self.username!r}: "
                f"{exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')}"
            ) from exc
        except ConnectError:
            smtp.close()
            raise
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            smtp.close()
            raise ConnectError(f"SMTP session with {where} failed to start: {exc}") from exc
        with self._lock:
            self.connections_opened += 1
        return Connection(smtp, self.clock())
