"""The billing REST API: plans, subscription, usage, checkout and portal via the fake."""

from __future__ import annotations

import pytest

from blueprints.billing import services as billing
from blueprints.billing.catalog import get_plan
from engagex.db import db
from tests.core.test_api import assert_error
from tests.factories import auth, make_key, make_org


@pytest.fixture
def org(session):
    return make_org()


@pytest.fixture
def owner(org):
    return auth(make_key(org, "owner"))


def test_plans_subscription_and_usage(client, org, owner):
    plans = client.get("/api/v1/billing/plans", headers=owner).get_json()
    assert [p["code"] for p in plans["items"]] == ["free", "starter", "growth", "pro"]
    assert plans["items"][1] | {"features": None} == {
        "code": "starter",
        "name": "Starter",
        "price_cents": 1500,
        "currency": "usd",
        "email_quota": 15000,
        "contact_limit": 2500,
        "seats": 3,
        "features": None,
        "purchasable": True,
    }
    sub = client.get("/api/v1/billing/subscription", headers=owner).get_json()
    assert sub["plan"]["code"] == "free" and sub["status"] == "active"
    assert sub["sending_allowed"] is True and sub["managed_by"] == "manual"
    assert sub["billing_account"] is False
    billing.record_usage(org.id, "b1", 250)
    db.session.commit()
    usage = client.get("/api/v1/billing/usage", headers=owner).get_json()
    assert usage["emails"] == {"used": 250, "limit": 1000, "remaining": 750, "percent": 25}
    assert usage["seats"] == {"used": 1, "limit": 2, "remaining": 1, "percent": 50}
    assert usage["period_start"] == sub["current_period_start"]


def test_only_owners_manage_and_admins_read(client, org, stripe_app):
    admin = auth(make_key(org, "admin"))
    analyst = auth(make_key(org, "analyst"))
    assert client.get("/api/v1/billing/subscription", headers=admin).status_code == 200
    assert_error(client.get("/api/v1/billing/usage", headers=analyst), 403, "forbidden")
    assert_error(
        client.post("/api/v1/billing/checkout", json={"plan": "starter"}, headers=admin),
        403,
        "forbidden",
    )
    assert_error(client.post("/api/v1/billing/portal", headers=admin), 403, "forbidden")
    assert_error(client.get("/api/v1/billing/plans"), 401, "unauthorized")


def test_checkout_opens_a_stripe_session_with_the_right_shape(
    client, org, owner, stripe_fake, stripe_app
):
    before = len(stripe_fake.requests)
    response = client.post(
        "/api/v1/billing/checkout",
        json={"plan": "starter", "operation_id": "upgrade-1"},
        headers=owner,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["url"].startswith(f"{stripe_fake.url}/c/pay/cs_test_")
    assert body["plan"] == "starter" and body["operation_id"] == "upgrade-1"
    customer_call, session_call = stripe_fake.requests[before:]
    assert customer_call.path == "/v1/customers"
    assert customer_call.params["metadata"] == {"engagex_org_id": str(org.id)}
    assert customer_call.params["email"] == f"owner@{org.slug}.example.com"
    assert customer_call.headers["Idempotency-Key"].startswith(f"engagex:customer:{org.id}:")
    assert session_call.path == "/v1/checkout/sessions"
    assert session_call.headers["Idempotency-Key"] == f"engagex:checkout:{org.id}:upgrade-1"
    params = session_call.params
    assert params["mode"] == "subscription"
    assert params["client_reference_id"] == str(org.id)
    assert params["customer"] == stripe_fake.customers[params["customer"]]["id"]
    assert params["line_items"] == [
        {
            "price_data": {
                "currency": "usd",
                "unit_amount": "1500",
                "recurring": {"interval": "month"},
                "product_data": {"name": "EngageX Starter", "metadata": {"plan_code": "starter"}},
            },
            "quantity": "1",
        }
    ]
    assert params["subscription_data"] == {
        "metadata": {"engagex_org_id": str(org.id), "plan_code": "starter"}
    }
    assert params["success_url"].endswith(
        "/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}"
    )
    # Nothing changes before Stripe confirms the payment.
    sub = client.get("/api/v1/billing/subscription", headers=owner).get_json()
    assert sub["plan"]["code"] == "free" and sub["billing_account"] is True


def test_a_retried_checkout_returns_the_same_session(client, org, owner, stripe_fake, stripe_app):
    def checkout(plan):
        return client.post(
            "/api/v1/billing/checkout",
            json={"plan": plan, "operation_id": "same-op"},
            headers=owner,
        )

    first, again = checkout("growth"), checkout("growth")
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    customers = {r.params["customer"] for r in stripe_fake.posts("/v1/checkout/sessions")[-2:]}
    assert len(customers) == 1
    assert_error(checkout("pro"), 409, "idempotency_conflict")


def test_a_configured_stripe_price_is_sold_by_id(client, org, owner, stripe_fake, stripe_app):
    price = stripe_fake.add_price(4900)
    billing.seed_plans(None, prices={"growth": price})
    db.session.commit()
    response = client.post("/api/v1/billing/checkout", json={"plan": "growth"}, headers=owner)
    assert response.status_code == 201
    call = stripe_fake.posts("/v1/checkout/sessions")[-1]
    assert call.params["line_items"] == [{"price": price, "quantity": "1"}]
    # Without an operation id, each request is a new operation.
    assert call.headers["Idempotency-Key"] == (
        f"engagex:checkout:{org.id}:{response.get_json()['operation_id']}"
    )


def test_checkout_survives_a_stripe_blip_with_the_same_idempotency_key(
    client, org, owner, stripe_fake, stripe_app
):
    stripe_fake.fail_next(1, status=500)
    response = client.post(
        "/api/v1/billing/checkout", json={"plan": "starter", "operation_id": "blip"}, headers=owner
    )
    assert response.status_code == 201
    customer_calls = stripe_fake.posts("/v1/customers")[-2:]
    assert (
        customer_calls[0].headers["Idempotency-Key"] == customer_calls[1].headers["Idempotency-Key"]
    )


def test_a_stripe_outage_is_a_502_and_keeps_nothing(client, org, owner, stripe_fake, stripe_app):
    customers = len(stripe_fake.customers)
    stripe_fake.fail_next(3, status=503)  # the first try and both retries
    response = client.post(
        "/api/v1/billing/checkout", json={"plan": "starter", "operation_id": "down"}, headers=owner
    )
    assert_error(response, 502, "stripe_error")
    assert len(stripe_fake.customers) == customers
    sub = client.get("/api/v1/billing/subscription", headers=owner).get_json()
    assert sub["billing_account"] is False
    again = client.post(
        "/api/v1/billing/checkout", json={"plan": "starter", "operation_id": "down"}, headers=owner
    )
    assert again.status_code == 201
    assert len(stripe_fake.customers) == customers + 1


def test_checkout_input_errors(client, org, owner, stripe_app):
    assert_error(
        client.post("/api/v1/billing/checkout", json={"plan": "free"}, headers=owner),
        422,
        "plan_not_purchasable",
    )
    body = assert_error(
        client.post("/api/v1/billing/checkout", json={"plan": "platinum"}, headers=owner),
        404,
        "plan_not_found",
    )
    assert "free, starter, growth, pro" in body["message"]
    assert_error(
        client.post(
            "/api/v1/billing/checkout",
            json={"plan": "starter", "operation_id": "has spaces"},
            headers=owner,
        ),
        422,
        "validation_error",
    )
    retired = get_plan("pro")
    retired.is_active = False
    db.session.commit()
    assert_error(
        client.post("/api/v1/billing/checkout", json={"plan": "pro"}, headers=owner),
        422,
        "plan_not_purchasable",
    )


def test_billing_without_stripe_settings_is_a_clear_503(client, org, owner, app):
    assert not app.config.get("STRIPE_API_KEY")
    assert_error(
        client.post("/api/v1/billing/checkout", json={"plan": "starter"}, headers=owner),
        503,
        "billing_not_configured",
    )


def test_portal_needs_a_billing_account(client, org, owner, stripe_fake, stripe_app):
    assert_error(client.post("/api/v1/billing/portal", headers=owner), 409, "no_billing_account")
    client.post("/api/v1/billing/checkout", json={"plan": "starter"}, headers=owner)
    response = client.post("/api/v1/billing/portal", headers=owner)
    assert response.status_code == 201
    assert response.get_json()["url"].startswith(stripe_fake.url)
    call = stripe_fake.posts("/v1/billing_portal/sessions")[-1]
    assert call.params["return_url"].endswith("/billing")
    assert call.headers["Idempotency-Key"].startswith(f"engagex:portal:{org.id}:")


def test_invoices_are_paginated_newest_first(client, org, owner, stripe_fake, stripe_app):
    from tests.billing.conftest import deliver

    checkout = client.post("/api/v1/billing/checkout", json={"plan": "starter"}, headers=owner)
    events = stripe_fake.complete_checkout(checkout.get_json()["id"])
    deliver(client, events)
    sub_id = events[0]["data"]["object"]["id"]
    failed = stripe_fake.fail_payment(sub_id)
    deliver(client, failed)
    page = client.get("/api/v1/billing/invoices?limit=1", headers=owner).get_json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    newest = page["items"][0]
    assert newest["status"] == "open" and newest["amount_due"] == 1500
    rest = client.get(
        f"/api/v1/billing/invoices?limit=1&cursor={page['next_cursor']}", headers=owner
    ).get_json()
    assert [i["status"] for i in rest["items"]] == ["paid"] and rest["next_cursor"] is None
    paid = rest["items"][0]
    assert paid["paid_at"] and paid["hosted_invoice_url"].startswith(stripe_fake.url)
    assert paid["invoice_pdf"].endswith("/pdf") and paid["number"].startswith("FAKE-")
    other = auth(make_key(make_org(), "owner"))
    assert client.get("/api/v1/billing/invoices", headers=other).get_json()["items"] == []
