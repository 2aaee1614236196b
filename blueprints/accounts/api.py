"""REST adapter of accounts under /api/v1: the current organization, members,
invitations, API keys and the audit log."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from blueprints.accounts import ratelimit, services
from blueprints.accounts.schemas import (
    ApiKeyCreatedSchema,
    ApiKeySchema,
    AuditArgs,
    AuditEventSchema,
    InvitationArgs,
    InvitationCreateSchema,
    InvitationSchema,
    MemberArgs,
    MemberSchema,
    MemberUpdateSchema,
    OrganizationSchema,
    OrganizationUpdateSchema,
    TransferOwnershipSchema,
)
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires

blp = Blueprint(
    "accounts",
    __name__,
    url_prefix="/api/v1",
    description="Organization, members, invitations, API keys, audit log",
)


def _current_org() -> Any:
    return services.get_organization_by_id(current_actor().organization_id)


@blp.route("/organization")
class CurrentOrganization(MethodView):
    @requires("org:read")
    @blp.response(200, OrganizationSchema)
    def get(self) -> Any:
        """The organization of the caller."""
        return _current_org()

    @requires("org:manage")
    @blp.arguments(OrganizationUpdateSchema)
    @blp.response(200, OrganizationSchema)
    def patch(self, data: dict[str, Any]) -> Any:
        """Rename the organization or change its defaults."""
        return services.update_organization(_current_org(), current_actor(), data)


@blp.route("/organization/transfer-ownership")
class TransferOwnership(MethodView):
    @requires("org:delete")
    @blp.arguments(TransferOwnershipSchema)
    @blp.response(200, MemberSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Make another member owner; a person who transfers becomes an admin."""
        return services.transfer_ownership(current_actor(), data["member_id"])


@blp.route("/organization/leave")
class LeaveOrganization(MethodView):
    @requires("org:read")
    @blp.response(204)
    def post(self) -> None:
        """Leave the current organization (the last owner cannot)."""
        services.leave(current_actor())


@blp.route("/organizations/<id:org_id>")
class OrganizationItem(MethodView):
    @requires("org:delete")
    @blp.response(204)
    def delete(self, org_id: int) -> None:
        """Delete the caller's organization (soft: members and keys lose access at once)."""
        services.delete_organization(current_actor(), org_id)


@blp.route("/members")
class Members(MethodView):
    @requires("members:read")
    @blp.arguments(MemberArgs, location="query")
    @blp.response(200, page_schema(MemberSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Members of the organization, oldest first."""
        return services.list_members(
            current_actor(), limit=args["limit"], cursor=args["cursor"], role=args.get("role")
        )


@blp.route("/members/<id:member_id>")
class Member(MethodView):
    @requires("members:read")
    @blp.response(200, MemberSchema)
    def get(self, member_id: int) -> Any:
        return services.get_member(current_actor(), member_id)

    @requires("members:manage")
    @blp.arguments(MemberUpdateSchema)
    @blp.response(200, MemberSchema)
    def patch(self, data: dict[str, Any], member_id: int) -> Any:
        """Change a member's role (only owners grant or take away the owner role)."""
        return services.set_role(current_actor(), member_id, data["role"])

    @requires("members:manage")
    @blp.response(204)
    def delete(self, member_id: int) -> None:
        """Remove a member (the organization keeps at least one owner)."""
        services.remove_member(current_actor(), member_id)


def _limit_invitation_sends() -> None:
    ratelimit.hit("invitations_org", str(current_actor().organization_id))
    ratelimit.hit("invitations_ip", request.remote_addr or "-")


@blp.route("/invitations")
class Invitations(MethodView):
    @requires("members:read")
    @blp.arguments(InvitationArgs, location="query")
    @blp.response(200, page_schema(InvitationSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Invitations, newest first (``status`` defaults to ``pending``)."""
        return services.list_invitations(
            current_actor(), limit=args["limit"], cursor=args["cursor"], status=args["status"]
        )

    @requires("members:manage")
    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, InvitationSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Invite someone by email; the link is valid 7 days and works once."""
        _limit_invitation_sends()
        invitation, _token = services.create_invitation(
            current_actor(), email=data["email"], role=data["role"]
        )
        return invitation


@blp.route("/invitations/<id:invitation_id>")
class InvitationItem(MethodView):
    @requires("members:read")
    @blp.response(200, InvitationSchema)
    def get(self, invitation_id: int) -> Any:
        return services.get_invitation(current_actor(), invitation_id)

    @requires("members:manage")
    @blp.response(204)
    def delete(self, invitation_id: int) -> None:
        """Revoke a pending invitation: its link stops working."""
        services.revoke_invitation(current_actor(), invitation_id)


@blp.route("/invitations/<id:invitation_id>/resend")
class InvitationResend(MethodView):
    @requires("members:manage")
    @blp.response(200, InvitationSchema)
    def post(self, invitation_id: int) -> Any:
        """Email a fresh link, valid 7 more days; the previous link stops working."""
        _limit_invitation_sends()
        invitation, _token = services.resend_invitation(current_actor(), invitation_id)
        return invitation


@blp.route("/api-keys")
class ApiKeys(MethodView):
    @requires("api_keys:manage")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(ApiKeySchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Live API keys (the secrets are never shown again)."""
        return services.list_api_keys(current_actor(), limit=args["limit"], cursor=args["cursor"])

    @requires("api_keys:manage")
    @blp.arguments(ApiKeySchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a key; the response holds the token, shown only this once."""
        key, token = services.create_api_key(current_actor(), name=data["name"], role=data["role"])
        fields = ("id", "name", "role", "prefix", "created_by_id", "last_used_at", "created_at")
        return {"key": token, **{name: getattr(key, name) for name in fields}}


@blp.route("/api-keys/<id:key_id>")
class ApiKeyItem(MethodView):
    @requires("api_keys:manage")
    @blp.response(200, ApiKeySchema)
    def get(self, key_id: int) -> Any:
        return services.get_api_key(current_actor(), key_id)

    @requires("api_keys:manage")
    @blp.response(204)
    def delete(self, key_id: int) -> None:
        """Revoke a key at once."""
        services.revoke_api_key(current_actor(), key_id)


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @requires("audit:read")
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, page_schema(AuditEventSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """The organization's audit log, newest first."""
        return services.audit.list_events(
            current_actor(),
            limit=args["limit"],
            cursor=args["cursor"],
            action=args.get("action"),
            actor_user_id=args.get("actor_user_id"),
            since=args.get("since"),
        )
