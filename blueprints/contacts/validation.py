"""Value rules shared by the API, the CLI and imports: addresses, names, typed attributes.

Every function here is pure. Column validators take a list of raw cells and return the
converted values plus ``(index, reason)`` pairs for the cells they reject, so an import
validates a whole chunk per column instead of paying a call per cell.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from blueprints.contacts.models import CONTACT_STATUSES, FIELD_TYPES

NAME_MAX = 200
TEXT_MAX = 10_000
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
BUILTIN_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "status",
    "consent_at",
    "consent_ip",
)
RESERVED_FIELD_NAMES = frozenset(
    {*BUILTIN_FIELDS, "id", "source", "created_at", "updated_at", "deleted_at", "group", "groups"}
)

# RFC 5322 atext, lower-case only: addresses are lower-cased before this check.
_ATEXT = r"a-z0-9_!#$%&'*+\-/=?^`{|}~"
_SIMPLE_ADDRESS = re.compile(rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@([a-z0-9.\-]+)\Z")
_MAX_ADDRESS = 254
_DOMAIN_CACHE_LIMIT = 100_000

Problems = list[tuple[int, str]]


class InvalidValue(ValueError):
    """A value a rule rejects; ``str()`` is the reason shown to the user."""


def _check_address(address: str) -> str:
    result = validate_email(address, check_deliverability=False, allow_display_name=True)
    return f"{result.local_part}@{result.ascii_domain}".lower()


class EmailNormalizer:
    """Normalises addresses exactly as email-validator does, fast for the common shape.

    An ASCII dot-atom address whose domain was already accepted is normalised with one
    regular expression and a dictionary lookup; anything else (Unicode, display names,
    unknown or invalid domains) goes through ``validate_email`` itself, which also
    words the rejection. Normal form: trimmed, lower-cased, domain IDNA-encoded.
    """

    def __init__(self) -> None:
        self._domains: dict[str, bool] = {}

    def _domain_ok(self, domain: str) -> bool:
        known = self._domains.get(domain)
        if known is None:
            if len(self._domains) >= _DOMAIN_CACHE_LIMIT:
                self._domains.clear()  # bounded memory on files with countless domains
            try:
                known = _check_address(f"a@{domain}") == f"a@{domain}"
            except EmailNotValidError:
                known = False
            self._domains[domain] = known
        return known

    def normalize(self, raw: str) -> str:
        """The normal form of ``raw``; raises ``InvalidValue`` with the reason."""
        address = raw.strip().lower()
        match = _SIMPLE_ADDRESS.match(address)
        if match and len(address) <= _MAX_ADDRESS and self._domain_ok(match.group(2)):
            return address
        if not address:
            raise InvalidValue("missing email address")
        try:
            return _check_address(raw.strip())
        except EmailNotValidError as exc:
            raise InvalidValue(f"invalid email address {raw.strip()!r}: {exc}") from exc

    def column(self, cells: Sequence[str]) -> tuple[list[str | None], Problems]:
        values: list[str | None] = []
        problems: Problems = []
        simple = _SIMPLE_ADDRESS.match
        known = self._domains
        for index, raw in enumerate(cells):
            address = raw.strip().lower()
            match = simple(address)
            if match and len(address) <= _MAX_ADDRESS:
                ok = known.get(match.group(2))
                if ok or (ok is None and self._domain_ok(match.group(2))):
                    values.append(address)
                    continue
            try:
                values.append(self.normalize(raw))
            except InvalidValue as exc:
                values.append(None)
                problems.append((index, str(exc)))
        return values, problems


_default_normalizer = EmailNormalizer()


def normalize_email(raw: str) -> str:
    """Normal form of one address (trimmed, lower-cased, IDNA domain); ``InvalidValue``."""
    if not isinstance(raw, str):
        raise InvalidValue("an email address must be a string")
    return _default_normalizer.normalize(raw)


def email_domain(address: str) -> str:
    return address.rpartition("@")[2]


def normalize_domain(raw: str) -> str:
    """A bare domain for domain-wide suppression, IDNA-encoded and lower-cased."""
    domain = raw.strip().lstrip("@").lower()
    try:
        return email_domain(_check_address(f"a@{domain}"))
    except EmailNotValidError as exc:
        raise InvalidValue(f"invalid domain {raw.strip()!r}: {exc}") from exc


# --- names and built-in fields ---------------------------------------------------------


def _no_nul(value: str, label: str) -> str:
    if "\x00" in value:
        raise InvalidValue(f"{label} contains a NUL character")
    return value


def clean_name(raw: str | None, label: str) -> str | None:
    if raw is None:
        return None
    value = _no_nul(raw, label).strip()
    if len(value) > NAME_MAX:
        raise InvalidValue(f"{label} is longer than {NAME_MAX} characters")
    return value or None


def clean_status(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = raw.strip().lower()
    if not value:
        return None
    if value not in CONTACT_STATUSES:
        raise InvalidValue(f"status {raw.strip()!r} is not one of {', '.join(CONTACT_STATUSES)}")
    return value


def parse_datetime(raw: str | datetime | date, label: str = "value") -> datetime:
    """An ISO 8601 date or date-time, in UTC; a value without an offset is taken as UTC."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime(raw.year, raw.month, raw.day)
    else:
        text = raw.strip()
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise InvalidValue(f"{label} {text!r} is not an ISO 8601 date or time") from exc
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def clean_consent_at(raw: str | None) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    return parse_datetime(raw, "consent_at")


def clean_ip(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return ipaddress.ip_address(raw.strip()).compressed
    except ValueError as exc:
        raise InvalidValue(f"consent_ip {raw.strip()!r} is not an IP address") from exc


def check_field_name(name: str) -> str:
    if not FIELD_NAME.match(name):
        raise InvalidValue(
            f"invalid field name {name!r}: use 1-63 lower-case letters, digits and "
            "underscores, starting with a letter"
        )
    if name in RESERVED_FIELD_NAMES:
        raise InvalidValue(f"{name!r} is a built-in field, not a custom one")
    return name


def field_name_from_header(header: str) -> str:
    """A custom field name derived from a column header (``"Signup Date"`` -> ``signup_date``)."""
    name = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")[:63] or "field"
    if not name[0].isalpha():
        name = f"f_{name}"[:63]
    if name in RESERVED_FIELD_NAMES:
        name = f"{name}_custom"
    return name


# --- typed custom attributes -----------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:[eE][+-]?\d{1,3})?\Z")
_INTEGER = re.compile(r"[+-]?\d{1,18}\Z")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?\Z")
_SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})\Z")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\Z")
_TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})


def _number(text: str) -> int | float:
    if _INTEGER.match(text):
        return int(text)
    if _NUMBER.match(text):
        value = float(text)
        if value != value or value in (float("inf"), float("-inf")):  # pragma: no cover
            raise ValueError(text)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    raise ValueError(text)


def _date(text: str) -> str:
    for pattern, order in ((_ISO_DATE, (1, 2, 3)), (_SLASH_DATE, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            return date(year, month, day).isoformat()
    match = _DOTTED_DATE.match(text)
    if match:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
    raise ValueError(text)


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)


def _text(text: str) -> str:
    if "\x00" in text or len(text) > TEXT_MAX:
        raise ValueError(text)
    return text


_PARSERS: dict[str, Callable[[str], Any]] = {
    "text": _text,
    "number": _number,
    "date": _date,
    "boolean": _boolean,
}
_EXPECTED = {
    "text": f"text without NUL characters, at most {TEXT_MAX} characters",
    "number": "a number",
    "date": "a date (YYYY-MM-DD)",
    "boolean": "true or false",
}


def type_problem(name: str, field_type: str, raw: object) -> str:
    shown = raw if not isinstance(raw, str) or len(raw) <= 60 else raw[:57] + "..."
    return f"{name}: {shown!r} is not {_EXPECTED[field_type]}"


_MISS = object()


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


_BOOLEANS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
_FAST: dict[str, Callable[[str], Any]] = {
    "text": lambda c: _MISS,
    "number": lambda c: int(c) if c.isascii() and c.isdigit() and len(c) < 16 else _MISS,
    "date": lambda c: c if len(c) == 10 and c[4] == "-" == c[7] and _iso_date(c) else _MISS,
    "boolean": lambda c: _BOOLEANS.get(c.lower(), _MISS),
}


def parse_cells(name: str, field_type: str, cells: Sequence[str]) -> tuple[list[Any], Problems]:
    """Convert one column of raw cells; empty cells become ``None`` (no value).

    Each type has a fast path for the common, already-canonical cell (C-level string
    methods only); any other cell goes through the full parser, which words the problem.
    """
    if field_type == "text":
        values: list[Any] = [cell.strip() or None for cell in cells]
        if "\x00" not in "".join(cells) and max(map(len, cells), default=0) <= TEXT_MAX:
            return values, []
        values = [_MISS] * len(cells)
    else:
        fast = _FAST[field_type]
        values = [fast(cell) for cell in cells]
    parse = _PARSERS[field_type]
    problems: Problems = []
    for index, value in enumerate(values):
        if value is not _MISS:
            continue
        text = cells[index].strip()
        if not text:
            values[index] = None
            continue
        try:
            values[index] = parse(text)
        except ValueError:
            values[index] = None
            problems.append((index, type_problem(name, field_type, text)))
    return values, problems


def coerce_attribute(name: str, field_type: str, value: object) -> Any:
    """Check one attribute value given as JSON (API, CLI); raise ``InvalidValue``."""
    if field_type not in FIELD_TYPES:  # pragma: no cover - guarded by the model
        raise InvalidValue(f"unknown field type {field_type!r}")
    if field_type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidValue(type_problem(name, field_type, value))
        return value
    if field_type == "boolean" and isinstance(value, bool):
        return value
    if isinstance(value, str) and (field_type in ("text", "date") or value.strip()):
        try:
            return _PARSERS[field_type](value if field_type == "text" else value.strip())
        except ValueError:
            pass
    raise InvalidValue(type_problem(name, field_type, value))


def neutralize_cell(value: object) -> object:
    """Defuse spreadsheet formulas: a text cell starting with = + - @ TAB or CR gets a
    leading apostrophe (OWASP "CSV injection"). Numbers and other values pass unchanged."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
