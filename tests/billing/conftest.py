"""Billing fixtures: a Stripe fake on loopback and the app pointed at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.support.stripe_fake import API_KEY, WEBHOOK_SECRET, StripeFake, sign


@pytest.fixture(scope="module")
def stripe_fake() -> Iterator[StripeFake]:
    fake = StripeFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_app(app: Flask, stripe_fake: StripeFake, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with Stripe configured against the fake (restored after the test)."""
    monkeypatch.setitem(app.config, "STRIPE_API_KEY", API_KEY)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", stripe_fake.url)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    return app


def post_event(
    client: Any,
    event: dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    body: bytes | None = None,
) -> Any:
    """POST an event the way Stripe does (raw JSON body, Stripe-Signature header)."""
    payload = json.dumps(event).encode() if body is None else body
    return client.post(
        "/webhooks/stripe",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, secret, timestamp)},
    )


def deliver(client: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deliver events in order; each must be acknowledged with 200."""
    bodies = []
    for event in events:
        response = post_event(client, event)
        assert response.status_code == 200, response.get_data(as_text=True)
        bodies.append(response.get_json())
    return bodies
