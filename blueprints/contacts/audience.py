"""Who can be sent to: saved segments, the suppression list, and the audience query.

``audience_select`` is the contract with the campaigns domain: the set-based selection
of sendable contacts for some groups and segments, used in one ``INSERT ... SELECT``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from blueprints.contacts import segments
from blueprints.contacts.models import (
    SUPPRESSION_REASONS,
    Contact,
    ContactField,
    Group,
    Segment,
    Suppression,
)
from blueprints.contacts.models import GroupMember as Member
from blueprints.contacts.validation import (
    InvalidValue,
    clean_name,
    email_domain,
    normalize_domain,
    normalize_email,
)
from engagex.api import Page, keyset_page
from engagex.db import db, utcnow
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

PREVIEW_LIMIT = 100


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- segments ---------------------------------------------------------------------------


def _context() -> segments.Context:
    fields = {n: t for n, t in db.session.execute(sa.select(ContactField.name, ContactField.type))}
    return segments.Context(fields=fields, dialect=_dialect(), now=utcnow())


def check_definition(definition: object) -> dict[str, Any]:
    """Validate a tree for the current organization (fields and groups must exist)."""
    ctx = _context()
    checked = segments.validate(definition, ctx)
    if ctx.group_ids:
        known = set(db.session.scalars(sa.select(Group.id).where(Group.id.in_(ctx.group_ids))))
        missing = sorted(ctx.group_ids - known)
        if missing:
            raise segments.SegmentInvalid("$", f"no group with id {missing[0]}")
    return checked


def condition_for(definition: Mapping[str, Any]) -> sa.ColumnElement[bool]:
    """The SQL condition of a (re-validated) definition, correlated with ``Contact``."""
    ctx = _context()
    return segments.compile_condition(segments.validate(definition, ctx), ctx)


def segment_condition(segment: Segment) -> sa.ColumnElement[bool]:
    return condition_for(segment.definition)


def _clean_segment_name(name: object) -> str:
    value = name.strip() if isinstance(name, str) else ""
    if not value or len(value) > 200 or "\x00" in value:
        raise ValidationFailed("a segment name has 1 to 200 characters", code="invalid_name")
    return value


def get_segment(actor: Actor | None, segment_id: int) -> Segment:
    require(actor, "contacts:read")
    found = db.session.scalars(sa.select(Segment).where(Segment.id == segment_id)).one_or_none()
    if found is None:
        raise NotFound(f"segment {segment_id} not found", code="segment_not_found")
    return found


def find_segment(actor: Actor | None, ref: str) -> Segment:
    require(actor, "contacts:read")
    found = db.session.scalars(sa.select(Segment).where(Segment.name == ref.strip())).first()
    if found is None and ref.isdigit():
        return get_segment(actor, int(ref))
    if found is None:
        raise NotFound(f"no segment named {ref!r}", code="segment_not_found")
    return found


def list_segments(actor: Actor | None, *, limit: int = 50, cursor: str | None = None) -> Page:
    require(actor, "contacts:read")
    return keyset_page(sa.select(Segment), [Segment.id], limit=limit, cursor=cursor)


def _name_taken(name: str, except_id: int | None = None) -> bool:
    stmt = sa.select(Segment.id).where(Segment.name == name)
    if except_id is not None:
        stmt = stmt.where(Segment.id != except_id)
    return db.session.scalars(stmt).first() is not None


def create_segment(
    actor: Actor | None, *, name: str, definition: object, description: str | None = None
) -> Segment:
    require(actor, "contacts:write")
    name = _clean_segment_name(name)
    if _name_taken(name):
        raise Conflict(f"a segment named {name!r} exists", code="segment_exists")
    segment = Segment(
        name=name,
        definition=check_definition(definition),
        description=clean_name(description, "description"),
    )
    db.session.add(segment)
    db.session.flush()
    return segment


def update_segment(actor: Actor | None, segment_id: int, data: Mapping[str, Any]) -> Segment:
    require(actor, "contacts:write")
    segment = get_segment(actor, segment_id)
    if "name" in data:
        name = _clean_segment_name(data["name"])
        if _name_taken(name, segment.id):
            raise Conflict(f"a segment named {name!r} exists", code="segment_exists")
        segment.name = name
    if "definition" in data:
        segment.definition = check_definition(data["definition"])
    if "description" in data:
        segment.description = clean_name(data["description"], "description")
    db.session.flush()
    return segment


def delete_segment(actor: Actor | None, segment_id: int) -> None:
    require(actor, "contacts:write")
    db.session.delete(get_segment(actor, segment_id))
    db.session.flush()


def count_matching(actor: Actor | None, definition: Mapping[str, Any]) -> int:
    """How many live contacts a (saved or ad-hoc) definition matches."""
    require(actor, "contacts:read")
    condition = condition_for(check_definition(definition))
    stmt = sa.select(sa.func.count()).select_from(Contact).where(condition)
    return db.session.scalar(stmt) or 0


def preview_matching(
    actor: Actor | None,
    definition: Mapping[str, Any],
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """A page of the matching contacts, newest first."""
    require(actor, "contacts:read")
    condition = condition_for(check_definition(definition))
    return keyset_page(
        sa.select(Contact).where(condition),
        [Contact.id],
        limit=min(limit, PREVIEW_LIMIT),
        cursor=cursor,
        descending=True,
    )


def segments_using_field(name: str) -> list[str]:
    """Names of the segments whose definition mentions ``attributes.<name>``."""
    needle = f"attributes.{name}"
    return sorted(
        segment.name
        for segment in db.session.scalars(sa.select(Segment))
        if needle in json.dumps(segment.definition)
    )


# --- suppressions -----------------------------------------------------------------------


def parse_suppression(raw: str) -> tuple[str, str]:
    """``(kind, value)``: an address (``a@b.example``) or a domain (``b.example``, ``@b.example``)."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        if "@" in text.lstrip("@"):
            return "email", normalize_email(text)
        return "domain", normalize_domain(text)
    except InvalidValue as exc:
        raise ValidationFailed(str(exc), code="invalid_value", details={"field": "value"}) from exc


def _reason(reason: str) -> str:
    if reason not in SUPPRESSION_REASONS:
        raise ValidationFailed(
            f"reason must be one of {', '.join(SUPPRESSION_REASONS)}", code="invalid_value"
        )
    return reason


def list_suppressions(
    actor: Actor | None,
    *,
    limit: int = 50,
    cursor: str | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> Page:
    require(actor, "contacts:read")
    stmt = sa.select(Suppression)
    if kind:
        stmt = stmt.where(Suppression.kind == kind)
    if search:
        stmt = stmt.where(Suppression.value.icontains(search.strip(), autoescape=True))
    return keyset_page(stmt, [Suppression.id], limit=limit, cursor=cursor, descending=True)


def get_suppression(actor: Actor | None, suppression_id: int) -> Suppression:
    require(actor, "contacts:read")
    found = db.session.scalars(
        sa.select(Suppression).where(Suppression.id == suppression_id)
    ).one_or_none()
    if found is None:
        raise NotFound("suppression not found", code="suppression_not_found")
    return found


def add_suppression(
    actor: Actor | None, value: str, *, reason: str = "manual", note: str | None = None
) -> Suppression:
    """Suppress an address or a domain; a second identical entry is a conflict."""
    require(actor, "contacts:write")
    kind, normalized = parse_suppression(value)
    if db.session.scalars(sa.select(Suppression.id).where(Suppression.value == normalized)).first():
        raise Conflict(f"{normalized} is already suppressed", code="already_suppressed")
    entry = Suppression(
        kind=kind, value=normalized, reason=_reason(reason), note=clean_name(note, "note")
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def suppress(value: str, reason: str) -> bool:
    """Idempotent suppression for other domains (bounces, complaints, unsubscribes).

    Returns whether a new entry was made. Works for the system actor only: it is called
    by webhooks and jobs inside the organization's tenant context.
    """
    kind, normalized = parse_suppression(value)
    dialect = postgresql if _dialect() == "postgresql" else sqlite
    stmt = (
        dialect.insert(Suppression)
        .values(
            organization_id=require_org_id(), kind=kind, value=normalized, reason=_reason(reason)
        )
        .on_conflict_do_nothing()
        .returning(Suppression.id)
    )
    return db.session.execute(stmt).first() is not None


def import_suppressions(
    actor: Actor | None, values: Iterable[str], *, reason: str = "import"
) -> dict[str, Any]:
    """Suppress many values; returns ``added``, ``existing`` and ``invalid`` (line, reason)."""
    require(actor, "contacts:write")
    _reason(reason)
    added = existing = 0
    invalid: list[dict[str, Any]] = []
    for line, raw in enumerate(values, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            if suppress(raw, reason):
                added += 1
            else:
                existing += 1
        except ValidationFailed as exc:
            invalid.append({"line": line, "reason": exc.message})
    return {"added": added, "existing": existing, "invalid": invalid}


def remove_suppression(actor: Actor | None, suppression_id: int) -> None:
    require(actor, "contacts:write")
    db.session.delete(get_suppression(actor, suppression_id))
    db.session.flush()


def suppression_of(email: str) -> Suppression | None:
    """The entry that suppresses ``email`` (its address first, then its domain)."""
    address = normalize_email(email)
    entries = {
        s.value: s
        for s in db.session.scalars(
            sa.select(Suppression).where(Suppression.value.in_([address, email_domain(address)]))
        )
    }
    return entries.get(address) or entries.get(email_domain(address))


def _domain_of(column: Any) -> Any:
    if _dialect() == "postgresql":
        return sa.func.split_part(column, "@", 2)
    return sa.func.substr(column, sa.func.instr(column, "@") + 1)


def suppressed_condition() -> sa.ColumnElement[bool]:
    """True for a ``Contact`` whose address or domain is on the suppression list."""
    return (
        sa.select(Suppression.id)
        .where(Suppression.value.in_([Contact.email, _domain_of(Contact.email)]))
        .exists()
    )


def audience_select(
    group_ids: Sequence[int] = (), segment_ids: Sequence[int] = ()
) -> sa.Select[Any]:
    """``SELECT id, email`` of the sendable contacts in any of the groups or segments.

    Live, ``subscribed`` and not suppressed; each contact once. Groups and segments must
    belong to the current organization (404 otherwise).
    """
    parts: list[sa.ColumnElement[bool]] = []
    if group_ids:
        known = set(db.session.scalars(sa.select(Group.id).where(Group.id.in_(group_ids))))
        for group_id in group_ids:
            if group_id not in known:
                raise NotFound(f"group {group_id} not found", code="group_not_found")
        parts.append(
            sa.select(Member.contact_id)
            .where(Member.contact_id == Contact.id, Member.group_id.in_(list(group_ids)))
            .exists()
        )
    for segment_id in segment_ids:
        parts.append(segment_condition(get_segment(None, segment_id)))
    return sa.select(Contact.id, Contact.email).where(
        sa.or_(*parts) if parts else sa.false(),
        Contact.status == "subscribed",
        sa.not_(suppressed_condition()),
    )
