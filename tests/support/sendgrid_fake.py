"""An in-repo HTTP fake of SendGrid's v3 ``POST /v3/mail/send``.

It validates requests the way the real API documents them and answers like it: 401
without the right ``Authorization: Bearer`` key, 400 with ``{"errors": [{"message",
"field", "help"}]}`` naming the offending field (``personalizations.3.to.0.email``),
413 above 30 MB, and 202 with an empty body and an ``X-Message-Id`` header. Checked:
at most 1000 personalizations and 1000 recipients per request, unique addresses per
personalization, ``from`` required, ``subject`` required unless every personalization
has one, ``content`` non-empty with ``text/plain`` before ``text/html``, string values
in ``headers``/``custom_args``/``substitutions``, reserved headers refused, the 10,000
bytes limits of substitutions and custom args, at most 10 categories.

Tests script failures: ``fake.script(Reply.rate_limited(reset=...), Reply(503))``
answers the next requests with those replies (429 carries ``X-RateLimit-Reset``), and
``fake.reject[address] = "reason"`` makes any request naming that address a 400 for
that field, as the real API does for an address it considers invalid.

What was accepted is kept per recipient in ``fake.deliveries`` (substitutions applied,
custom args merged). ``connections`` counts TCP connections (keep-alive is HTTP/1.1).
Run it alone (for a benchmark) with ``python -m tests.support.sendgrid_fake --port N``.
"""

from __future__ import annotations

import argparse
import base64
import functools
import itertools
import json
import os
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

MAX_BODY = 30 * 1024 * 1024
MAX_PERSONALIZATIONS = 1000
MAX_RECIPIENTS = 1000
MAX_ARGS_BYTES = 10_000
RESERVED = {
    "x-sg-id",
    "x-sg-eid",
    "received",
    "dkim-signature",
    "content-type",
    "content-transfer-encoding",
    "to",
    "from",
    "subject",
    "reply-to",
    "cc",
    "bcc",
}
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"


@dataclass
class Reply:
    """A scripted answer."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None

    @classmethod
    def rate_limited(cls, reset: float, limit: int = 600) -> Reply:
        """429 with the rate-limit headers; ``reset`` is the epoch second it lifts."""
        return cls(
            429,
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(int(reset)),
            },
            {"errors": [{"field": None, "message": "too many requests"}]},
        )


@dataclass
class Attempt:
    """Every request the fake saw, accepted or not."""

    status: int
    personalizations: int
    authorization: str | None


class _Errors(list):
    def add(self, field_name: str | None, message: str) -> None:
        self.append({"message": message, "field": field_name, "help": HELP})


def _strings(value: Any, where: str, errors: _Errors) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.add(where, f"The {where.rsplit('.', 1)[-1]} parameter must be an object.")
        return {}
    if set(map(type, value.values())) - {str}:  # checked whole first: the fake is benchmarked
        for key, item in value.items():
            if not isinstance(item, str):
                errors.add(f"{where}.{key}", "Values must be strings.")
    return value


def _size(mapping: dict[str, Any]) -> int:
    return len("".join(map(str, itertools.chain.from_iterable(mapping.items()))).encode())


def _check_headers(value: Any, where: str, errors: _Errors) -> None:
    for name in _strings(value, where, errors):
        if name.lower() in RESERVED:
            errors.add(f"{where}.{name}", f"The header {name} is reserved and cannot be set.")


def _check_address(value: Any, where: str, errors: _Errors, required: bool = True) -> str | None:
    if value is None:
        if required:
            errors.add(where, "The email parameter is required.")
        return None
    if not isinstance(value, dict) or not isinstance(value.get("email"), str):
        errors.add(f"{where}.email", "The email parameter is required.")
        return None
    email = value["email"]
    if not _EMAIL.match(email):
        errors.add(f"{where}.email", "Does not contain a valid address.")
    if "name" in value and not isinstance(value["name"], str):
        errors.add(f"{where}.name", "The name must be a string.")
    return email.lower()


def validate(body: Any, reject: dict[str, str]) -> _Errors:
    """The errors SendGrid would report for ``body`` (empty when it is acceptable)."""
    errors = _Errors()
    if not isinstance(body, dict):
        errors.add(None, "Bad Request")
        return errors
    template = body.get("template_id")
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        errors.add(
            "personalizations",
            "The personalizations field is required and must have at least one personalization.",
        )
        personalizations = []
    if len(personalizations) > MAX_PERSONALIZATIONS:
        errors.add("personalizations", "The personalizations field is limited to 1000 items.")
    top_args = _strings(body.get("custom_args"), "custom_args", errors)
    recipients = 0
    for i, p in enumerate(personalizations):
        where = f"personalizations.{i}"
        if not isinstance(p, dict):
            errors.add(where, "Each personalization must be an object.")
            continue
        to = p.get("to")
        if not isinstance(to, list) or not to:
            errors.add(
                f"{where}.to",
                "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
            )
            to = []
        seen: set[str] = set()
        for kind in ("to", "cc", "bcc"):
            addresses = p.get(kind) or []
            if not isinstance(addresses, list):
                errors.add(f"{where}.{kind}", f"The {kind} field must be an array.")
                continue
            for j, address in enumerate(addresses):
                email = _check_address(address, f"{where}.{kind}.{j}", errors)
                recipients += 1
                if email is None:
                    continue
                if email in seen:
                    errors.add(
                        f"{where}.{kind}.{j}.email",
                        f"Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [{email}] in the personalizations.{i}.{kind} field.",
                    )
                seen.add(email)
                if email in reject:
                    errors.add(f"{where}.{kind}.{j}.email", reject[email])
        if "subject" in p and not isinstance(p["subject"], str):
            errors.add(f"{where}.subject", "The subject must be a string.")
        _check_headers(p.get("headers"), f"{where}.headers", errors)
        subs = _strings(p.get("substitutions"), f"{where}.substitutions", errors)
        if _size(subs) > MAX_ARGS_BYTES:
            errors.add(
                f"{where}.substitutions",
                "The substitutions for a personalization may not exceed 10000 bytes.",
            )
        args = _strings(p.get("custom_args"), f"{where}.custom_args", errors)
        if _size({**top_args, **args}) > MAX_ARGS_BYTES:
            errors.add(f"{where}.custom_args", "The custom arguments may not exceed 10000 bytes.")
        if "dynamic_template_data" in p and not template:
            errors.add(
                f"{where}.dynamic_template_data", "dynamic_template_data requires a template_id."
            )
    if recipients > MAX_RECIPIENTS:
        errors.add("personalizations", "The total number of recipients must be less than 1000.")
    _check_address(body.get("from"), "from", errors)
    if "reply_to" in body:
        _check_address(body.get("reply_to"), "reply_to", errors)
    subject = body.get("subject")
    every_has_subject = personalizations and all(
        isinstance(p, dict) and isinstance(p.get("subject"), str) and p["subject"]
        for p in personalizations
    )
    if not template and not every_has_subject and (not isinstance(subject, str) or not subject):
        errors.add(
            "subject",
            "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
        )
    content = body.get("content")
    if not template:
        if not isinstance(content, list) or not content:
            errors.add(
                "content",
                "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.",
            )
            content = []
        types = []
        for k, block in enumerate(content):
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                errors.add(f"content.{k}.type", "The content type is required.")
                continue
            if not isinstance(block.get("value"), str) or not block["value"]:
                errors.add(
                    f"content.{k}.value",
                    "The content value must be a string at least one character in length.",
                )
            types.append(block["type"])
        if "text/plain" in types and types.index("text/plain") != 0:
            errors.add(
                "content.0.type",
                "The text/plain content type must be first, followed by text/html, then any other content.",
            )
        if "text/html" in types and types[: types.index("text/html")] not in ([], ["text/plain"]):
            errors.add("content", "The text/html content type must come right after text/plain.")
    _check_headers(body.get("headers"), "headers", errors)
    categories = body.get("categories")
    if categories is not None:
        if not isinstance(categories, list) or len(categories) > 10:
            errors.add("categories", "You may not have more than 10 categories per request.")
        elif any(not isinstance(c, str) or len(c) > 255 for c in categories):
            errors.add("categories", "A category cannot exceed 255 characters.")
        elif len(set(categories)) != len(categories):
            errors.add("categories", "The categories must be unique.")
    for name in ("mail_settings", "tracking_settings"):
        if name in body and not isinstance(body[name], dict):
            errors.add(name, f"The {name} parameter must be an object.")
    return errors


@functools.lru_cache(maxsize=256)
def _keys_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so that "-name-" never eats the start of "-name-full-".
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


def substitute(value: str, substitutions: dict[str, str]) -> str:
    if not substitutions or not value:
        return value
    return _keys_pattern(tuple(substitutions)).sub(lambda m: substitutions[m.group(0)], value)


class SendGridFake:
    """The fake server; ``with SendGridFake() as fake: ... fake.url ...``."""

    def __init__(
        self,
        api_key: str = "SG.test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        keep_content: bool = True,
    ) -> None:
        self.api_key = api_key
        self.keep_content = keep_content
        self.reject: dict[str, str] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.attempts: list[Attempt] = []
        self.connections = 0
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order, before validating."""
        with self._lock:
            self._script.extend(replies)

    def recipients(self) -> list[str]:
        return [d["to"] for d in self.deliveries]

    def start(self) -> SendGridFake:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="sendgrid-fake", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SendGridFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ handling

    def _handle(self, headers: Any, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        auth = headers.get("Authorization")
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            self._record(scripted.status, 0, auth)
            return (
                scripted.status,
                scripted.headers,
                json.dumps(scripted.body).encode() if scripted.body else b"",
            )
        if auth != f"Bearer {self.api_key}":
            self._record(401, 0, auth)
            return (
                401,
                {},
                json.dumps(
                    {
                        "errors": [
                            {
                                "field": None,
                                "message": "The provided authorization grant is invalid, expired, or revoked",
                                "help": None,
                            }
                        ]
                    }
                ).encode(),
            )
        if (headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            self._record(400, 0, auth)
            return (
                400,
                {},
                json.dumps(
                    {
                        "errors": [
                            {
                                "field": None,
                                "message": "Content-Type should be application/json.",
                                "help": None,
                            }
                        ]
                    }
                ).encode(),
            )
        try:
            body = orjson.loads(raw)  # what the real API accepts: RFC 8259, nothing more
        except ValueError:
            self._record(400, 0, auth)
            return (
                400,
                {},
                json.dumps(
                    {"errors": [{"field": None, "message": "Bad Request", "help": None}]}
                ).encode(),
            )
        errors = validate(body, self.reject)
        count = len(body.get("personalizations") or []) if isinstance(body, dict) else 0
        if errors:
            self._record(400, count, auth)
            return 400, {}, json.dumps({"errors": errors}).encode()
        message_id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")[:22]
        self._accept(body, message_id)
        self._record(202, count, auth)
        return 202, {"X-Message-Id": message_id}, b""

    def _record(self, status: int, personalizations: int, auth: str | None) -> None:
        with self._lock:
            self.attempts.append(Attempt(status, personalizations, auth))

    def _accept(self, body: dict[str, Any], message_id: str) -> None:
        top_headers = body.get("headers") or {}
        top_args = body.get("custom_args") or {}
        content = {block["type"]: block["value"] for block in body.get("content") or []}
        deliveries = []
        for p in body["personalizations"]:
            subs = p.get("substitutions") or {}
            delivery = {
                "to": p["to"][0]["email"],
                "to_name": p["to"][0].get("name"),
                "from": body["from"]["email"],
                "subject": substitute(p.get("subject") or body.get("subject") or "", subs),
                "headers": {**top_headers, **(p.get("headers") or {})},
                "custom_args": {**top_args, **(p.get("custom_args") or {})},
                "categories": body.get("categories") or [],
                "x_message_id": message_id,
            }
            if self.keep_content:
                delivery["text"] = substitute(content.get("text/plain", ""), subs)
                delivery["html"] = substitute(content.get("text/html", ""), subs)
            deliveries.append(delivery)
        with self._lock:
            if self.keep_content:
                self.requests.append(body)
            self.deliveries.extend(deliveries)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake.connections += 1

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if body:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self.close_connection = True
                    self._answer(
                        413, {}, b'{"errors":[{"field":null,"message":"Payload Too Large"}]}'
                    )
                    return
                raw = self.rfile.read(length)
                if self.path.split("?")[0] != "/v3/mail/send":
                    self._answer(404, {}, b'{"errors":[{"field":null,"message":"not found"}]}')
                    return
                self._answer(*fake._handle(self.headers, raw))

            def do_GET(self) -> None:
                self._answer(405, {}, b'{"errors":[{"field":null,"message":"method not allowed"}]}')

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default="SG.test-key")
    args = parser.parse_args()
    fake = SendGridFake(args.key, args.host, args.port, keep_content=False).start()
    print(fake.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
