"""Billing services shared by the API, the CLI and jobs.

Functions that act for someone take ``actor`` (None = system) and check ``billing:read``
or ``billing:manage`` (owners only). The enforcement API other domains call is
re-exported here from ``enforcement`` (see docs/billing.md):
``check_send_quota``, ``record_usage``, ``check_contact_limit``, ``remaining_contacts``,
``check_seats``, ``sending_allowed``, ``plan_feature``, ``require_feature``,
``check_feature_limit``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from typing import Any

from flask import current_app

from blueprints.billing import catalog, gateway, history
from blueprints.billing.enforcement import (
    check_contact_limit,
    check_feature_limit,
    check_seats,
    check_send_quota,
    decide_sending,
    emails_used,
    plan_feature,
    record_usage,
    remaining_contacts,
    require_feature,
    sending_allowed,
)
from blueprints.billing.models import Plan, Subscription
from blueprints.billing.periods import from_timestamp
from blueprints.billing.sources import count_contacts, count_seats, in_org, organization_info
from blueprints.billing.state import (
    LIVE,
    STRIPE_STATUS,
    apply_stripe_subscription,
    current_period,
    get_subscription,
    grace_ends_at,
    now,
    set_status,
)
from blueprints.billing.state import set_plan as _set_plan
from engagex.api import Page
from engagex.db import as_utc, db
from engagex.errors import Conflict, ValidationFailed
from engagex.permissions import Actor, require

__all__ = [
    "check_contact_limit",
    "check_feature_limit",
    "check_seats",
    "check_send_quota",
    "get_subscription",
    "list_invoices",
    "list_plans",
    "open_portal",
    "operator_set_plan",
    "plan_feature",
    "record_usage",
    "remaining_contacts",
    "require_feature",
    "seed_plans",
    "sending_allowed",
    "start_checkout",
    "subscription_view",
    "sync_from_stripe",
    "usage",
]

log = logging.getLogger(__name__)
OPERATION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def _stripe_managed(sub: Subscription) -> bool:
    return bool(sub.stripe_subscription_id) and sub.status in LIVE


def _return_url(query: str = "") -> str:
    return f"{current_app.config['ENGAGEX_BASE_URL']}/billing{query}"


# --- reading ----------------------------------------------------------------------------


def list_plans(actor: Actor | None) -> list[Plan]:
    require(actor, "billing:read")
    return catalog.list_plans()


def subscription_view(actor: Actor | None, org_id: int) -> dict[str, Any]:
    """The plan, status, current period and sending state of the organization."""
    require(actor, "billing:read")
    with in_org(org_id):
        sub = get_subscription(org_id)
        start, end = current_period(sub)
        decision = decide_sending(sub)
        return {
            "plan": sub.plan,
            "status": sub.status,
            "current_period_start": start,
            "current_period_end": end,
            "cancel_at_period_end": sub.cancel_at_period_end,
            "past_due_since": as_utc(sub.past_due_since) if sub.past_due_since else None,
            "grace_ends_at": grace_ends_at(sub),
            "sending_allowed": decision.allowed,
            "sending_reason": decision.reason,
            "sending_message": decision.message or None,
            "billing_account": sub.stripe_customer_id is not None,
            "managed_by": "stripe" if _stripe_managed(sub) else "manual",
        }


def usage(actor: Actor | None, org_id: int) -> dict[str, Any]:
    """The meters of the current period: emails sent, contacts held, seats used."""
    require(actor, "billing:read")
    with in_org(org_id):
        sub = get_subscription(org_id)
        used, _limit, start, end = emails_used(org_id)
        contacts = count_contacts(org_id)
        seats = count_seats(org_id)
        plan = sub.plan

        def meter(value: int | None, cap: int) -> dict[str, Any]:
            return {
                "used": value,
                "limit": cap,
                "remaining": None if value is None else max(0, cap - value),
                "percent": None if value is None else (100 if cap == 0 else value * 100 // cap),
            }

        return {
            "plan": plan.code,
            "period_start": start,
            "period_end": end,
            "emails": meter(used, plan.email_quota),
            "contacts": meter(contacts, plan.contact_limit),
            "seats": meter(seats, plan.seats),
        }


def list_invoices(
    actor: Actor | None, org_id: int, *, limit: int = 50, cursor: str | None = None
) -> Page:
    require(actor, "billing:read")
    return history.list_invoices(org_id, limit=limit, cursor=cursor)


# --- Stripe Checkout and portal -----------------------------------------------------------


def _ensure_customer(sub: Subscription, org_id: int) -> str:
    if sub.stripe_customer_id:
        return sub.stripe_customer_id
    info = organization_info(org_id)
    # The operation id covers the parameters: a retry within Stripe's 24 hours gets the
    # same customer back; a renamed organization is a new operation, not a 409.
    digest = hashlib.sha256(f"{info.name}\0{info.owner_email}".encode()).hexdigest()[:16]
    customer = gateway.create_customer(
        org_id=org_id,
        name=info.name,
        email=info.owner_email,
        idempotency=gateway.idempotency_key("customer", org_id, digest),
    )
    sub.stripe_customer_id = str(customer["id"])
    db.session.flush()
    return sub.stripe_customer_id


def start_checkout(
    actor: Actor | None, org_id: int, plan_code: str, *, operation_id: str | None = None
) -> dict[str, Any]:
    """Open a Stripe Checkout Session (subscription mode) for ``plan_code``; returns its URL.

    ``operation_id`` (the client's, for safe retries) makes a repeated request return
    the same session. The plan becomes active when Stripe's signed webhook says so.
    """
    require(actor, "billing:manage")
    if operation_id is not None and not OPERATION_ID.match(operation_id):
        raise ValidationFailed(
            "operation_id must be 1-100 letters, digits or _.:-", code="invalid_operation_id"
        )
    plan = catalog.get_plan(plan_code)
    if not plan.purchasable:
        raise ValidationFailed(
            f"The {plan.name} plan cannot be bought"
            + (" (it is free)." if plan.price_cents == 0 else " (it is no longer offered)."),
            code="plan_not_purchasable",
        )
    with in_org(org_id):
        sub = get_subscription(org_id, lock=True)
        if _stripe_managed(sub):
            raise Conflict(
                f"The organization already pays for the {sub.plan.name} plan through Stripe; "
                "change plans in the billing portal.",
                code="subscription_exists",
                details={"plan": sub.plan.code, "status": sub.status},
            )
        customer = _ensure_customer(sub, org_id)
        operation_id = operation_id or uuid.uuid4().hex
        if plan.stripe_price_id:
            item: dict[str, Any] = {"price": plan.stripe_price_id, "quantity": 1}
        else:
            item = {
                "price_data": {
                    "currency": plan.currency,
                    "unit_amount": plan.price_cents,
                    "recurring": {"interval": "month"},
                    "product_data": {
                        "name": f"EngageX {plan.name}",
                        "metadata": {"plan_code": plan.code},
                    },
                },
                "quantity": 1,
            }
        metadata = {"engagex_org_id": str(org_id), "plan_code": plan.code}
        session = gateway.create_checkout_session(
            {
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": str(org_id),
                "line_items": [item],
                "success_url": _return_url("?checkout=success&session_id={CHECKOUT_SESSION_ID}"),
                "cancel_url": _return_url("?checkout=canceled"),
                "metadata": {**metadata, "operation_id": operation_id},
                "subscription_data": {"metadata": metadata},
            },
            idempotency=gateway.idempotency_key("checkout", org_id, operation_id),
        )
        return {
            "id": session["id"],
            "url": session["url"],
            "expires_at": from_timestamp(session.get("expires_at")),
            "plan": plan.code,
            "operation_id": operation_id,
        }


def open_portal(actor: Actor | None, org_id: int) -> dict[str, Any]:
    """A Stripe Billing Portal session URL (payment method, invoices, plan, cancel)."""
    require(actor, "billing:manage")
    with in_org(org_id):
        sub = get_subscription(org_id)
        if not sub.stripe_customer_id:
            raise Conflict(
                "This organization has no Stripe billing account yet; upgrade through a "
                "checkout first.",
                code="no_billing_account",
            )
        session = gateway.create_portal_session(
            customer=sub.stripe_customer_id,
            return_url=_return_url(),
            idempotency=gateway.idempotency_key("portal", org_id, uuid.uuid4().hex),
        )
        return {"url": session["url"]}


# --- operator actions ---------------------------------------------------------------------


def operator_set_plan(
    actor: Actor | None,
    org_id: int,
    plan_code: str,
    *,
    reason: str | None = None,
    force: bool = False,
) -> Subscription:
    """Put the organization on a plan by hand (comped plans, support); audited.

    Refused (409 ``stripe_managed``) while a live Stripe subscription bills the
    organization, unless ``force``: Stripe's next update of that subscription wins again.
    """
    require(actor, "billing:manage")
    plan = catalog.get_plan(plan_code)
    with in_org(org_id):
        sub = get_subscription(org_id, lock=True)
        if _stripe_managed(sub) and not force:
            raise Conflict(
                f"The organization is billed through Stripe subscription "
                f"{sub.stripe_subscription_id} ({sub.plan.name}, {sub.status}); change the plan "
                "in Stripe, or force the override (Stripe's next update will replace it).",
                code="stripe_managed",
            )
        old_plan, old_status = sub.plan.code, sub.status
        _set_plan(sub, plan, "operator")
        if sub.status == "canceled":
            set_status(sub, "active", now())
        # Audit trail: the audit log service is not available to billing yet (see
        # docs/billing.md); the override is logged with everything an auditor needs.
        log.warning(
            "billing: operator override for organization %s: plan %s -> %s, status %s -> %s%s",
            org_id,
            old_plan,
            plan.code,
            old_status,
            sub.status,
            f" ({reason})" if reason else "",
            extra={
                "audit_action": "billing.plan_overridden",
                "organization_id": org_id,
                "actor": actor.get_id() if actor else "system",
                "old_plan": old_plan,
                "new_plan": plan.code,
                "reason": reason,
                "forced": force,
            },
        )
        return sub


def sync_from_stripe(actor: Actor | None, org_id: int) -> dict[str, Any]:
    """Re-read the organization's subscription and invoices from Stripe (repairs drift
    from missed webhooks); the live state read from the API wins."""
    require(actor, "billing:manage")
    with in_org(org_id):
        sub = get_subscription(org_id, lock=True)
        if not sub.stripe_customer_id:
            raise Conflict(
                "This organization has no Stripe billing account to sync.",
                code="no_billing_account",
            )
        customer = sub.stripe_customer_id
        candidates = [
            s for s in gateway.list_subscriptions(customer) if STRIPE_STATUS.get(s.get("status"))
        ]
        outcome = "no subscription in Stripe"
        if candidates:
            live = [s for s in candidates if s.get("status") != "canceled"]
            current = [s for s in candidates if s.get("id") == sub.stripe_subscription_id]
            # The newest live subscription; else what became of the one we follow.
            chosen = max(live or current or candidates, key=lambda s: int(s.get("created") or 0))
            outcome = apply_stripe_subscription(sub, chosen, now(), force=True)
        invoices = gateway.list_invoices(customer)
        for invoice in invoices:
            history.upsert_invoice(org_id, invoice)
        return {
            "plan": sub.plan.code,
            "status": sub.status,
            "subscription": sub.stripe_subscription_id,
            "invoices": len(invoices),
            "outcome": outcome,
        }


def seed_plans(
    actor: Actor | None, *, update: bool = False, prices: dict[str, str] | None = None
) -> list[tuple[Plan, str]]:
    """Create the default plans (``update`` resets them) and attach Stripe Price ids."""
    if actor is not None and actor.kind != "system":
        from engagex.permissions import PermissionDenied

        raise PermissionDenied("billing:manage")  # the catalog is the operator's
    return catalog.seed_plans(update=update, prices=prices)
