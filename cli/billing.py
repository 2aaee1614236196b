"""``engagex billing``: plans, an organization's subscription and usage, operator actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import rich_click as click

from blueprints.billing import services as billing
from blueprints.billing.models import Plan
from cli._common import emit, json_option, org_option, org_transaction, transaction


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "code": plan.code,
        "name": plan.name,
        "price_cents": plan.price_cents,
        "currency": plan.currency,
        "email_quota": plan.email_quota,
        "contact_limit": plan.contact_limit,
        "seats": plan.seats,
        "features": plan.features,
        "stripe_price_id": plan.stripe_price_id,
        "purchasable": plan.purchasable,
    }


def _money(cents: int, currency: str) -> str:
    return "free" if cents == 0 else f"{cents / 100:,.2f} {currency.upper()}"


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"


def _meter(meter: dict[str, Any]) -> str:
    if meter["used"] is None:
        return f"unknown of {meter['limit']:,} (contacts are not installed)"
    return f"{meter['used']:,} of {meter['limit']:,} ({meter['percent']} %), {meter['remaining']:,} left"


@click.group()
def billing_group() -> None:
    """Plans, subscriptions, usage and Stripe billing."""


@billing_group.command("plans")
@click.option("--all", "show_all", is_flag=True, help="Include plans no longer offered.")
@json_option
def plans(show_all: bool, as_json: bool) -> None:
    """List the plans and their limits."""
    from blueprints.billing import catalog

    with transaction():
        items = catalog.list_plans(include_inactive=show_all)
        data = [_plan(p) for p in items]
    emit(
        data,
        as_json,
        columns=["code", "name", "per month", "emails", "contacts", "seats", "Stripe price"],
        rows=lambda: [
            (
                d["code"],
                d["name"],
                _money(d["price_cents"], d["currency"]),
                f"{d['email_quota']:,}",
                f"{d['contact_limit']:,}",
                d["seats"],
                d["stripe_price_id"] or ("inline" if d["price_cents"] else "-"),
            )
            for d in data
        ],
        title="Plans",
    )


@billing_group.command("status")
@org_option
@json_option
def status(org_slug: str, as_json: bool) -> None:
    """Show the organization's plan, status, billing period and usage meters."""
    with org_transaction(org_slug) as org:
        view = billing.subscription_view(None, org.id)
        meters = billing.usage(None, org.id)
        data = {
            "organization": org.slug,
            **{k: v for k, v in view.items() if k != "plan"},
            "plan": _plan(view["plan"]),
            "usage": {k: meters[k] for k in ("emails", "contacts", "seats")},
        }
    if as_json:
        emit(data, as_json)
        return
    plan = data["plan"]
    lines = [
        f"organization  {data['organization']}",
        f"plan          {plan['name']} ({plan['code']}"
        + (
            f", {_money(plan['price_cents'], plan['currency'])} per month)"
            if plan["price_cents"]
            else ")"
        ),
        f"status        {data['status']}"
        + (" (cancels at period end)" if data["cancel_at_period_end"] else ""),
        f"period        {_day(data['current_period_start'])} to {_day(data['current_period_end'])}",
        f"emails        {_meter(data['usage']['emails'])}",
        f"contacts      {_meter(data['usage']['contacts'])}",
        f"seats         {_meter(data['usage']['seats'])}",
        "sending       "
        + ("allowed" if data["sending_allowed"] else "PAUSED")
        + (f": {data['sending_message']}" if data["sending_message"] else ""),
        f"billed by     {data['managed_by']}",
    ]
    click.echo("\n".join(lines))


@billing_group.command("set-plan")
@org_option
@click.argument("plan_code", metavar="PLAN")
@click.option("--reason", help="Why (kept in the audit trail).")
@click.option("--force", is_flag=True, help="Override even though Stripe bills the organization.")
@json_option
def set_plan(org_slug: str, plan_code: str, reason: str | None, force: bool, as_json: bool) -> None:
    """Put the organization on PLAN by hand (operator override, audited)."""
    with org_transaction(org_slug) as org:
        sub = billing.operator_set_plan(None, org.id, plan_code, reason=reason, force=force)
        data = {"organization": org.slug, "plan": sub.plan.code, "status": sub.status}
    if as_json:
        emit(data, as_json)
    else:
        click.echo(f"{data['organization']} is now on the {data['plan']} plan ({data['status']})")


@billing_group.command("sync")
@org_option
@json_option
def sync(org_slug: str, as_json: bool) -> None:
    """Re-read the organization's subscription and invoices from Stripe."""
    with org_transaction(org_slug) as org:
        data = {"organization": org.slug, **billing.sync_from_stripe(None, org.id)}
    if as_json:
        emit(data, as_json)
    else:
        click.echo(
            f"{data['organization']}: {data['plan']} plan, {data['status']}; "
            f"{data['invoices']} invoice(s) synced ({data['outcome']})"
        )


def _prices(values: tuple[str, ...]) -> dict[str, str]:
    prices = {}
    for value in values:
        code, sep, price = value.partition("=")
        if not sep or not code.strip() or not price.strip():
            raise click.BadParameter(f"{value!r} is not CODE=PRICE_ID", param_hint="--price")
        prices[code.strip()] = price.strip()
    return prices


@billing_group.command("seed-plans")
@click.option("--update", is_flag=True, help="Reset the default plans to the default limits.")
@click.option(
    "--price",
    "prices",
    multiple=True,
    metavar="CODE=PRICE_ID",
    help="Sell plan CODE with this recurring Stripe Price (repeatable).",
)
@json_option
def seed_plans(update: bool, prices: tuple[str, ...], as_json: bool) -> None:
    """Create the default plans (Free, Starter, Growth, Pro) if missing."""
    mapping = _prices(prices)
    with transaction():
        results = billing.seed_plans(None, update=update, prices=mapping)
        data = [{**_plan(plan), "action": action} for plan, action in results]
    emit(
        data,
        as_json,
        columns=["code", "name", "action", "Stripe price"],
        rows=lambda: [
            (d["code"], d["name"], d["action"], d["stripe_price_id"] or "") for d in data
        ],
        title="Plans",
    )


billing_group.name = "billing"
COMMANDS = [billing_group]
