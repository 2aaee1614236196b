"""Delivery through SendGrid's v3 ``/v3/mail/send`` with the official library.

Requests: messages with the same sender, subject and body travel together as
personalizations of one request (up to 1000), and ``send_batch`` sends one template
with per-recipient substitutions the same way; anything else is one request per
message. Requests run on up to ``concurrency`` threads, each over its own keep-alive
connection (``engagex.mail._http``). Each personalization carries the recipient's
Message-ID and headers, and ``custom_args`` built from ``Message.metadata`` (the
organization, campaign and recipient ids the event webhook correlates on); a value
that looks like an address is dropped, never sent.

Outcomes: 202 is sent (``provider_id`` = ``X-Message-Id``); 429 and 5xx (and network
errors) are retried with backoff that honours ``Retry-After`` and
``X-RateLimit-Reset``, within ``max_attempts`` and ``max_retry_time``, then reported as
temporary failures with ``retry_after``; a 400 whose errors name personalizations
fails those recipients permanently and resends the rest; any other 4xx fails the
request's messages permanently, except 401 (a wrong API key is fixed by an operator,
so it is temporary). SendGrid has no SMTPUTF8: a non-ASCII local part is refused.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
import sendgrid
from python_http_client.exceptions import HTTPError

from engagex.mail import Result, count
from engagex.mail._http import Connections, KeepAliveClient
from engagex.mail.message import (
    RESERVED_HEADERS,
    AddressError,
    Message,
    Personalization,
    expand,
    is_utf8_address,
    make_message_id,
    substitute,
    wire_address,
)

log = logging.getLogger(__name__)

MAX_PERSONALIZATIONS = 1000
#: SendGrid's limit on the substitutions of one personalization (bytes).
MAX_SUBSTITUTION_BYTES = 10_000
_FIELD_INDEX = re.compile(r"^personalizations\.(\d+)\b")
# EngageX tracks opens, clicks and unsubscribes itself (section 4 of the
# architecture); SendGrid's own tracking would rewrite those links.
_TRACKING_OFF = {
    "click_tracking": {"enable": False, "enable_text": False},
    "open_tracking": {"enable": False},
    "subscription_tracking": {"enable": False},
}


@dataclass
class _Entry:
    """One recipient inside a request."""

    index: int
    message_id: str
    to_email: str
    personalization: dict[str, Any]


@dataclass
class _Request:
    common: dict[str, Any]  # everything but the personalizations
    entries: list[_Entry]

    def body(self) -> dict[str, Any]:
        return {**self.common, "personalizations": [e.personalization for e in self.entries]}


_warned: set[str] = set()


def custom_args(metadata: Mapping[str, object]) -> dict[str, str]:
    """``metadata`` as SendGrid ``custom_args``: string values, no email addresses."""
    args = {}
    for key, value in metadata.items():
        key, text = str(key), "" if value is None else str(value)
        if "@" in key or "@" in text:
            if key not in _warned:  # once per key and process, not once per recipient
                _warned.add(key)
                log.warning("custom arg %r dropped: it looks like an email address", key)
            continue
        args[key] = text
    return args


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if name.lower() in RESERVED_HEADERS:
            raise AddressError(f"header {name!r} cannot be set by the caller")
        if "\r" in value or "\n" in value:
            raise AddressError(f"header {name} contains a line break")
    return dict(headers)


def _recipient(email: str, name: str | None) -> dict[str, str]:
    if is_utf8_address(email):
        raise AddressError(
            f"{email!r} has a non-ASCII local part, which needs SMTPUTF8; SendGrid does not "
            "accept it"
        )
    recipient = {"email": wire_address(email)}
    if name:
        recipient["name"] = name.replace("\r", " ").replace("\n", " ")
    return recipient


def _common(message: Message) -> dict[str, Any]:
    """The request fields shared by every recipient of ``message``'s content."""
    if not message.text and not message.html:
        raise AddressError("the message has neither a text nor an HTML body")
    content = []
    if message.text:  # SendGrid requires text/plain before text/html
        content.append({"type": "text/plain", "value": message.text})
    if message.html:
        content.append({"type": "text/html", "value": message.html})
    common: dict[str, Any] = {
        "from": _recipient(message.from_email, message.from_name),
        "subject": message.subject or " ",
        "content": content,
        "categories": [message.category[:255]] if message.category else [],
        "tracking_settings": _TRACKING_OFF,
    }
    if message.reply_to:
        common["reply_to"] = _recipient(message.reply_to, None)
    if not common["categories"]:
        del common["categories"]
    return common


def _entry(
    index: int,
    message_id: str,
    to_email: str,
    to_name: str | None,
    subject: str,
    headers: Mapping[str, str],
    metadata: Mapping[str, object],
) -> _Entry:
    personalization: dict[str, Any] = {
        "to": [_recipient(to_email, to_name)],
        # The subject is already substituted: it does not depend on SendGrid doing so.
        "subject": subject or " ",
        "headers": {**_headers(headers), "Message-ID": message_id},
    }
    args = custom_args(metadata)
    if args:
        personalization["custom_args"] = args
    return _Entry(index, message_id, to_email, personalization)


def _content_key(message: Message) -> tuple[object, ...]:
    return (
        message.from_email,
        message.from_name,
        message.reply_to,
        message.subject,
        message.text,
        message.html,
        message.category,
    )


class SendGridBackend:
    """SendGrid v3 Mail Send; thread-safe, one instance per process."""

    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        host: str = "https://api.sendgrid.com",
        *,
        concurrency: int = 4,
        timeout: float = 30.0,
        max_attempts: int = 6,
        max_wait: float = 60.0,
        max_retry_time: float = 180.0,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``max_attempts`` bounds the tries of one request, ``max_wait`` one pause and
        ``max_retry_time`` the pauses of one request altogether. ``sleep`` and
        ``clock`` (epoch seconds, as in ``X-RateLimit-Reset``) are injectable."""
        self.host = host.rstrip("/")
        self.concurrency = max(1, concurrency)
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.max_retry_time = max_retry_time
        self.backoff = backoff
        self.sleep = sleep
        self.clock = clock
        self.connections = Connections(self.host, timeout)
        self.api = sendgrid.SendGridAPIClient(api_key=api_key, host=self.host)
        # The library's transport opens a connection per request; keep them alive.
        self.api.client = KeepAliveClient(
            host=self.host,
            # Bodies are serialized here with orjson (a 1,000-recipient request in 2.6 ms
            # instead of json's 18 ms); the library sends a body as given only when the
            # Content-Type is not its literal "application/json", and the charset
            # parameter names the same type.
            request_headers={
                **self.api._default_headers,
                "Content-Type": "application/json; charset=utf-8",
            },
            version=3,
            timeout=timeout,
            connections=self.connections,
        )
        #: HTTP requests made, retries included (a figure for tests and benchmarks).
        self.requests_made = 0
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SendGridBackend:
        """From ``SENDGRID_API_KEY`` and ``SENDGRID_API_HOST`` (the fake in tests) and,
        optionally, ``SENDGRID_CONCURRENCY`` (parallel requests, default 4)."""
        api_key = config.get("SENDGRID_API_KEY")
        if not api_key:
            raise ValueError("ENGAGEX_MAIL_BACKEND=sendgrid needs SENDGRID_API_KEY")
        return cls(
            api_key,
            config.get("SENDGRID_API_HOST") or "https://api.sendgrid.com",
            concurrency=int(config.get("SENDGRID_CONCURRENCY") or 4),
        )

    # ------------------------------------------------------------------ interface

    def send(self, messages: Sequence[Message]) -> list[Result]:
        results: list[Result | None] = [None] * len(messages)
        requests = self._group(enumerate(messages), results)
        return self._finish(requests, results)

    def send_batch(
        self, template: Message, personalizations: Sequence[Personalization]
    ) -> list[Result]:
        """One template, up to 1000 recipients per request, substitutions server-side.

        The template's headers and metadata (e.g. organization and campaign ids) are
        sent once per request; each personalization adds its own (e.g. the recipient
        id, its List-Unsubscribe URL). A recipient whose substitutions exceed
        SendGrid's 10,000 bytes is sent as its own expanded message.
        """
        results: list[Result | None] = [None] * len(personalizations)
        try:
            common = _common(template)
            common["headers"] = _headers(template.headers)
            if template.metadata:
                common["custom_args"] = custom_args(template.metadata)
        except AddressError as exc:
            for index, p in enumerate(personalizations):
                results[index] = _failed(p.message_id, p.to_email, f"template: {exc}", True)
            return self._finish([], results)
        requests: list[_Request] = []
        oversized: list[tuple[int, Message]] = []
        for index, p in enumerate(personalizations):
            size = sum(len(k.encode()) + len(v.encode()) for k, v in p.substitutions.items())
            if size > MAX_SUBSTITUTION_BYTES:
                oversized.append((index, expand(template, p)))
                continue
            message_id = p.message_id or make_message_id(template.from_email)
            subject = substitute(template.subject, p.substitutions)
            try:
                entry = _entry(
                    index, message_id, p.to_email, p.to_name, subject, p.headers, p.metadata
                )
            except AddressError as exc:
                results[index] = _failed(message_id, p.to_email, str(exc), True)
                continue
            if p.substitutions:
                entry.personalization["substitutions"] = dict(p.substitutions)
            if not requests or len(requests[-1].entries) >= MAX_PERSONALIZATIONS:
                requests.append(_Request(common, []))
            requests[-1].entries.append(entry)
        requests += self._group(oversized, results)
        return self._finish(requests, results)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        self.connections.drop()

    # ------------------------------------------------------------------- requests

    @staticmethod
    def _group(
        messages: Iterable[tuple[int, Message]], results: list[Result | None]
    ) -> list[_Request]:
        """Requests for ``messages``: same content, same request (up to the limit)."""
        groups: dict[tuple[object, ...], _Request] = {}
        requests: list[_Request] = []
        for index, message in messages:
            message = message.with_message_id()
            try:
                entry = _entry(
                    index,
                    message.message_id,
                    message.to_email,
                    message.to_name,
                    message.subject,
                    message.headers,
                    message.metadata,
                )
                key = _content_key(message)
                request = groups.get(key)
                if request is None or len(request.entries) >= MAX_PERSONALIZATIONS:
                    request = groups[key] = _Request(_common(message), [])
                    requests.append(request)
            except AddressError as exc:
                results[index] = _failed(message.message_id, message.to_email, str(exc), True)
                continue
            request.entries.append(entry)
        return requests

    def _finish(self, requests: list[_Request], results: list[Result | None]) -> list[Result]:
        if len(requests) <= 1 or self.concurrency == 1:
            outcomes = [self._post(request) for request in requests]
        else:
            outcomes = list(self._pool().map(self._post, requests))
        for outcome in outcomes:
            for index, result in outcome:
                results[index] = result
        final = [r for r in results if r is not None]
        assert len(final) == len(results)
        count(self.name, final)
        return final

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None or self._executor_pid != os.getpid():
                # A pool inherited through fork has no threads behind it.
                self._executor = ThreadPoolExecutor(self.concurrency, "sendgrid")
                self._executor_pid = os.getpid()
            return self._executor

    def _post(self, request: _Request) -> list[tuple[int, Result]]:
        """Send one request until it is settled; results for all its entries."""
        done: list[tuple[int, Result]] = []
        attempts = 0
        waited = 0.0
        while request.entries:
            attempts += 1
            with self._lock:
                self.requests_made += 1
            try:
                body = orjson.dumps(request.body()).decode()
                response = self.api.client.mail.send.post(request_body=body)
            except HTTPError as exc:
                status = exc.status_code
                if status == 429 or status >= 500:
                    error = f"SendGrid answered {status}: {_error_text(exc)}"
                    wait = self._wait(exc.headers, attempts)
                elif status == 400 and self._drop_rejected(request, exc, done):
                    attempts -= 1  # the rest of the request was not tried yet
                    continue
                elif status == 401:
                    return done + _all(request, "SendGrid rejected the API key (401)", False, 401)
                else:
                    error = f"SendGrid refused the message ({status}): {_error_text(exc)}"
                    return done + _all(request, error, True, status)
            except (OSError, http.client.HTTPException) as exc:
                status, error = None, f"cannot reach SendGrid at {self.host}: {exc}"
                wait = self._wait(None, attempts)
            else:
                provider_id = response.headers.get("X-Message-Id")
                return done + [
                    (
                        e.index,
                        Result(
                            e.message_id,
                            e.to_email,
                            ok=True,
                            provider_id=provider_id,
                            code=response.status_code,
                        ),
                    )
                    for e in request.entries
                ]
            if attempts >= self.max_attempts or waited + wait > self.max_retry_time:
                return done + _all(request, error, False, status, retry_after=wait)
            log.info("SendGrid: %s; retrying in %.1fs", error, wait)
            self.sleep(wait)
            waited += wait
        return done

    def _wait(self, headers: Any, attempts: int) -> float:
        """Seconds to wait: the provider's word when given, else exponential backoff."""
        wait: float | None = None
        if headers is not None:
            retry_after = headers.get("Retry-After")
            reset = headers.get("X-RateLimit-Reset")
            if retry_after:
                try:
                    wait = float(retry_after)
                except ValueError:
                    try:
                        wait = parsedate_to_datetime(retry_after).timestamp() - self.clock()
                    except (TypeError, ValueError):
                        wait = None
            elif reset:
                try:
                    wait = float(reset) - self.clock()
                except ValueError:
                    wait = None
        if wait is None or wait <= 0:
            # Full jitter keeps many workers from retrying in step.
            wait = self.backoff * 2 ** (attempts - 1) * (0.5 + random.random() / 2)  # noqa: S311
        return min(wait, self.max_wait)

    @staticmethod
    def _drop_rejected(request: _Request, exc: HTTPError, done: list[tuple[int, Result]]) -> bool:
        """For a 400 naming personalizations: fail those, keep the rest to resend."""
        try:
            errors = json.loads(exc.body or b"{}").get("errors") or []
        except (ValueError, AttributeError):
            return False
        rejected: dict[int, str] = {}
        for error in errors:
            match = _FIELD_INDEX.match(str(error.get("field") or ""))
            if match is None or int(match.group(1)) >= len(request.entries):
                return False  # an error about the request as a whole
            position = int(match.group(1))
            text = f"{error.get('field')}: {error.get('message')}"
            rejected[position] = f"{rejected[position]}; {text}" if position in rejected else text
        if not rejected:
            return False
        for position in sorted(rejected, reverse=True):
            entry = request.entries.pop(position)
            done.append(
                (
                    entry.index,
                    _failed(
                        entry.message_id,
                        entry.to_email,
                        f"SendGrid refused: {rejected[position]}",
                        True,
                        400,
                    ),
                )
            )
        return True


def _error_text(exc: HTTPError) -> str:
    try:
        errors = json.loads(exc.body or b"{}").get("errors") or []
        text = "; ".join(
            f"{e.get('field')}: {e.get('message')}" if e.get("field") else str(e.get("message"))
            for e in errors
        )
    except (ValueError, AttributeError):
        text = ""
    if not text:
        raw = (
            exc.body.decode("utf-8", "replace")
            if isinstance(exc.body, bytes)
            else str(exc.body or "")
        )
        text = raw.strip()[:300] or str(exc.reason)
    return text[:500]


def _failed(
    message_id: str, to_email: str, error: str, permanent: bool, code: int | None = None
) -> Result:
    return Result(message_id, to_email, ok=False, permanent=permanent, error=error, code=code)


def _all(
    request: _Request,
    error: str,
    permanent: bool,
    code: int | None,
    retry_after: float | None = None,
) -> list[tuple[int, Result]]:
    return [
        (
            e.index,
            Result(
                e.message_id,
                e.to_email,
                ok=False,
                permanent=permanent,
                error=error,
                code=code,
                retry_after=retry_after,
            ),
        )
        for e in request.entries
    ]
