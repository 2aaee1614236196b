"""REST adapter of outgoing webhooks under /api/v1/webhooks: endpoints, the delivery
log, replays and test pings (permission ``webhooks:manage``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.analytics.outgoing import services
from blueprints.analytics.schemas import (
    DeliveryArgs,
    DeliverySchema,
    EventTypesSchema,
    WebhookCreateSchema,
    WebhookSchema,
    WebhookSecretSchema,
    WebhookUpdateSchema,
)
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Outgoing webhooks: signed HTTPS deliveries of the organization's events",
)

ITEM = "/<id:webhook_id>"


@blp.route("")
class Webhooks(MethodView):
    @requires("webhooks:manage")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(WebhookSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """The organization's endpoints."""
        return services.list_endpoints(current_actor(), **args)

    @requires("webhooks:manage")
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookSecretSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Register an endpoint; the answer carries its signing secret (only now)."""
        return services.create_endpoint(current_actor(), data)


@blp.route("/event-types")
class EventTypes(MethodView):
    @requires("webhooks:manage")
    @blp.response(200, EventTypesSchema)
    def get(self) -> Any:
        """The event types an endpoint can receive (``*``: all)."""
        return {"items": [{"type": t, "description": d} for t, d in services.EVENT_TYPES.items()]}


@blp.route(ITEM)
class Webhook(MethodView):
    @requires("webhooks:manage")
    @blp.response(200, WebhookSchema)
    def get(self, webhook_id: int) -> Any:
        return services.get_endpoint(current_actor(), webhook_id)

    @requires("webhooks:manage")
    @blp.arguments(WebhookUpdateSchema)
    @blp.response(200, WebhookSchema)
    def patch(self, data: dict[str, Any], webhook_id: int) -> Any:
        """Change the URL, the event types, the description, or turn it off."""
        return services.update_endpoint(current_actor(), webhook_id, data)

    @requires("webhooks:manage")
    @blp.response(204)
    def delete(self, webhook_id: int) -> None:
        """Remove the endpoint and its delivery log."""
        services.delete_endpoint(current_actor(), webhook_id)


@blp.route(f"{ITEM}/rotate-secret")
class RotateSecret(MethodView):
    @requires("webhooks:manage")
    @blp.response(200, WebhookSecretSchema)
    def post(self, webhook_id: int) -> Any:
        """A new signing secret; the old one also signs for 24 hours."""
        return services.rotate_secret(current_actor(), webhook_id)


@blp.route(f"{ITEM}/test")
class TestPing(MethodView):
    @requires("webhooks:manage")
    @blp.response(202, DeliverySchema)
    def post(self, webhook_id: int) -> Any:
        """Queue a ``ping`` event to the endpoint."""
        return services.send_test(current_actor(), webhook_id)


@blp.route(f"{ITEM}/deliveries")
class Deliveries(MethodView):
    @requires("webhooks:manage")
    @blp.arguments(DeliveryArgs, location="query")
    @blp.response(200, page_schema(DeliverySchema))
    def get(self, args: dict[str, Any], webhook_id: int) -> Page:
        """The endpoint's delivery log, newest first."""
        return services.list_deliveries(current_actor(), webhook_id, **args)


@blp.route("/deliveries/<id:delivery_id>")
class Delivery(MethodView):
    @requires("webhooks:manage")
    @blp.response(200, DeliverySchema)
    def get(self, delivery_id: int) -> Any:
        return services.get_delivery(current_actor(), delivery_id)


@blp.route("/deliveries/<id:delivery_id>/replay")
class Replay(MethodView):
    @requires("webhooks:manage")
    @blp.response(202, DeliverySchema)
    def post(self, delivery_id: int) -> Any:
        """Deliver the event again (a new delivery with the same event id)."""
        return services.replay(current_actor(), delivery_id)
