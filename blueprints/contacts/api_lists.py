"""REST adapter of groups, segments and the suppression list under /api/v1."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.contacts import audience, services
from blueprints.contacts.schemas import (
    ContactCountSchema,
    ContactSchema,
    DefinitionSchema,
    GroupSchema,
    GroupUpdateSchema,
    MembersChangedSchema,
    MembersSchema,
    SegmentSchema,
    SegmentUpdateSchema,
    SuppressionListArgs,
    SuppressionSchema,
)
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires

groups = Blueprint("groups", __name__, url_prefix="/api/v1", description="Groups (lists)")
segments = Blueprint(
    "segments", __name__, url_prefix="/api/v1", description="Saved segments and their counts"
)
suppressions = Blueprint(
    "suppressions",
    __name__,
    url_prefix="/api/v1",
    description="Addresses and domains that are never sent to",
)


@groups.route("/groups")
class Groups(MethodView):
    @requires("contacts:read")
    @groups.arguments(PageArgs, location="query")
    @groups.response(200, page_schema(GroupSchema))
    def get(self, args: dict[str, Any]) -> Page:
        return services.list_groups(current_actor(), limit=args["limit"], cursor=args["cursor"])

    @requires("contacts:write")
    @groups.arguments(GroupSchema)
    @groups.response(201, GroupSchema)
    def post(self, data: dict[str, Any]) -> Any:
        return services.create_group(
            current_actor(), name=data["name"], description=data.get("description")
        )


@groups.route("/groups/<id:group_id>")
class GroupItem(MethodView):
    @requires("contacts:read")
    @groups.response(200, GroupSchema)
    def get(self, group_id: int) -> Any:
        return services.with_member_counts([services.get_group(current_actor(), group_id)])[0]

    @requires("contacts:write")
    @groups.arguments(GroupUpdateSchema)
    @groups.response(200, GroupSchema)
    def patch(self, data: dict[str, Any], group_id: int) -> Any:
        return services.update_group(current_actor(), group_id, data)

    @requires("contacts:write")
    @groups.response(204)
    def delete(self, group_id: int) -> None:
        """Delete the group; its contacts stay."""
        services.delete_group(current_actor(), group_id)


@groups.route("/groups/<id:group_id>/members")
class GroupMembers(MethodView):
    @requires("contacts:write")
    @groups.arguments(MembersSchema)
    @groups.response(200, MembersChangedSchema)
    def post(self, data: dict[str, Any], group_id: int) -> dict[str, int]:
        """Add contacts by id or address (up to 1000 at once)."""
        changed = services.add_to_group(
            current_actor(), group_id, contact_ids=data["contact_ids"], emails=data["emails"]
        )
        return {"changed": changed}

    @requires("contacts:write")
    @groups.arguments(MembersSchema)
    @groups.response(200, MembersChangedSchema)
    def delete(self, data: dict[str, Any], group_id: int) -> dict[str, int]:
        """Remove contacts from the group (they stay contacts)."""
        changed = services.remove_from_group(
            current_actor(), group_id, contact_ids=data["contact_ids"], emails=data["emails"]
        )
        return {"changed": changed}


@segments.route("/segments")
class Segments(MethodView):
    @requires("contacts:read")
    @segments.arguments(PageArgs, location="query")
    @segments.response(200, page_schema(SegmentSchema))
    def get(self, args: dict[str, Any]) -> Page:
        return audience.list_segments(current_actor(), limit=args["limit"], cursor=args["cursor"])

    @requires("contacts:write")
    @segments.arguments(SegmentSchema)
    @segments.response(201, SegmentSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Save a condition tree; an invalid one is a 422 naming the path of the bad node."""
        return audience.create_segment(
            current_actor(),
            name=data["name"],
            definition=data["definition"],
            description=data.get("description"),
        )


@segments.route("/segments/count")
class SegmentDraftCount(MethodView):
    @requires("contacts:read")
    @segments.arguments(DefinitionSchema)
    @segments.response(200, ContactCountSchema)
    def post(self, data: dict[str, Any]) -> dict[str, int]:
        """Count the contacts an unsaved definition matches."""
        return {"count": audience.count_matching(current_actor(), data["definition"])}


@segments.route("/segments/preview")
class SegmentDraftPreview(MethodView):
    @requires("contacts:read")
    @segments.arguments(DefinitionSchema)
    @segments.arguments(PageArgs, location="query")
    @segments.response(200, page_schema(ContactSchema))
    def post(self, data: dict[str, Any], args: dict[str, Any]) -> Page:
        """A page of the contacts an unsaved definition matches, newest first."""
        page = audience.preview_matching(
            current_actor(), data["definition"], limit=args["limit"], cursor=args["cursor"]
        )
        services.with_group_ids(page.items)
        return page


@segments.route("/segments/<id:segment_id>")
class SegmentItem(MethodView):
    @requires("contacts:read")
    @segments.response(200, SegmentSchema)
    def get(self, segment_id: int) -> Any:
        return audience.get_segment(current_actor(), segment_id)

    @requires("contacts:write")
    @segments.arguments(SegmentUpdateSchema)
    @segments.response(200, SegmentSchema)
    def patch(self, data: dict[str, Any], segment_id: int) -> Any:
        return audience.update_segment(current_actor(), segment_id, data)

    @requires("contacts:write")
    @segments.response(204)
    def delete(self, segment_id: int) -> None:
        audience.delete_segment(current_actor(), segment_id)


@segments.route("/segments/<id:segment_id>/count")
class SegmentCount(MethodView):
    @requires("contacts:read")
    @segments.response(200, ContactCountSchema)
    def get(self, segment_id: int) -> dict[str, int]:
        segment = audience.get_segment(current_actor(), segment_id)
        return {"count": audience.count_matching(current_actor(), segment.definition)}


@segments.route("/segments/<id:segment_id>/preview")
class SegmentPreview(MethodView):
    @requires("contacts:read")
    @segments.arguments(PageArgs, location="query")
    @segments.response(200, page_schema(ContactSchema))
    def get(self, args: dict[str, Any], segment_id: int) -> Page:
        segment = audience.get_segment(current_actor(), segment_id)
        page = audience.preview_matching(
            current_actor(), segment.definition, limit=args["limit"], cursor=args["cursor"]
        )
        services.with_group_ids(page.items)
        return page


@suppressions.route("/suppressions")
class Suppressions(MethodView):
    @requires("contacts:read")
    @suppressions.arguments(SuppressionListArgs, location="query")
    @suppressions.response(200, page_schema(SuppressionSchema))
    def get(self, args: dict[str, Any]) -> Page:
        return audience.list_suppressions(
            current_actor(),
            limit=args["limit"],
            cursor=args["cursor"],
            kind=args.get("kind"),
            search=args.get("q"),
        )

    @requires("contacts:write")
    @suppressions.arguments(SuppressionSchema)
    @suppressions.response(201, SuppressionSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Suppress an address (``a@b.example``) or a whole domain (``b.example``)."""
        return audience.add_suppression(
            current_actor(), data["value"], reason=data["reason"], note=data.get("note")
        )


@suppressions.route("/suppressions/<id:suppression_id>")
class SuppressionItem(MethodView):
    @requires("contacts:read")
    @suppressions.response(200, SuppressionSchema)
    def get(self, suppression_id: int) -> Any:
        return audience.get_suppression(current_actor(), suppression_id)

    @requires("contacts:write")
    @suppressions.response(204)
    def delete(self, suppression_id: int) -> None:
        """Lift the suppression (contacts keep their own status)."""
        audience.remove_suppression(current_actor(), suppression_id)
