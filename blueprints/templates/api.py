"""REST adapter of templates under /api/v1: CRUD, revisions, previews, test sends."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.templates import previews, services
from blueprints.templates.schemas import (
    DraftPreviewRequestSchema,
    PreviewRequestSchema,
    PreviewSchema,
    RevisionSchema,
    RevisionSummarySchema,
    SendTestRequestSchema,
    SendTestResultSchema,
    StarterSchema,
    TemplateCreateSchema,
    TemplateListArgs,
    TemplateSchema,
    TemplateSummarySchema,
    TemplateUpdateSchema,
)
from blueprints.templates.starters import STARTERS
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires

blp = Blueprint(
    "templates",
    __name__,
    url_prefix="/api/v1",
    description="Email templates, revisions, previews and test sends",
)


def _preview_body(revision_id: int | None, message: Any) -> dict[str, Any]:
    return {
        "subject": message.subject,
        "html": message.html,
        "text": message.text,
        "revision_id": revision_id,
    }


@blp.route("/templates")
class Templates(MethodView):
    @requires("templates:read")
    @blp.arguments(TemplateListArgs, location="query")
    @blp.response(200, page_schema(TemplateSummarySchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Templates of the organization, newest first."""
        return services.list_templates(
            current_actor(), limit=args["limit"], cursor=args["cursor"], kind=args["kind"]
        )

    @requires("templates:write")
    @blp.arguments(TemplateCreateSchema)
    @blp.response(201, TemplateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a template from HTML, MJML or a starter; 422 lists every problem
        (field, line, code) when it does not validate."""
        return services.create_template(current_actor(), data)


@blp.route("/templates/starters")
class Starters(MethodView):
    @requires("templates:read")
    @blp.response(200, StarterSchema(many=True))
    def get(self) -> Any:
        """The starter templates a new template can begin from."""
        return list(STARTERS.values())


@blp.route("/templates/preview")
class DraftPreview(MethodView):
    @requires("templates:write")
    @blp.arguments(DraftPreviewRequestSchema)
    @blp.response(200, PreviewSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Validate and render unsaved content (live preview while editing)."""
        contact_id = data.pop("contact_id", None)
        sample = data.pop("sample", None)
        message = previews.preview_draft(
            current_actor(), data, contact_id=contact_id, sample=sample
        )
        return _preview_body(None, message)


@blp.route("/templates/<id:template_id>")
class TemplateItem(MethodView):
    @requires("templates:read")
    @blp.response(200, TemplateSchema)
    def get(self, template_id: int) -> Any:
        return services.get_template(current_actor(), template_id)

    @requires("templates:write")
    @blp.arguments(TemplateUpdateSchema)
    @blp.response(200, TemplateSchema)
    def patch(self, data: dict[str, Any], template_id: int) -> Any:
        """Change fields; content changes are saved as a new revision."""
        return services.update_template(current_actor(), template_id, data)

    @requires("templates:write")
    @blp.response(204)
    def delete(self, template_id: int) -> None:
        """Delete the template (its revisions stay for the campaigns that use them)."""
        services.delete_template(current_actor(), template_id)


@blp.route("/templates/<id:template_id>/revisions")
class Revisions(MethodView):
    @requires("templates:read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(RevisionSummarySchema))
    def get(self, args: dict[str, Any], template_id: int) -> Page:
        """Revisions of a template, newest first."""
        return services.list_revisions(
            current_actor(), template_id, limit=args["limit"], cursor=args["cursor"]
        )


@blp.route("/templates/<id:template_id>/revisions/<id:revision_id>")
class RevisionItem(MethodView):
    @requires("templates:read")
    @blp.response(200, RevisionSchema)
    def get(self, template_id: int, revision_id: int) -> Any:
        return services.get_revision(current_actor(), revision_id, template_id=template_id)


@blp.route("/templates/<id:template_id>/preview")
class Preview(MethodView):
    @requires("templates:read")
    @blp.arguments(PreviewRequestSchema)
    @blp.response(200, PreviewSchema)
    def post(self, data: dict[str, Any], template_id: int) -> Any:
        """Render subject, HTML and text for a contact (``contact_id``) or ``sample``
        data. Show the HTML only in a sandboxed iframe (srcdoc, no allow-same-origin)."""
        revision, message = previews.preview(
            current_actor(),
            template_id,
            contact_id=data.get("contact_id"),
            sample=data.get("sample"),
            revision_id=data.get("revision_id"),
        )
        return _preview_body(revision.id, message)


@blp.route("/templates/<id:template_id>/test-send")
class SendTest(MethodView):
    @requires("templates:write")
    @blp.arguments(SendTestRequestSchema)
    @blp.response(202, SendTestResultSchema)
    def post(self, data: dict[str, Any], template_id: int) -> Any:
        """Send a test (subject prefixed "[Test] ", header X-EngageX-Test) to at most
        five addresses; at most 50 test messages per organization and hour (429)."""
        return previews.send_test(
            current_actor(),
            template_id,
            emails=data["emails"],
            contact_id=data.get("contact_id"),
            sample=data.get("sample"),
            revision_id=data.get("revision_id"),
        )
