"""An SSRF-safe HTTP POST for outgoing webhooks.

An organization chooses the URL, so a delivery must not become a way into the
platform's own network. The host is resolved once, every address it resolves to must be
public (not loopback, private, link-local, CGNAT, multicast, reserved or unspecified,
IPv4-mapped IPv6 unwrapped first), and the connection is made to that checked address
(the ``Host`` header and TLS name stay the host's): a DNS answer that changes between
the check and the connection (rebinding) cannot redirect it. Redirects are not
followed. Only ``https`` is accepted.

``ENGAGEX_WEBHOOKS_ALLOW_PRIVATE=1`` (development and tests only) lifts the address
rule and allows ``http``.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL = 2000
MAX_RESPONSE = 1000


class UnsafeTarget(ValueError):
    """The URL is not an acceptable webhook target (the message says why)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Answer:
    status: int | None
    body: str
    duration_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def parse(url: str, *, allow_private: bool) -> Target:
    """Check a URL's shape (at registration and before each delivery)."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise UnsafeTarget(f"the URL must have 1 to {MAX_URL} characters")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise UnsafeTarget("the URL contains whitespace or control characters")
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeTarget("webhook URLs must use https")
    if parts.username or parts.password:
        raise UnsafeTarget("credentials in the URL are not allowed; check the signature instead")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("the URL's port is not valid") from exc
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeTarget("the URL has no host")
    if parts.fragment:
        raise UnsafeTarget("the URL must not have a fragment")
    if not allow_private:
        if host.lower() == "localhost" or host.lower().endswith(
            (".localhost", ".internal", ".local")
        ):
            raise UnsafeTarget("webhooks cannot target local or internal hosts")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and not is_public(literal):
            raise UnsafeTarget("webhooks cannot target private or reserved addresses")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            address = mapped
    return address.is_global and not address.is_multicast and not address.is_reserved


def resolve(target: Target, *, allow_private: bool) -> str:
    """One address of the host, all of whose addresses are public."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeTarget(f"cannot resolve {target.host}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UnsafeTarget(f"{target.host} has no address")
    if not allow_private:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise UnsafeTarget(f"{target.host} resolves to a non-public address ({address})")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._context = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_private: bool,
    ssl_context: ssl.SSLContext | None = None,
) -> Answer:
    """POST ``body``; never raises for network trouble (the answer carries the error)."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        target = parse(url, allow_private=allow_private)
        address = resolve(target, allow_private=allow_private)
    except UnsafeTarget as exc:
        return Answer(None, "", elapsed(), str(exc))
    if target.scheme == "https":
        conn: http.client.HTTPConnection = _PinnedHTTPS(
            target.host, target.port, address, timeout, ssl_context or ssl.create_default_context()
        )
    else:
        conn = _PinnedHTTP(target.host, target.port, address, timeout)
    try:
        conn.request(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": "EngageX-Webhooks/1",
                "Connection": "close",
            },
        )
        response = conn.getresponse()
        text = response.read(MAX_RESPONSE).decode("utf-8", "replace")
        return Answer(response.status, text, elapsed())
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return Answer(None, "", elapsed(), f"{type(exc).__name__}: {exc}"[:500])
    finally:
        conn.close()
