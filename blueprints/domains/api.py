"""REST adapter of sending domains under /api/v1/domains."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.domains import services
from blueprints.domains.schemas import DomainSchema
from engagex.api import Blueprint, Page, PageArgs, current_actor, page_schema, requires

blp = Blueprint(
    "domains",
    __name__,
    url_prefix="/api/v1/domains",
    description="Sending domains: DNS records to publish, verification, DKIM",
)


@blp.route("")
class Domains(MethodView):
    @requires("domains:read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(DomainSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Sending domains of the organization, oldest first."""
        return services.list_domains(current_actor(), limit=args["limit"], cursor=args["cursor"])

    @requires("domains:manage")
    @blp.arguments(DomainSchema)
    @blp.response(201, DomainSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a domain; the response lists the DNS records to publish before verifying."""
        return services.create_domain(
            current_actor(), name=data["name"], provider=data.get("provider")
        )


@blp.route("/<id:domain_id>")
class Domain(MethodView):
    @requires("domains:read")
    @blp.response(200, DomainSchema)
    def get(self, domain_id: int) -> Any:
        """A domain with its records and the outcome of the last check."""
        return services.get_domain(current_actor(), domain_id)

    @requires("domains:manage")
    @blp.response(204)
    def delete(self, domain_id: int) -> None:
        """Remove the domain and its DKIM key; sending from it is refused afterwards."""
        services.delete_domain(current_actor(), domain_id)


@blp.route("/<id:domain_id>/verify")
class VerifyDomain(MethodView):
    @requires("domains:manage")
    @blp.response(200, DomainSchema)
    def post(self, domain_id: int) -> Any:
        """Check the records in DNS now; each record gets a status and a diagnostic.

        Unanswered DNS queries (timeout, SERVFAIL) leave the domain pending.
        """
        return services.verify_domain(current_actor(), domain_id)
