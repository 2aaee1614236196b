"""The plan catalog: the default plans, seeding, and lookups.

The migration seeds the same four plans (with its own frozen copy of the values);
``engagex billing seed-plans`` adds missing ones, resets them with ``update=True`` and
attaches Stripe Price ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from blueprints.billing.models import Plan
from engagex.db import db
from engagex.errors import NotFound, ValidationFailed

FREE = "free"


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    price_cents: int
    email_quota: int
    contact_limit: int
    seats: int
    features: dict[str, Any] = field(default_factory=dict)
    currency: str = "usd"
    sort_order: int = 0


DEFAULT_PLANS: tuple[PlanSpec, ...] = (
    PlanSpec(
        FREE,
        "Free",
        0,
        1_000,
        500,
        2,
        {"sending_domains": 1, "api_access": True, "sso": False},
        sort_order=0,
    ),
    PlanSpec(
        "starter",
        "Starter",
        1_500,
        15_000,
        2_500,
        3,
        {"sending_domains": 2, "api_access": True, "sso": False},
        sort_order=1,
    ),
    PlanSpec(
        "growth",
        "Growth",
        4_900,
        75_000,
        10_000,
        10,
        {"sending_domains": 5, "api_access": True, "sso": False},
        sort_order=2,
    ),
    PlanSpec(
        "pro",
        "Pro",
        14_900,
        300_000,
        50_000,
        25,
        {"sending_domains": 20, "api_access": True, "sso": True},
        sort_order=3,
    ),
)


def list_plans(*, include_inactive: bool = False) -> list[Plan]:
    stmt = sa.select(Plan).order_by(Plan.sort_order, Plan.price_cents, Plan.code)
    if not include_inactive:
        stmt = stmt.where(Plan.is_active.is_(True))
    return list(db.session.scalars(stmt))


def find_plan(code: str) -> Plan | None:
    return db.session.scalars(sa.select(Plan).where(Plan.code == code)).one_or_none()


def get_plan(code: str) -> Plan:
    """The plan ``code``; ``NotFound`` (code ``plan_not_found``) lists the known codes."""
    plan = find_plan(code.strip().lower())
    if plan is None:
        known = ", ".join(p.code for p in list_plans(include_inactive=True)) or "none seeded"
        raise NotFound(f"unknown plan {code!r} (plans: {known})", code="plan_not_found")
    return plan


def free_plan() -> Plan:
    plan = find_plan(FREE)
    if plan is None:
        raise NotFound(
            "the Free plan is missing; run 'engagex billing seed-plans'", code="plans_not_seeded"
        )
    return plan


def plan_for_price(price_id: str | None) -> Plan | None:
    if not price_id:
        return None
    return db.session.scalars(sa.select(Plan).where(Plan.stripe_price_id == price_id)).first()


def seed_plans(
    *, update: bool = False, prices: dict[str, str] | None = None
) -> list[tuple[Plan, str]]:
    """Create the default plans that are missing; return ``(plan, action)`` pairs.

    ``update`` resets existing default plans to the default limits and prices;
    ``prices`` maps plan codes (any existing plan) to Stripe Price ids.
    """
    prices = {k.strip().lower(): v.strip() for k, v in (prices or {}).items()}
    results: list[tuple[Plan, str]] = []
    for spec in DEFAULT_PLANS:
        plan = find_plan(spec.code)
        values = {
            "name": spec.name,
            "price_cents": spec.price_cents,
            "currency": spec.currency,
            "email_quota": spec.email_quota,
            "contact_limit": spec.contact_limit,
            "seats": spec.seats,
            "features": dict(spec.features),
            "sort_order": spec.sort_order,
        }
        if plan is None:
            plan = Plan(code=spec.code, is_active=True, **values)
            db.session.add(plan)
            results.append((plan, "created"))
        elif update:
            for key, value in values.items():
                setattr(plan, key, value)
            results.append((plan, "updated"))
        else:
            results.append((plan, "unchanged"))
    db.session.flush()
    by_code = {plan.code: (i, plan) for i, (plan, _) in enumerate(results)}
    for code, price_id in prices.items():
        if not price_id.startswith("price_"):
            raise ValidationFailed(
                f"{price_id!r} is not a Stripe Price id (price_...)", code="invalid_price"
            )
        plan = get_plan(code)
        if plan.price_cents == 0:
            raise ValidationFailed(f"the {plan.name} plan is free: it has no Stripe price")
        owner = plan_for_price(price_id)
        if owner is not None and owner.id != plan.id:
            raise ValidationFailed(
                f"{price_id} is already the price of the {owner.name} plan", code="invalid_price"
            )
        plan.stripe_price_id = price_id
        if code in by_code:
            index, _ = by_code[code]
            action = results[index][1]
            results[index] = (plan, "created" if action == "created" else "price set")
        else:
            results.append((plan, "price set"))
    db.session.flush()
    return results
