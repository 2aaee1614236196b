"""Which file column feeds which contact field: header synonyms plus explicit choices."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from blueprints.contacts.validation import (
    BUILTIN_FIELDS,
    InvalidValue,
    check_field_name,
    field_name_from_header,
)
from engagex.errors import ValidationFailed

SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "mail address",
        "email_address",
        "emailaddress",
        "e-mail-adresse",
        "courriel",
        "correo",
        "correo electronico",
    ),
    "first_name": (
        "first_name",
        "first name",
        "firstname",
        "first",
        "given name",
        "given_name",
        "forename",
        "fname",
        "vorname",
        "prenom",
        "prénom",
        "nombre",
    ),
    "last_name": (
        "last_name",
        "last name",
        "lastname",
        "last",
        "surname",
        "family name",
        "family_name",
        "lname",
        "nachname",
        "nom",
        "apellido",
    ),
    "status": ("status", "subscription status", "subscription_status"),
    "consent_at": ("consent_at", "consent at", "consent date", "opt-in date", "optin date"),
    "consent_ip": ("consent_ip", "consent ip", "opt-in ip", "optin ip", "ip address", "ip"),
}


def header_key(header: str) -> str:
    """``"E-Mail Address"`` and ``"email_address"`` share the key ``emailaddress``."""
    return re.sub(r"[\W_]+", "", header.casefold())


_BY_KEY = {header_key(s): target for target, names in SYNONYMS.items() for s in names}


@dataclass
class Plan:
    """The resolved mapping of one file."""

    builtins: dict[str, int]
    """Built-in field -> column index (``email`` always present)."""
    attributes: list[tuple[str, str, int]]
    """(custom field name, type, column index)."""
    new_fields: list[str] = field(default_factory=list)
    """Custom fields (text) this import creates (``create_fields``)."""
    ignored: list[str] = field(default_factory=list)

    def describe(self, headers: list[str]) -> dict[str, object]:
        mapped = {headers[i]: name for name, i in self.builtins.items()}
        mapped.update({headers[i]: f"attributes.{name}" for name, _, i in self.attributes})
        return {"mapped": mapped, "ignored": self.ignored, "created_fields": self.new_fields}


def parse_map_options(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["email=E-mail", "plan=Tarif"]`` -> ``{"email": "E-mail", "plan": "Tarif"}``."""
    mapping: dict[str, str] = {}
    for item in items:
        target, sep, column = item.partition("=")
        if not sep or not target.strip() or not column.strip():
            raise ValidationFailed(
                f"invalid mapping {item!r}: use FIELD=COLUMN (e.g. email=E-mail)",
                code="invalid_mapping",
            )
        mapping[target.strip()] = column.strip()
    return mapping


def _find_column(headers: list[str], wanted: str) -> int:
    for index, header in enumerate(headers):
        if header == wanted:
            return index
    for index, header in enumerate(headers):
        if header_key(header) == header_key(wanted):
            return index
    raise ValidationFailed(
        f"no column named {wanted!r}; the file's columns are: {', '.join(headers)}",
        code="invalid_mapping",
    )


def resolve(
    headers: list[str],
    explicit: Mapping[str, str],
    field_types: Mapping[str, str],
    *,
    create_fields: bool = False,
) -> Plan:
    """Map columns to fields: explicit choices first, then synonyms and custom field names.

    Unmapped columns are ignored unless ``create_fields`` makes each a new text field.
    """
    builtins: dict[str, int] = {}
    attributes: dict[str, tuple[str, int]] = {}
    new_fields: list[str] = []
    used: set[int] = set()
    for target, column in explicit.items():
        index = _find_column(headers, column)
        name = target.removeprefix("attributes.")
        if target in BUILTIN_FIELDS:
            builtins[target] = index
        elif name in field_types:
            attributes[name] = (field_types[name], index)
        elif create_fields:
            try:
                check_field_name(name)
            except InvalidValue as exc:
                raise ValidationFailed(str(exc), code="invalid_mapping") from exc
            attributes[name] = ("text", index)
            new_fields.append(name)
        else:
            raise ValidationFailed(
                f"unknown field {target!r}: use one of {', '.join(BUILTIN_FIELDS)} or a custom "
                "field (create it first, or pass create_fields)",
                code="invalid_mapping",
            )
        used.add(index)
    ignored: list[str] = []
    for index, header in enumerate(headers):
        if index in used:
            continue
        target = _BY_KEY.get(header_key(header))
        name = field_name_from_header(header) if header else ""
        if target and target not in builtins:
            builtins[target] = index
        elif name in field_types and name not in attributes:
            attributes[name] = (field_types[name], index)
        elif create_fields and header and name not in attributes and target is None:
            attributes[name] = ("text", index)
            new_fields.append(name)
        else:
            ignored.append(header or f"column {index + 1}")
    if "email" not in builtins:
        raise ValidationFailed(
            "no email column found (looked for Email, E-mail, Email Address, ...); "
            f"the file's columns are: {', '.join(headers)}; map one with email=COLUMN",
            code="no_email_column",
        )
    return Plan(
        builtins=builtins,
        attributes=[(name, kind, index) for name, (kind, index) in attributes.items()],
        new_fields=new_fields,
        ignored=ignored,
    )
