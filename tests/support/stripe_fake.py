"""A small fake of exactly the Stripe API endpoints EngageX calls, served on loopback.

No stripe-mock is available, so this fake stands in: point ``STRIPE_API_BASE`` at
``fake.url``. Like Stripe it insists on the Bearer key, ``Stripe-Version``, form
encoding with bracketed keys, an ``Idempotency-Key`` on every POST (replayed for the
same parameters, ``idempotency_error`` for different ones), known parameters only, and
existing customers and prices. Scenario helpers (``complete_checkout``,
``fail_payment``, ``pay_invoice``, ``cancel`` ...) change its state as Stripe would
and return the events Stripe would send; ``sign`` signs a payload with Stripe's
``t=...,v1=HMAC-SHA256`` scheme (implemented here, independently of the library).
"""

from __future__ import annotations

import calendar
import copy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

API_KEY = "sk_test_engagex_fake"
WEBHOOK_SECRET = "whsec_engagex_fake_secret"
API_VERSION = "2026-10-28.endive"

META = "meta"
# Accepted parameters per endpoint: dict = object, [x] = list of x, "str"/"int" leaves.
_LINE_ITEM = {
    "price": "str",
    "quantity": "int",
    "price_data": {
        "currency": "str",
        "unit_amount": "int",
        "product": "str",
        "recurring": {"interval": "str", "interval_count": "int"},
        "product_data": {"name": "str", "metadata": META},
    },
}
SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/v1/customers"): {
        "name": "str",
        "email": "str",
        "metadata": META,
    },
    ("POST", "/v1/checkout/sessions"): {
        "mode": "str",
        "customer": "str",
        "client_reference_id": "str",
        "line_items": [_LINE_ITEM],
        "success_url": "str",
        "cancel_url": "str",
        "metadata": META,
        "subscription_data": {"metadata": META},
    },
    ("POST", "/v1/billing_portal/sessions"): {"customer": "str", "return_url": "str"},
    ("GET", "/v1/subscriptions"): {"customer": "str", "status": "str", "limit": "int"},
    ("GET", "/v1/invoices"): {"customer": "str", "limit": "int", "subscription": "str"},
    ("GET", "/v1/subscriptions/{id}"): {},
}


class StripeFakeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.body = (
            status,
            {"error": {"type": type, "message": message, "param": param, "code": code}},
        )


def decode_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][0][c]=v`` pairs into nested dicts; numeric keys become list indices."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        if not parts or key.count("[") != key.count("]"):
            raise StripeFakeError(400, f"Invalid parameter name: {key}")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise StripeFakeError(400, f"Invalid nesting at {key}")
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        keys = sorted(node, key=int)
        if [int(k) for k in keys] != list(range(len(keys))):
            raise StripeFakeError(400, "Array indices must be contiguous from 0")
        return [_lists(node[k]) for k in keys]
    return {k: _lists(v) for k, v in node.items()}


def _validate(value: Any, schema: Any, path: str) -> None:
    if schema == META:
        if (
            not isinstance(value, dict)
            or len(value) > 50
            or any(not isinstance(v, str) or len(v) > 500 for v in value.values())
        ):
            raise StripeFakeError(400, f"Invalid metadata: {path}", param=path)
    elif isinstance(schema, dict):
        if not isinstance(value, dict):
            raise StripeFakeError(400, f"Invalid object: {path}", param=path)
        for key, item in value.items():
            name = f"{path}[{key}]" if path else key
            if key not in schema:
                raise StripeFakeError(400, f"Received unknown parameter: {name}", param=name)
            _validate(item, schema[key], name)
    elif isinstance(schema, list):
        if not isinstance(value, list):
            raise StripeFakeError(400, f"Invalid array: {path}", param=path)
        for i, item in enumerate(value):
            _validate(item, schema[0], f"{path}[{i}]")
    elif schema == "int" and not (isinstance(value, str) and re.fullmatch(r"-?\d+", value)):
        raise StripeFakeError(400, f"Invalid integer: {value}", param=path)
    elif schema == "str" and not isinstance(value, str):
        raise StripeFakeError(400, f"Invalid string: {path}", param=path)


def add_months(ts: int, months: int) -> int:
    moment = datetime.fromtimestamp(ts, tz=UTC)
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return int(moment.replace(year=year, month=month + 1, day=day).timestamp())


def sign(payload: bytes | str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload``."""
    body = payload.decode() if isinstance(payload, bytes) else payload
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class StripeFake:
    api_key: str = API_KEY
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self._idempotency: dict[str, tuple[tuple[Any, ...], int, bytes]] = {}
        self._failures: list[int] = []
        self._ids = itertools.count(1)
        self.clock = int(time.time()) - 3600  # Stripe's clock; each event ticks it
        self._lock = threading.RLock()
        self._server: Any = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self, port: int = 0) -> StripeFake:
        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail_next(self, times: int = 1, status: int = 500) -> None:
        """Answer the next ``times`` API requests with ``status`` (an outage)."""
        self._failures.extend([status] * times)

    def posts(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    # --- HTTP ------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self._api(request)
        except StripeFakeError as exc:
            response = Response(json.dumps(exc.body), exc.status, mimetype="application/json")
        return response(environ, start_response)

    def _api(self, request: Request) -> Response:
        method, path = request.method, request.path
        with self._lock:
            if request.headers.get("Authorization") != f"Bearer {self.api_key}":
                raise StripeFakeError(401, "Invalid API Key provided")
            if not request.headers.get("Stripe-Version"):
                raise StripeFakeError(400, "Stripe-Version header missing")
            if method == "POST":
                if request.mimetype != "application/x-www-form-urlencoded":
                    raise StripeFakeError(400, "Expected a form-encoded body")
                pairs = parse_qsl(request.get_data(as_text=True), keep_blank_values=True)
            else:
                pairs = parse_qsl(request.query_string.decode(), keep_blank_values=True)
            params = decode_params(pairs)
            self.requests.append(Recorded(method, path, params, dict(request.headers)))
            if self._failures:
                status = self._failures.pop(0)
                raise StripeFakeError(status, "Fake outage", type="api_error")
            route = re.sub(r"^/v1/subscriptions/[^/]+$", "/v1/subscriptions/{id}", path)
            schema = SCHEMAS.get((method, route))
            if schema is None:
                raise StripeFakeError(404, f"Unrecognized request URL ({method}: {path})")
            _validate(params, schema, "")
            if method != "POST":
                return self._json(200, self._get(route, path, params))
            key = request.headers.get("Idempotency-Key")
            if not key or len(key) > 255:
                raise StripeFakeError(400, "EngageX must send an Idempotency-Key on every POST")
            fingerprint = (method, path, json.dumps(params, sort_keys=True))
            if key in self._idempotency:
                seen, status, body = self._idempotency[key]
                if seen != fingerprint:
                    raise StripeFakeError(
                        400,
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.",
                        type="idempotency_error",
                    )
                response = Response(body, status, mimetype="application/json")
                response.headers["Idempotent-Replayed"] = "true"
                return response
            response = self._json(200, self._post(route, params))
            self._idempotency[key] = (fingerprint, 200, response.get_data())
            return response

    def _json(self, status: int, obj: Any) -> Response:
        return Response(json.dumps(obj), status, mimetype="application/json")

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def _post(self, route: str, p: dict[str, Any]) -> dict[str, Any]:
        if route == "/v1/customers":
            customer = {
                "id": self._new_id("cus"),
                "object": "customer",
                "created": self.tick(),
                "name": p.get("name"),
                "email": p.get("email"),
                "metadata": p.get("metadata", {}),
                "livemode": False,
            }
            self.customers[customer["id"]] = customer
            return customer
        if route == "/v1/checkout/sessions":
            return self._create_session(p)
        customer = self._customer(p.get("customer"), "customer")
        return {
            "id": self._new_id("bps"),
            "object": "billing_portal.session",
            "customer": customer["id"],
            "return_url": p.get("return_url"),
            "url": f"{self.url}/p/session/{next(self._ids)}",
            "created": self.tick(),
        }

    def _customer(self, value: Any, param: str) -> dict[str, Any]:
        if not value:
            raise StripeFakeError(400, f"Missing required param: {param}.", param=param)
        if value not in self.customers:
            raise StripeFakeError(
                400, f"No such customer: '{value}'", param=param, code="resource_missing"
            )
        return self.customers[value]

    def _create_session(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("mode") not in ("payment", "setup", "subscription"):
            raise StripeFakeError(400, "Missing or invalid param: mode.", param="mode")
        customer = self._customer(p.get("customer"), "customer")
        for name in ("success_url", "cancel_url"):
            if name in p and not re.match(r"^https?://", p[name]):
                raise StripeFakeError(400, f"Not a valid URL: {name}", param=name)
        if "success_url" not in p:
            raise StripeFakeError(400, "Missing required param: success_url.")
        items = p.get("line_items") or []
        if not items:
            raise StripeFakeError(400, "Missing required param: line_items.")
        prices = []
        for i, item in enumerate(items):
            if ("price" in item) == ("price_data" in item):
                raise StripeFakeError(400, f"line_items[{i}]: give price or price_data")
            if int(item.get("quantity", "0")) < 1:
                raise StripeFakeError(400, f"line_items[{i}][quantity] must be >= 1")
            prices.append(self._price_of(item, i))
        if p["mode"] == "subscription" and any(not pr.get("recurring") for pr in prices):
            raise StripeFakeError(400, "Subscription mode needs recurring prices.")
        session = {
            "id": self._new_id("cs_test"),
            "object": "checkout.session",
            "mode": p["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "customer": customer["id"],
            "client_reference_id": p.get("client_reference_id"),
            "metadata": p.get("metadata", {}),
            "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"),
            "created": self.tick(),
            "expires_at": self.clock + 86400,
            "subscription": None,
        }
        session["url"] = f"{self.url}/c/pay/{session['id']}"
        self.sessions[session["id"]] = {
            **session,
            "_prices": prices,
            "_sub_metadata": (p.get("subscription_data") or {}).get("metadata", {}),
        }
        return session

    def _new_price(
        self,
        currency: str,
        amount: int,
        *,
        recurring: bool,
        active: bool,
        lookup_key: str | None = None,
        product: str | None = None,
    ) -> dict[str, Any]:
        price = {
            "id": self._new_id("price"), "object": "price", "active": active,
            "currency": currency, "unit_amount": amount, "lookup_key": lookup_key,
            "type": "recurring" if recurring else "one_time",
            "recurring": {"interval": "month", "interval_count": 1} if recurring else None,
            "product": product or self._new_id("prod"),
        }  # fmt: skip
        self.prices[price["id"]] = price
        return price

    def add_price(self, amount: int, currency: str = "usd", lookup_key: str | None = None) -> str:
        """A recurring monthly Price, as configured in the Stripe dashboard."""
        price = self._new_price(
            currency, amount, recurring=True, active=True, lookup_key=lookup_key
        )
        return price["id"]

    def _price_of(self, item: dict[str, Any], i: int) -> dict[str, Any]:
        if "price" in item:
            if item["price"] not in self.prices:
                raise StripeFakeError(
                    400,
                    f"No such price: '{item['price']}'",
                    param=f"line_items[{i}][price]",
                    code="resource_missing",
                )
            return self.prices[item["price"]]
        data = item["price_data"]
        if not data.get("currency") or "unit_amount" not in data:
            raise StripeFakeError(400, f"line_items[{i}][price_data] needs currency, unit_amount")
        if not data.get("product") and not (data.get("product_data") or {}).get("name"):
            raise StripeFakeError(400, f"line_items[{i}][price_data] needs a product")
        recurring = data.get("recurring")
        if recurring and recurring.get("interval") != "month":
            raise StripeFakeError(400, "This fake bills monthly only")
        return self._new_price(
            data["currency"],
            int(data["unit_amount"]),
            recurring=bool(recurring),
            active=False,  # an inline price is not offered again
            product=data.get("product"),
        )

    def _get(self, route: str, path: str, p: dict[str, Any]) -> dict[str, Any]:
        if route == "/v1/subscriptions/{id}":
            sub_id = path.rsplit("/", 1)[1]
            if sub_id not in self.subscriptions:
                raise StripeFakeError(
                    404, f"No such subscription: '{sub_id}'", code="resource_missing"
                )
            return copy.deepcopy(self.subscriptions[sub_id])
        source = self.subscriptions if route == "/v1/subscriptions" else self.invoices
        rows = [
            o for o in source.values() if not p.get("customer") or o["customer"] == p["customer"]
        ]
        if route == "/v1/subscriptions" and p.get("status", "active") != "all":
            rows = [o for o in rows if o["status"] == p.get("status", "active")]
        rows.sort(key=lambda o: (o["created"], o["id"]), reverse=True)
        limit = int(p.get("limit", 10))
        return {
            "object": "list",
            "url": route,
            "has_more": len(rows) > limit,
            "data": copy.deepcopy(rows[:limit]),
        }

    # --- what happens in Stripe when people act -----------------------------------------

    def event(self, type: str, obj: dict[str, Any], created: int | None = None) -> dict[str, Any]:
        event = {
            "id": self._new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.tick() if created is None else created,
            "type": type,
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": copy.deepcopy(obj)},
            "request": {"id": None, "idempotency_key": None},
        }
        self.events.append(event)
        return event

    def _invoice(self, sub: dict[str, Any], status: str) -> dict[str, Any]:
        item = sub["items"]["data"][0]
        now = self.tick()
        invoice = {
            "id": self._new_id("in"),
            "object": "invoice",
            "customer": sub["customer"],
            "number": f"FAKE-{len(self.invoices) + 1:04d}",
            "status": status,
            "currency": item["price"]["currency"],
            "amount_due": item["price"]["unit_amount"],
            "amount_paid": item["price"]["unit_amount"] if status == "paid" else 0,
            "created": now,
            "period_start": item["current_period_start"],
            "period_end": item["current_period_end"],
            "attempt_count": 1,
            "status_transitions": {
                "finalized_at": now,
                "paid_at": now if status == "paid" else None,
            },
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"], "metadata": {}},
            },
        }
        invoice["hosted_invoice_url"] = f"{self.url}/i/{invoice['id']}"
        invoice["invoice_pdf"] = f"{self.url}/i/{invoice['id']}/pdf"
        self.invoices[invoice["id"]] = invoice
        sub["latest_invoice"] = invoice["id"]
        return invoice

    def complete_checkout(self, session_id: str) -> list[dict[str, Any]]:
        """The customer pays: a subscription starts, its first invoice is paid."""
        with self._lock:
            session = self.sessions[session_id]
            start = self.tick()
            sub = {
                "id": self._new_id("sub"),
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "created": start,
                "start_date": start,
                "billing_cycle_anchor": start,
                "cancel_at_period_end": False,
                "canceled_at": None,
                "ended_at": None,
                "metadata": dict(session["_sub_metadata"]),
                "latest_invoice": None,
                "items": {
                    "object": "list",
                    "has_more": False,
                    "data": [
                        {
                            "id": self._new_id("si"),
                            "object": "subscription_item",
                            "quantity": 1,
                            "price": copy.deepcopy(session["_prices"][0]),
                            "current_period_start": start,
                            "current_period_end": add_months(start, 1),
                        }
                    ],
                },
            }
            self.subscriptions[sub["id"]] = sub
            invoice = self._invoice(sub, "paid")
            session.update(status="complete", payment_status="paid", subscription=sub["id"])
            public = {k: v for k, v in session.items() if not k.startswith("_")}
            return [
                self.event("customer.subscription.created", sub),
                self.event("invoice.paid", invoice),
                self.event("checkout.session.completed", public),
            ]

    def fail_payment(self, sub_id: str) -> list[dict[str, Any]]:
        """The renewal charge is declined: the period moves on, the invoice stays open."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            item = sub["items"]["data"][0]
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] = add_months(
                sub["billing_cycle_anchor"], self._months(sub) + 1
            )
            invoice = self._invoice(sub, "open")
            sub["status"] = "past_due"
            return [
                self.event("invoice.payment_failed", invoice),
                self.event("customer.subscription.updated", sub),
            ]

    def _months(self, sub: dict[str, Any]) -> int:
        start = sub["items"]["data"][0]["current_period_start"]
        months = 0
        while add_months(sub["billing_cycle_anchor"], months) < start:
            months += 1
        return months

    def pay_invoice(self, invoice_id: str) -> list[dict[str, Any]]:
        """The customer updates the card and the open invoice is paid."""
        with self._lock:
            invoice = self.invoices[invoice_id]
            now = self.tick()
            invoice.update(status="paid", amount_paid=invoice["amount_due"])
            invoice["status_transitions"]["paid_at"] = now
            sub = self.subscriptions[invoice["parent"]["subscription_details"]["subscription"]]
            sub["status"] = "active"
            return [
                self.event("invoice.paid", invoice),
                self.event("customer.subscription.updated", sub),
            ]

    def change_price(self, sub_id: str, price_id: str) -> list[dict[str, Any]]:
        """A plan switch in the Billing Portal (same period, prorated)."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            sub["items"]["data"][0]["price"] = copy.deepcopy(self.prices[price_id])
            return [self.event("customer.subscription.updated", sub)]

    def cancel(self, sub_id: str) -> list[dict[str, Any]]:
        """The subscription ends now (canceled in the portal or after failed retries)."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            now = self.tick()
            sub.update(status="canceled", canceled_at=now, ended_at=now)
            return [self.event("customer.subscription.deleted", sub)]
