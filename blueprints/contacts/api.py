"""REST adapter of contacts under /api/v1: contacts, custom fields, data requests."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.contacts import privacy, services
from blueprints.contacts.schemas import (
    ContactCountSchema,
    ContactFieldSchema,
    ContactFieldUpdateSchema,
    ContactListArgs,
    ContactSchema,
    ContactUpdateSchema,
    EmailSchema,
    ErasureSchema,
)
from engagex.api import Blueprint, Page, current_actor, page_schema, requires

blp = Blueprint(
    "contacts",
    __name__,
    url_prefix="/api/v1",
    description="Contacts, custom fields, per-contact data export and erasure",
)


def _filters(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "group_id": args.get("group_id"),
        "segment_id": args.get("segment_id"),
        "status": args.get("status"),
        "search": args.get("q"),
    }


def _one(contact: Any) -> Any:
    return services.with_group_ids([contact])[0]


@blp.route("/contacts")
class Contacts(MethodView):
    @requires("contacts:read")
    @blp.arguments(ContactListArgs, location="query")
    @blp.response(200, page_schema(ContactSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Contacts, newest first; filter by group, segment, status or text."""
        return services.list_contacts(
            current_actor(), limit=args["limit"], cursor=args["cursor"], **_filters(args)
        )

    @requires("contacts:write")
    @blp.arguments(ContactSchema)
    @blp.response(201, ContactSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a contact (the address is normalised; one live contact per address)."""
        return _one(services.create_contact(current_actor(), data))


@blp.route("/contacts/count")
class ContactCount(MethodView):
    @requires("contacts:read")
    @blp.arguments(ContactListArgs, location="query")
    @blp.response(200, ContactCountSchema)
    def get(self, args: dict[str, Any]) -> dict[str, int]:
        """How many contacts match the same filters as the list."""
        return {"count": services.count_contacts(current_actor(), **_filters(args))}


@blp.route("/contacts/<id:contact_id>")
class ContactItem(MethodView):
    @requires("contacts:read")
    @blp.response(200, ContactSchema)
    def get(self, contact_id: int) -> Any:
        return _one(services.get_contact(current_actor(), contact_id))

    @requires("contacts:write")
    @blp.arguments(ContactUpdateSchema)
    @blp.response(200, ContactSchema)
    def patch(self, data: dict[str, Any], contact_id: int) -> Any:
        """Change fields; attributes merge (null removes one); group_ids replaces the set."""
        return _one(services.update_contact(current_actor(), contact_id, data))

    @requires("contacts:write")
    @blp.response(204)
    def delete(self, contact_id: int) -> None:
        """Delete (hide) the contact; use erase to remove its personal data."""
        services.delete_contact(current_actor(), contact_id)


@blp.route("/contacts/<id:contact_id>/data")
class ContactData(MethodView):
    @requires("contacts:export")
    @blp.response(200)
    def get(self, contact_id: int) -> Any:
        """Everything held about this contact's address (a data subject export)."""
        contact = services.get_contact(current_actor(), contact_id)
        return privacy.contact_data(current_actor(), contact.email)


@blp.route("/contacts/<id:contact_id>/erase")
class ContactErase(MethodView):
    @requires("contacts:write")
    @blp.response(200, ErasureSchema)
    def post(self, contact_id: int) -> Any:
        """Erase this contact's address and all personal data held about it."""
        contact = services.get_contact(current_actor(), contact_id)
        return privacy.erase_contact(current_actor(), contact.email)


@blp.route("/contacts/data")
class AddressData(MethodView):
    @requires("contacts:export")
    @blp.arguments(EmailSchema, location="query")
    @blp.response(200)
    def get(self, args: dict[str, str]) -> Any:
        """Everything held about an address, including deleted contacts and suppression."""
        return privacy.contact_data(current_actor(), args["email"])


@blp.route("/contacts/erase")
class AddressErase(MethodView):
    @requires("contacts:write")
    @blp.arguments(EmailSchema)
    @blp.response(200, ErasureSchema)
    def post(self, data: dict[str, str]) -> Any:
        """Erase an address (zeros when nothing was held)."""
        return privacy.erase_contact(current_actor(), data["email"])


@blp.route("/contacts/fields")
class Fields(MethodView):
    @requires("contacts:read")
    @blp.response(200, ContactFieldSchema(many=True))
    def get(self) -> Any:
        """Custom field definitions (they type imports and segment conditions)."""
        return services.list_fields(current_actor())

    @requires("contacts:write")
    @blp.arguments(ContactFieldSchema)
    @blp.response(201, ContactFieldSchema)
    def post(self, data: dict[str, Any]) -> Any:
        return services.create_field(
            current_actor(), name=data["name"], type=data["type"], label=data.get("label")
        )


@blp.route("/contacts/fields/<id:field_id>")
class FieldItem(MethodView):
    @requires("contacts:read")
    @blp.response(200, ContactFieldSchema)
    def get(self, field_id: int) -> Any:
        return services.get_field(current_actor(), field_id)

    @requires("contacts:write")
    @blp.arguments(ContactFieldUpdateSchema)
    @blp.response(200, ContactFieldSchema)
    def patch(self, data: dict[str, Any], field_id: int) -> Any:
        """Relabel a field (its name and type are fixed)."""
        return services.update_field(current_actor(), field_id, label=data["label"])

    @requires("contacts:write")
    @blp.response(204)
    def delete(self, field_id: int) -> None:
        """Delete a field and its values on every contact (not while a segment uses it)."""
        services.delete_field(current_actor(), field_id)
