"""REST adapter: the signed-in person's notifications and preferences."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.notifications import services
from blueprints.notifications.schemas import (
    InboxArgs,
    InboxSchema,
    NotificationSchema,
    PreferencesSchema,
    ReadAllSchema,
)
from engagex.api import Blueprint, current_actor, requires

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="In-app notifications",
)


@blp.route("")
class Inbox(MethodView):
    @requires("org:read", people_only=True)
    @blp.arguments(InboxArgs, location="query")
    @blp.response(200, InboxSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The caller's notifications in this organization, newest first, with the unread count."""
        actor = current_actor()
        page = services.list_notifications(
            actor, unread_only=args["unread"], limit=args["limit"], cursor=args["cursor"]
        )
        return {
            "items": page.items,
            "next_cursor": page.next_cursor,
            "unread_count": services.unread_count(actor),
        }


@blp.route("/<id:notification_id>/read")
class ReadOne(MethodView):
    @requires("org:read", people_only=True)
    @blp.response(200, NotificationSchema)
    def post(self, notification_id: int) -> Any:
        """Mark one notification read."""
        return services.mark_read(current_actor(), notification_id)


@blp.route("/read-all")
class ReadAll(MethodView):
    @requires("org:read", people_only=True)
    @blp.response(200, ReadAllSchema)
    def post(self) -> dict[str, int]:
        """Mark every notification of the caller in this organization read."""
        return {"marked": services.mark_all_read(current_actor())}


@blp.route("/preferences")
class Preferences(MethodView):
    @requires("org:read", people_only=True)
    @blp.response(200, PreferencesSchema)
    def get(self) -> dict[str, Any]:
        """Every notification type with the caller's choice per channel."""
        return {"items": services.get_preferences(current_actor())}

    @requires("org:read", people_only=True)
    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    def put(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change choices; types or channels left out keep their current value."""
        return {"items": services.set_preferences(current_actor(), data["items"])}
