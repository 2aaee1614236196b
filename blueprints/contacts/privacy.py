"""Data subject requests: everything held about one address, and its erasure.

Other domains contribute what they hold through ``register_data_section`` (export) and
the ``contact_erased`` signal (erasure). Erasure removes the personal data itself: the
contact rows (memberships go with them), the address's suppression entry, and its rows
in the organization's rejected-rows files and import reports. Aggregate figures (import
counts, campaign statistics) carry no address and stay.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from blueprints.contacts.audience import suppression_of
from blueprints.contacts.models import Contact, Group, Import, Suppression
from blueprints.contacts.models import GroupMember as Member
from blueprints.contacts.signals import contact_erased
from blueprints.contacts.storage import org_import_files
from blueprints.contacts.validation import InvalidValue, normalize_email
from engagex.db import db
from engagex.errors import NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

DataSection = Callable[[int, str, list[int]], Any]
_SECTIONS: dict[str, DataSection] = {}


def register_data_section(name: str, section: DataSection) -> None:
    """Add ``name`` to every per-contact export: ``section(org_id, email, contact_ids)``."""
    _SECTIONS[name] = section


def _address(raw: str) -> str:
    try:
        return normalize_email(raw)
    except InvalidValue as exc:
        raise ValidationFailed(str(exc), code="invalid_email") from exc


def _rows_of(email: str) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.email == email)
            .order_by(Contact.id)
            .execution_options(include_deleted=True)
        )
    )


def contact_data(actor: Actor | None, email: str) -> dict[str, Any]:
    """Everything the product holds about ``email`` in this organization, as JSON values."""
    require(actor, "contacts:export")
    email = _address(email)
    rows = _rows_of(email)
    suppression = suppression_of(email)
    if not rows and suppression is None:
        raise NotFound(f"nothing is held about {email}", code="contact_not_found")
    ids = [c.id for c in rows]
    groups: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for contact_id, group_id, name, since in db.session.execute(
            sa.select(Member.contact_id, Group.id, Group.name, Member.created_at)
            .join(Group, Group.id == Member.group_id)
            .where(Member.contact_id.in_(ids))
            .order_by(Group.name)
        ):
            groups.setdefault(contact_id, []).append(
                {"id": group_id, "name": name, "member_since": since.isoformat()}
            )

    def iso(value: Any) -> Any:
        return value.isoformat() if value is not None else None

    data: dict[str, Any] = {
        "email": email,
        "contacts": [
            {
                "id": c.id,
                "email": c.email,
                "first_name": c.first_name,
                "last_name": c.last_name,
                "attributes": c.attributes,
                "status": c.status,
                "source": c.source,
                "consent_at": iso(c.consent_at),
                "consent_ip": c.consent_ip,
                "created_at": iso(c.created_at),
                "updated_at": iso(c.updated_at),
                "deleted_at": iso(c.deleted_at),
                "groups": groups.get(c.id, []),
            }
            for c in rows
        ],
        "suppression": None
        if suppression is None
        else {
            "kind": suppression.kind,
            "value": suppression.value,
            "reason": suppression.reason,
            "created_at": iso(suppression.created_at),
        },
    }
    for name, section in sorted(_SECTIONS.items()):
        data[name] = section(require_org_id(), email, ids)
    return data


def _scrub_file(path: Path, email: str) -> int:
    """Drop the rows of a CSV file that mention ``email``; returns how many went."""
    kept: list[list[str]] = []
    removed = 0
    with path.open(newline="", encoding="utf-8") as fh:
        for cells in csv.reader(fh):
            if any(email in cell.lower() for cell in cells):
                removed += 1
            else:
                kept.append(cells)
    if removed:
        temporary = path.with_suffix(".scrub")
        with temporary.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(kept)
        os.replace(temporary, path)
    return removed


def erase_contact(actor: Actor | None, email: str) -> dict[str, int]:
    """Erase ``email`` from the organization; returns what was removed (zeros if nothing)."""
    require(actor, "contacts:write")
    email = _address(email)
    rows = _rows_of(email)
    ids = [c.id for c in rows]
    if ids:
        db.session.execute(sa.delete(Member).where(Member.contact_id.in_(ids)))
        db.session.execute(
            sa.delete(Contact)
            .where(Contact.id.in_(ids))
            .execution_options(include_deleted=True, synchronize_session=False)
        )
    suppressions = db.session.execute(sa.delete(Suppression).where(Suppression.value == email))
    file_rows = sum(
        _scrub_file(p, email) for p in org_import_files(require_org_id(), "rejected.csv")
    )
    reports = 0
    for record in db.session.scalars(sa.select(Import).where(Import.invalid > 0)):
        errors = record.errors or []
        cleaned = [e for e in errors if email not in str(e.get("reason", "")).lower()]
        if len(cleaned) != len(errors):
            record.errors = cleaned
            reports += 1
    db.session.flush()
    contact_erased.send(Contact, org_id=require_org_id(), email=email, contact_ids=ids)
    result = {
        "contacts": len(ids),
        "suppressions": max(suppressions.rowcount, 0),
        "rejected_rows": file_rows,
        "import_reports": reports,
    }
    return result
