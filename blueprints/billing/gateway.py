"""The Stripe API as EngageX uses it, through one ``StripeClient`` per application.

The client is built from the app's settings (``STRIPE_API_KEY``, ``STRIPE_API_BASE`` -
tests point it at a local fake) rather than the ``stripe`` module's global state, so two
apps in one process never share a key. Every POST carries an idempotency key derived
from our own operation id (``idempotency_key``), so a retried request never creates a
second customer or session; network errors and 5xx are retried by the library.
Results come back as plain dicts (Stripe's JSON), errors as ``AppError``s.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from flask import current_app

from blueprints.billing.errors import BillingNotConfigured, StripeUnavailable
from engagex.errors import Conflict

log = logging.getLogger(__name__)

_CACHE_KEY = "engagex.billing.stripe_client"
#: Seconds one Stripe request may take (connect + read); the library retries twice.
TIMEOUT = 20
RETRIES = 2


def idempotency_key(kind: str, org_id: int, operation_id: str) -> str:
    """The Idempotency-Key of one of our operations (Stripe keeps them 24 hours)."""
    return f"engagex:{kind}:{org_id}:{operation_id}"[:255]


def client() -> stripe.StripeClient:
    """This app's Stripe client (rebuilt if its settings change)."""
    config = current_app.config
    key = config.get("STRIPE_API_KEY")
    if not key:
        raise BillingNotConfigured(
            "Stripe is not configured on this server (STRIPE_API_KEY is not set)."
        )
    base = (config.get("STRIPE_API_BASE") or "https://api.stripe.com").rstrip("/")
    settings = (key, base)
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is not None and cached[0] == settings:
        return cached[1]
    instance = stripe.StripeClient(
        key,
        base_addresses={"api": base, "files": base, "connect": base, "meter_events": base},
        max_network_retries=RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT),
    )
    current_app.extensions[_CACHE_KEY] = (settings, instance)
    return instance


def _call(what: str, func: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        result = func(*args, **kwargs)
    except stripe.IdempotencyError as exc:
        raise Conflict(
            "This operation id was already used with different parameters; use a new one.",
            code="idempotency_conflict",
        ) from exc
    except stripe.AuthenticationError as exc:
        log.error("Stripe rejected the API key while trying to %s: %s", what, exc.user_message)
        raise BillingNotConfigured("Stripe rejected the configured API key.") from exc
    except stripe.StripeError as exc:
        message = exc.user_message or str(exc) or type(exc).__name__
        log.warning("Stripe failed to %s: %s (%s)", what, message, exc.http_status)
        raise StripeUnavailable(
            f"Stripe could not {what}: {message}",
            details={"stripe_status": exc.http_status, "stripe_code": exc.code},
        ) from exc
    return result.to_dict()


def create_customer(
    *, org_id: int, name: str, email: str | None, idempotency: str
) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name, "metadata": {"engagex_org_id": str(org_id)}}
    if email:
        params["email"] = email
    return _call(
        "create the customer",
        client().v1.customers.create,
        params,
        {"idempotency_key": idempotency},
    )


def create_checkout_session(params: dict[str, Any], *, idempotency: str) -> dict[str, Any]:
    return _call(
        "open a checkout",
        client().v1.checkout.sessions.create,
        params,
        {"idempotency_key": idempotency},
    )


def create_portal_session(*, customer: str, return_url: str, idempotency: str) -> dict[str, Any]:
    return _call(
        "open the billing portal",
        client().v1.billing_portal.sessions.create,
        {"customer": customer, "return_url": return_url},
        {"idempotency_key": idempotency},
    )


def retrieve_subscription(subscription_id: str) -> dict[str, Any]:
    return _call("read the subscription", client().v1.subscriptions.retrieve, subscription_id)


def list_subscriptions(customer: str) -> list[dict[str, Any]]:
    """The customer's subscriptions in every status, newest first (Stripe's order)."""
    page = _call(
        "list the subscriptions",
        client().v1.subscriptions.list,
        {"customer": customer, "status": "all", "limit": 20},
    )
    return list(page.get("data") or [])


def list_invoices(customer: str, limit: int = 100) -> list[dict[str, Any]]:
    """The customer's latest invoices, newest first."""
    page = _call(
        "list the invoices",
        client().v1.invoices.list,
        {"customer": customer, "limit": limit},
    )
    return list(page.get("data") or [])
