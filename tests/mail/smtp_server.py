"""A real SMTP server (aiosmtpd) on loopback for the mail tests and the benchmark.

``SmtpServer`` records every accepted message with its envelope, counts TCP
connections on the server side, and can be told to refuse recipients (``rules``),
to drop the connection at a given MAIL command (``drop_at_mail``), to close every open
connection (``drop_all``), and to advertise PIPELINING (aiosmtpd handles pipelined
commands in order but does not say so by itself).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    mail_options: list[str]


@dataclass
class Handler:
    pipelining: bool = False
    #: RCPT address -> reply, e.g. "550 5.1.1 no such user".
    rules: dict[str, str] = field(default_factory=dict)
    #: Close the connection instead of answering the n-th MAIL command (1-based).
    drop_at_mail: set[int] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    mail_commands: int = 0
    sessions: list[SMTP] = field(default_factory=list)

    async def handle_EHLO(
        self, server: SMTP, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_MAIL(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.mail_commands += 1
        if self.mail_commands in self.drop_at_mail:
            server.transport.close()
            return "421 4.3.2 going away"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        rule = self.rules.get(address)
        if rule:
            return rule
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or envelope.content,
                list(envelope.mail_options),
            )
        )
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"


def _authenticator(users: dict[str, str]) -> Any:
    def check(
        server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            ok = users.get(auth_data.login.decode()) == auth_data.password.decode()
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    return check


class _CountingController(Controller):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections = 0
        self._count_lock = threading.Lock()

    def factory(self) -> SMTP:
        with self._count_lock:
            self.connections += 1
        server = super().factory()
        self.handler.sessions.append(server)
        return server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """``with SmtpServer(...) as server: ... server.port ... server.received``."""

    def __init__(
        self,
        *,
        pipelining: bool = False,
        tls_context: ssl.SSLContext | None = None,
        users: dict[str, str] | None = None,
        smtputf8: bool = True,
    ) -> None:
        self.handler = Handler(pipelining=pipelining)
        self.host = "127.0.0.1"
        self.port = free_port()
        kwargs: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if users is not None:
            kwargs.update(
                auth_required=True,
                auth_require_tls=tls_context is not None,
                authenticator=_authenticator(users),
            )
        self.controller = _CountingController(
            self.handler, hostname=self.host, port=self.port, **kwargs
        )
        self._baseline = 0

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def connections(self) -> int:
        """Client connections opened (not counting the controller's own start-up probe)."""
        return self.controller.connections - self._baseline

    def drop_all(self) -> None:
        """Close every open connection, as a server's idle timeout would; returns once
        the sockets are closed."""

        async def close_all() -> None:
            for server in list(self.handler.sessions):
                if server.transport is not None:
                    server.transport.close()
            # The sockets close in callbacks the loop runs on its next iterations.
            for _ in range(3):
                await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(close_all(), self.controller.loop).result(timeout=10)

    def start(self) -> SmtpServer:
        self.controller.start()
        self._baseline = self.controller.connections
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
