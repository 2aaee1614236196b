"""The one place templates read contacts (previews and test sends for a real contact).

The contacts domain owns contacts; this module only asks its services for one contact
of the current organization and turns it into the render fields
(``email``, ``first_name``, ``last_name``, ``attributes``).
"""

from __future__ import annotations

import importlib
from typing import Any

from engagex.errors import AppError, NotFound
from engagex.permissions import Actor


class ContactsUnavailable(AppError):
    status = 501
    code = "contacts_unavailable"


def _contacts_services() -> Any:
    try:
        return importlib.import_module("blueprints.contacts.services")
    except ModuleNotFoundError as exc:
        if exc.name not in ("blueprints.contacts", "blueprints.contacts.services"):
            raise
        raise ContactsUnavailable(
            "contacts are not available in this installation; preview with 'sample' data"
        ) from exc


def _fields(contact: Any) -> dict[str, Any]:
    def get(name: str) -> Any:
        if isinstance(contact, dict):
            return contact.get(name)
        return getattr(contact, name, None)

    return {
        "email": get("email") or "",
        "first_name": get("first_name") or "",
        "last_name": get("last_name") or "",
        "attributes": dict(get("attributes") or {}),
    }


def contact_by_id(actor: Actor | None, contact_id: int) -> dict[str, Any]:
    """Render fields of contact ``contact_id``; ``NotFound`` for another org's contact."""
    services = _contacts_services()
    getter = getattr(services, "get_contact", None)
    if getter is None:
        raise ContactsUnavailable("the contacts domain has no get_contact(actor, contact_id)")
    return _fields(getter(actor, contact_id))


def contact_by_email(actor: Actor | None, email: str) -> dict[str, Any]:
    """Render fields of the contact with this address in the current organization."""
    services = _contacts_services()
    # ``find_contact(actor, ref)`` takes an id or an address and raises NotFound.
    getter = getattr(services, "find_contact", None)
    if getter is None:
        raise ContactsUnavailable(
            "the contacts domain has no find_contact(actor, ref); use --sample"
        )
    contact = getter(actor, email.strip())
    if contact is None:  # pragma: no cover - find_contact raises instead
        raise NotFound(f"no contact with the address {email!r}", code="contact_not_found")
    return _fields(contact)
