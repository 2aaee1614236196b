"""REST adapter of accounts under /api/v1: the current organization, members, API keys."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.views import MethodView

from blueprints.accounts import services
from blueprints.accounts.schemas import (
    ApiKeyCreatedSchema,
    ApiKeySchema,
    MemberSchema,
    OrganizationSchema,
    OrganizationUpdateSchema,
)
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires
from engagex.extensions import login_manager
from engagex.permissions import Actor

blp = Blueprint(
    "accounts", __name__, url_prefix="/api/v1", description="Organization, members, API keys"
)


def load_actor_from_request(request: Request) -> Actor | None:
    """flask-login request loader: ``Authorization: Bearer <api key>``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return services.authenticate_api_key(token.strip())


def init_app(app: Flask) -> None:
    login_manager.request_loader(load_actor_from_request)


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


@blp.route("/members")
class Members(MethodView):
    @requires("members:read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(MemberSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Members of the organization, oldest first."""
        return services.list_members(current_actor(), limit=args["limit"], cursor=args["cursor"])


@blp.route("/members/<id:member_id>")
class Member(MethodView):
    @requires("members:read")
    @blp.response(200, MemberSchema)
    def get(self, member_id: int) -> Any:
        return services.get_member(current_actor(), member_id)


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
        fields = ("id", "name", "role", "prefix", "created_at")
        return {"key": token, **{name: getattr(key, name) for name in fields}}


@blp.route("/api-keys/<id:key_id>")
class ApiKeyItem(MethodView):
    @requires("api_keys:manage")
    @blp.response(204)
    def delete(self, key_id: int) -> None:
        """Revoke a key at once."""
        services.revoke_api_key(current_actor(), key_id)
