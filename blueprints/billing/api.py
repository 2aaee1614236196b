"""REST adapter of billing under /api/v1/billing (owners manage, owners and admins read)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.billing import services
from blueprints.billing.schemas import (
    CheckoutRequestSchema,
    CheckoutSchema,
    InvoiceSchema,
    PlanListSchema,
    PortalSchema,
    SubscriptionSchema,
    UsageSchema,
)
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires

blp = Blueprint(
    "billing", __name__, url_prefix="/api/v1/billing", description="Plans, subscription, usage"
)


def _org_id() -> int:
    org_id = current_actor().organization_id
    assert org_id is not None  # requires() answered 401 otherwise
    return org_id


@blp.route("/plans")
class Plans(MethodView):
    @requires("billing:read")
    @blp.response(200, PlanListSchema)
    def get(self) -> Any:
        """The plans on offer, cheapest first."""
        return {"items": services.list_plans(current_actor()), "next_cursor": None}


@blp.route("/subscription")
class CurrentSubscription(MethodView):
    @requires("billing:read")
    @blp.response(200, SubscriptionSchema)
    def get(self) -> Any:
        """The organization's plan, status, billing period and whether it may send."""
        return services.subscription_view(current_actor(), _org_id())


@blp.route("/usage")
class Usage(MethodView):
    @requires("billing:read")
    @blp.response(200, UsageSchema)
    def get(self) -> Any:
        """Emails sent this period, contacts held and seats used, against the plan."""
        return services.usage(current_actor(), _org_id())


@blp.route("/checkout")
class Checkout(MethodView):
    @requires("billing:manage")
    @blp.arguments(CheckoutRequestSchema)
    @blp.response(201, CheckoutSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Start an upgrade: a Stripe Checkout Session; send the user to its `url`.

        The plan changes when Stripe confirms the payment (webhook), not here.
        """
        return services.start_checkout(
            current_actor(), _org_id(), data["plan"], operation_id=data["operation_id"]
        )


@blp.route("/portal")
class Portal(MethodView):
    @requires("billing:manage")
    @blp.response(201, PortalSchema)
    def post(self) -> Any:
        """A Stripe Billing Portal session: payment method, invoices, plan changes."""
        return services.open_portal(current_actor(), _org_id())


@blp.route("/invoices")
class Invoices(MethodView):
    @requires("billing:read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(InvoiceSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """The billing history, newest first."""
        return services.list_invoices(
            current_actor(), _org_id(), limit=args["limit"], cursor=args["cursor"]
        )
