"""Contacts, custom fields and groups: the logic shared by the API, the CLI and jobs.

Every function works in the current tenant context, takes the actor explicitly
(``None`` = system), checks its permission, flushes and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from blueprints.contacts import audience
from blueprints.contacts.models import CONTACT_STATUSES, FIELD_TYPES, Contact, ContactField, Group
from blueprints.contacts.models import GroupMember as Member
from blueprints.contacts.validation import (
    InvalidValue,
    check_field_name,
    clean_ip,
    clean_name,
    coerce_attribute,
    normalize_email,
    parse_datetime,
)
from engagex.api import Page, keyset_page
from engagex.db import db, utcnow
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

MAX_BULK_IDS = 1000


def _invalid(exc: InvalidValue, field: str, code: str = "invalid_value") -> ValidationFailed:
    return ValidationFailed(str(exc), code=code, details={"field": field})


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def insert_ignoring_conflicts(model: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the session's backend."""
    dialect = postgresql if dialect_name() == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()


# --- custom fields ----------------------------------------------------------------------


def field_types() -> dict[str, str]:
    """Custom field name -> type for the current organization."""
    rows = db.session.execute(sa.select(ContactField.name, ContactField.type))
    return {name: kind for name, kind in rows}


def list_fields(actor: Actor | None) -> list[ContactField]:
    require(actor, "contacts:read")
    return list(db.session.scalars(sa.select(ContactField).order_by(ContactField.name)))


def get_field(actor: Actor | None, field_id: int) -> ContactField:
    require(actor, "contacts:read")
    found = db.session.get(ContactField, field_id)
    if found is None or found.organization_id != require_org_id():
        raise NotFound("custom field not found", code="field_not_found")
    return found


def create_field(
    actor: Actor | None, *, name: str, type: str = "text", label: str | None = None
) -> ContactField:
    require(actor, "contacts:write")
    try:
        name = check_field_name(name)
    except InvalidValue as exc:
        raise _invalid(exc, "name", "invalid_field_name") from exc
    if type not in FIELD_TYPES:
        raise ValidationFailed(
            f"unknown field type {type!r}; one of: {', '.join(FIELD_TYPES)}",
            code="invalid_field_type",
        )
    if name in field_types():
        raise Conflict(f"a custom field named {name!r} already exists", code="field_exists")
    created = ContactField(name=name, type=type, label=clean_name(label, "label"))
    db.session.add(created)
    db.session.flush()
    return created


def update_field(actor: Actor | None, field_id: int, *, label: str | None) -> ContactField:
    """Only the label changes: a field's name and type are what stored values mean."""
    require(actor, "contacts:write")
    found = get_field(actor, field_id)
    found.label = clean_name(label, "label")
    db.session.flush()
    return found


def delete_field(actor: Actor | None, field_id: int) -> None:
    """Delete a definition and its values on every contact; refused while a segment uses it."""
    require(actor, "contacts:write")
    found = get_field(actor, field_id)
    users = audience.segments_using_field(found.name)
    if users:
        raise Conflict(
            f"the field {found.name!r} is used by the segment(s) {', '.join(users)}",
            code="field_in_use",
        )
    if dialect_name() == "postgresql":
        removed = Contact.attributes.op("-", return_type=Contact.attributes.type)(
            sa.bindparam(None, found.name, type_=sa.Text)
        )
        has_key = sa.func.jsonb_typeof(Contact.attributes[found.name]).is_not(None)
    else:
        path = f'$."{found.name}"'
        removed = sa.func.json_remove(Contact.attributes, path)
        has_key = sa.func.json_type(Contact.attributes, path).is_not(None)
    db.session.execute(
        sa.update(Contact)
        .where(has_key)
        .values(attributes=removed)
        .execution_options(include_deleted=True, synchronize_session=False)
    )
    for loaded in list(db.session.identity_map.values()):
        if isinstance(loaded, Contact):  # the UPDATE bypassed them
            db.session.expire(loaded, ["attributes"])
    db.session.delete(found)
    db.session.flush()


def clean_attributes(
    values: Mapping[str, Any], types: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Check attribute values against the definitions; ``None`` removes a value."""
    if not isinstance(values, Mapping):
        raise ValidationFailed("attributes must be an object", code="invalid_value")
    types = field_types() if types is None else types
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if key not in types:
            raise ValidationFailed(
                f"no custom field named {key!r}; create it first (contacts/fields)",
                code="unknown_field",
                details={"field": f"attributes.{key}"},
            )
        try:
            cleaned[key] = None if value is None else coerce_attribute(key, types[key], value)
        except InvalidValue as exc:
            raise _invalid(exc, f"attributes.{key}") from exc
    return cleaned


# --- contacts ---------------------------------------------------------------------------


def _email(raw: object) -> str:
    try:
        return normalize_email(raw)  # type: ignore[arg-type]
    except InvalidValue as exc:
        raise _invalid(exc, "email", "invalid_email") from exc


def get_contact(actor: Actor | None, contact_id: int) -> Contact:
    require(actor, "contacts:read")
    found = db.session.scalars(sa.select(Contact).where(Contact.id == contact_id)).one_or_none()
    if found is None:
        raise NotFound("contact not found", code="contact_not_found")
    return found


def find_contact(actor: Actor | None, ref: str) -> Contact:
    """A live contact by id (digits) or email address (the CLI's way to name one)."""
    require(actor, "contacts:read")
    if ref.isdigit():
        return get_contact(actor, int(ref))
    email = _email(ref)
    found = db.session.scalars(sa.select(Contact).where(Contact.email == email)).one_or_none()
    if found is None:
        raise NotFound(f"no contact with the address {email}", code="contact_not_found")
    return found


def _apply_fields(contact: Contact, data: Mapping[str, Any]) -> None:
    for name in ("first_name", "last_name"):
        if name in data:
            try:
                setattr(contact, name, clean_name(data[name], name))
            except InvalidValue as exc:
                raise _invalid(exc, name) from exc
    if "status" in data:
        if data["status"] not in CONTACT_STATUSES:
            raise ValidationFailed(
                f"status must be one of {', '.join(CONTACT_STATUSES)}",
                code="invalid_status",
                details={"field": "status"},
            )
        contact.status = data["status"]
    if data.get("consent_at") is not None:
        try:
            contact.consent_at = parse_datetime(data["consent_at"], "consent_at")
        except InvalidValue as exc:
            raise _invalid(exc, "consent_at") from exc
    if "consent_ip" in data:
        try:
            contact.consent_ip = clean_ip(data["consent_ip"])
        except InvalidValue as exc:
            raise _invalid(exc, "consent_ip") from exc
    if data.get("attributes"):
        merged = dict(contact.attributes or {})
        for key, value in clean_attributes(data["attributes"]).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        contact.attributes = merged


def _email_taken(email: str, except_id: int | None = None) -> bool:
    stmt = sa.select(Contact.id).where(Contact.email == email)
    if except_id is not None:
        stmt = stmt.where(Contact.id != except_id)
    return db.session.scalars(stmt.limit(1)).first() is not None


def create_contact(actor: Actor | None, data: Mapping[str, Any], source: str = "api") -> Contact:
    """Create one contact; ``group_ids`` adds it to those groups."""
    require(actor, "contacts:write")
    email = _email(data.get("email"))
    if _email_taken(email):
        raise Conflict(f"a contact with the address {email} exists", code="contact_exists")
    groups = resolve_groups(data.get("group_ids") or [])
    contact = Contact(email=email, attributes={}, status="subscribed", source=source)
    _apply_fields(contact, data)
    db.session.add(contact)
    try:
        db.session.flush()
    except IntegrityError as exc:  # lost a race for the address
        raise Conflict(f"a contact with the address {email} exists", code="contact_exists") from exc
    _add_members([g.id for g in groups], [contact.id])
    return contact


def update_contact(actor: Actor | None, contact_id: int, data: Mapping[str, Any]) -> Contact:
    """Change fields; ``attributes`` merge (``null`` removes one); ``group_ids`` replaces."""
    require(actor, "contacts:write")
    contact = get_contact(actor, contact_id)
    if "email" in data:
        email = _email(data["email"])
        if email != contact.email and _email_taken(email, contact.id):
            raise Conflict(f"a contact with the address {email} exists", code="contact_exists")
        contact.email = email
    _apply_fields(contact, data)
    if "group_ids" in data:
        wanted = {g.id for g in resolve_groups(data["group_ids"] or [])}
        current = set(group_ids_of([contact.id]).get(contact.id, []))
        _add_members(sorted(wanted - current), [contact.id])
        if current - wanted:
            db.session.execute(
                sa.delete(Member).where(
                    Member.contact_id == contact.id, Member.group_id.in_(current - wanted)
                )
            )
    db.session.flush()
    return contact


def delete_contact(actor: Actor | None, contact_id: int) -> None:
    """Soft delete: hidden everywhere, out of every group; ``erase`` removes the data."""
    require(actor, "contacts:write")
    contact = get_contact(actor, contact_id)
    contact.deleted_at = utcnow()
    db.session.execute(sa.delete(Member).where(Member.contact_id == contact.id))
    db.session.flush()


def contacts_query(
    actor: Actor | None,
    *,
    group_id: int | None = None,
    segment_id: int | None = None,
    status: str | None = None,
    search: str | None = None,
) -> sa.Select[Any]:
    """Live contacts of the organization, filtered; reused by lists, counts and exports."""
    require(actor, "contacts:read")
    stmt = sa.select(Contact)
    if group_id is not None:
        get_group(actor, group_id)
        stmt = stmt.where(
            sa.select(Member.contact_id)
            .where(Member.contact_id == Contact.id, Member.group_id == group_id)
            .exists()
        )
    if segment_id is not None:
        stmt = stmt.where(audience.segment_condition(audience.get_segment(actor, segment_id)))
    if status is not None:
        if status not in CONTACT_STATUSES:
            raise ValidationFailed(
                f"status must be one of {', '.join(CONTACT_STATUSES)}", code="invalid_status"
            )
        stmt = stmt.where(Contact.status == status)
    if search:
        term = search.strip()
        stmt = stmt.where(
            sa.or_(
                Contact.email.icontains(term, autoescape=True),
                Contact.first_name.icontains(term, autoescape=True),
                Contact.last_name.icontains(term, autoescape=True),
            )
        )
    return stmt


def list_contacts(
    actor: Actor | None, *, limit: int = 50, cursor: str | None = None, **filters: Any
) -> Page:
    """Newest first, keyset-paginated on the ``(organization_id, id)`` index."""
    stmt = contacts_query(actor, **filters)
    page = keyset_page(stmt, [Contact.id], limit=limit, cursor=cursor, descending=True)
    with_group_ids(page.items)
    return page


def count_contacts(actor: Actor | None, **filters: Any) -> int:
    stmt = contacts_query(actor, **filters)
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def group_ids_of(contact_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if contact_ids:
        rows = db.session.execute(
            sa.select(Member.contact_id, Member.group_id)
            .where(Member.contact_id.in_(contact_ids))
            .order_by(Member.group_id)
        )
        for contact_id, group_id in rows:
            found.setdefault(contact_id, []).append(group_id)
    return found


def with_group_ids(contacts: Sequence[Contact]) -> Sequence[Contact]:
    """Set ``group_ids`` on each contact (one query for all of them) for serialization."""
    memberships = group_ids_of([c.id for c in contacts])
    for contact in contacts:
        contact.group_ids = memberships.get(contact.id, [])  # type: ignore[attr-defined]
    return contacts


# --- groups -----------------------------------------------------------------------------


def _clean_group_name(name: object) -> str:
    value = name.strip() if isinstance(name, str) else ""
    if not value or len(value) > 200 or "\x00" in value:
        raise ValidationFailed("a group name has 1 to 200 characters", code="invalid_name")
    return value


def get_group(actor: Actor | None, group_id: int) -> Group:
    require(actor, "contacts:read")
    found = db.session.scalars(sa.select(Group).where(Group.id == group_id)).one_or_none()
    if found is None:
        raise NotFound(f"group {group_id} not found", code="group_not_found")
    return found


def find_group(actor: Actor | None, ref: str) -> Group:
    """A group by id (digits) or exact name."""
    require(actor, "contacts:read")
    found = db.session.scalars(sa.select(Group).where(Group.name == ref.strip())).one_or_none()
    if found is None and ref.isdigit():
        return get_group(actor, int(ref))
    if found is None:
        raise NotFound(f"no group named {ref!r}", code="group_not_found")
    return found


def resolve_groups(ids: Iterable[object]) -> list[Group]:
    """Groups by id, each one of the current organization (else 404)."""
    wanted = list(dict.fromkeys(ids))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in wanted):
        raise ValidationFailed("group_ids must be a list of ids", code="invalid_value")
    found = {g.id: g for g in db.session.scalars(sa.select(Group).where(Group.id.in_(wanted)))}
    for group_id in wanted:
        if group_id not in found:
            raise NotFound(f"group {group_id} not found", code="group_not_found")
    return [found[i] for i in wanted]  # type: ignore[index]


def list_groups(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "contacts:read")
    page = keyset_page(sa.select(Group), [Group.id], limit=limit, cursor=cursor)
    with_member_counts(page.items)
    return page


def with_member_counts(groups: Sequence[Group]) -> Sequence[Group]:
    counts: dict[int, int] = {}
    if groups:
        rows = db.session.execute(
            sa.select(Member.group_id, sa.func.count())
            .join(Contact, Contact.id == Member.contact_id)
            .where(Member.group_id.in_([g.id for g in groups]))
            .group_by(Member.group_id)
        )
        counts = {group_id: n for group_id, n in rows}
    for group in groups:
        group.contact_count = counts.get(group.id, 0)  # type: ignore[attr-defined]
    return groups


def create_group(actor: Actor | None, *, name: str, description: str | None = None) -> Group:
    require(actor, "contacts:write")
    name = _clean_group_name(name)
    if db.session.scalars(sa.select(Group.id).where(Group.name == name)).first():
        raise Conflict(f"a group named {name!r} exists", code="group_exists")
    group = Group(name=name, description=clean_name(description, "description"))
    db.session.add(group)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a group named {name!r} exists", code="group_exists") from exc
    group.contact_count = 0  # type: ignore[attr-defined]
    return group


def get_or_create_group(actor: Actor | None, name: str) -> Group:
    try:
        return find_group(actor, name)
    except NotFound:
        return create_group(actor, name=name)


def update_group(actor: Actor | None, group_id: int, data: Mapping[str, Any]) -> Group:
    require(actor, "contacts:write")
    group = get_group(actor, group_id)
    if "name" in data:
        name = _clean_group_name(data["name"])
        clash = db.session.scalars(
            sa.select(Group.id).where(Group.name == name, Group.id != group.id)
        ).first()
        if clash:
            raise Conflict(f"a group named {name!r} exists", code="group_exists")
        group.name = name
    if "description" in data:
        group.description = clean_name(data["description"], "description")
    db.session.flush()
    with_member_counts([group])
    return group


def delete_group(actor: Actor | None, group_id: int) -> None:
    """Delete the list; its contacts stay (only the memberships go)."""
    require(actor, "contacts:write")
    group = get_group(actor, group_id)
    db.session.execute(sa.delete(Member).where(Member.group_id == group.id))
    db.session.delete(group)
    db.session.flush()


def _add_members(group_ids: Sequence[int], contact_ids: Sequence[int]) -> int:
    rows = [
        {"organization_id": require_org_id(), "group_id": g, "contact_id": c}
        for g in group_ids
        for c in contact_ids
    ]
    if not rows:
        return 0
    added = db.session.execute(insert_ignoring_conflicts(Member).returning(Member.contact_id), rows)
    return len(added.all())


def _contact_ids(contact_ids: Sequence[object] = (), emails: Sequence[str] = ()) -> list[int]:
    if len(contact_ids) + len(emails) > MAX_BULK_IDS:
        raise ValidationFailed(f"at most {MAX_BULK_IDS} contacts at once", code="too_many")
    ids = [i for i in contact_ids if isinstance(i, int) and not isinstance(i, bool)]
    if len(ids) != len(contact_ids):
        raise ValidationFailed("contact_ids must be a list of ids", code="invalid_value")
    found = set(db.session.scalars(sa.select(Contact.id).where(Contact.id.in_(ids))))
    for contact_id in ids:
        if contact_id not in found:
            raise NotFound(f"contact {contact_id} not found", code="contact_not_found")
    for raw in emails:
        email = _email(raw)
        contact_id = db.session.scalars(sa.select(Contact.id).where(Contact.email == email)).first()
        if contact_id is None:
            raise NotFound(f"no contact with the address {email}", code="contact_not_found")
        ids.append(contact_id)
    return list(dict.fromkeys(ids))


def add_to_group(
    actor: Actor | None,
    group_id: int,
    *,
    contact_ids: Sequence[object] = (),
    emails: Sequence[str] = (),
) -> int:
    """Add contacts (by id or address); returns how many were not members yet."""
    require(actor, "contacts:write")
    group = get_group(actor, group_id)
    return _add_members([group.id], _contact_ids(contact_ids, emails))


def remove_from_group(
    actor: Actor | None,
    group_id: int,
    *,
    contact_ids: Sequence[object] = (),
    emails: Sequence[str] = (),
) -> int:
    require(actor, "contacts:write")
    group = get_group(actor, group_id)
    ids = _contact_ids(contact_ids, emails)
    result = db.session.execute(
        sa.delete(Member).where(Member.group_id == group.id, Member.contact_id.in_(ids))
    )
    return max(result.rowcount, 0)
