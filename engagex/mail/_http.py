"""Keep-alive transport for the official SendGrid library.

``python_http_client`` (under ``sendgrid``) builds a new urllib opener for every call,
so every request pays a TCP and TLS handshake. Its ``Client._make_request`` is the
documented seam for replacing the transport; this subclass sends the same request
over a persistent ``http.client`` connection per thread and keeps the library's
response and exception types, so ``SendGridAPIClient`` works unchanged on top.
"""

from __future__ import annotations

import http.client
import io
import os
import threading
import urllib.error
import urllib.request
from email.message import Message as HeaderMap
from typing import Any
from urllib.parse import urlsplit

import python_http_client
from python_http_client.exceptions import handle_error


class Connections:
    """One persistent HTTP(S) connection per thread (and per process) to ``base_url``."""

    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"invalid API host {base_url!r}")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.timeout = timeout
        self._local = threading.local()
        self._pid = os.getpid()
        self._lock = threading.Lock()
        #: Connections opened by this process (a figure for tests and benchmarks).
        self.opened = 0

    def get(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection and whether it was used before."""
        if self._pid != os.getpid():
            # After fork the parent's sockets are not ours to use.
            self._local = threading.local()
            self._pid = os.getpid()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=self.timeout)
        self._local.conn = conn
        with self._lock:
            self.opened += 1
        return conn, False

    def drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()


class _Response:
    """What ``python_http_client.Response`` reads from a urllib response."""

    def __init__(self, status: int, body: bytes, headers: HeaderMap) -> None:
        self._status, self._body, self._headers = status, body, headers

    def getcode(self) -> int:
        return self._status

    def read(self) -> bytes:
        return self._body

    def info(self) -> HeaderMap:
        return self._headers


class KeepAliveClient(python_http_client.Client):
    """``python_http_client.Client`` over ``Connections`` instead of a fresh opener."""

    def __init__(self, *args: Any, connections: Connections, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections = connections

    def _build_client(self, name: str | None = None) -> KeepAliveClient:
        url_path = [*self._url_path, name] if name else self._url_path
        return KeepAliveClient(
            host=self.host,
            version=self._version,
            request_headers=self.request_headers,
            url_path=url_path,
            append_slash=self.append_slash,
            timeout=self.timeout,
            connections=self.connections,
        )

    def _make_request(
        self,
        opener: urllib.request.OpenerDirector,
        request: urllib.request.Request,
        timeout: float | None = None,
    ) -> _Response:
        url = urlsplit(request.full_url)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = dict(request.header_items())
        method = request.get_method()
        for attempt in (1, 2):
            conn, reused = self.connections.get()
            if timeout is not None:
                conn.timeout = timeout
            try:
                conn.request(method, path, body=request.data, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connections.drop()
                # The server closed an idle keep-alive connection before reading the
                # request: send it again on a fresh one, once.
                if reused and attempt == 1:
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self.connections.drop()
                raise
            break
        if response.will_close:
            self.connections.drop()
        if response.status >= 400:
            error = urllib.error.HTTPError(
                request.full_url,
                response.status,
                response.reason,
                response.headers,
                io.BytesIO(body),
            )
            raise handle_error(error)
        return _Response(response.status, body, response.headers)
