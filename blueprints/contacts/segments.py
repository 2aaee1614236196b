"""The segment language: a JSON condition tree compiled to parameterised SQLAlchemy.

A node is one of::

    {"and": [node, ...]}   {"or": [node, ...]}   {"not": node}
    {"field": F, "op": O, "value": V}             a condition on a contact field
    {"condition": NAME, ...}                      a registered condition type

Fields are the built-ins (``email``, ``first_name``, ``last_name``, ``status``,
``source``, ``created_at``, ``updated_at``, ``consent_at``), custom attributes as
``attributes.<name>`` (typed by their definitions) and ``group`` (membership, by id).
Operators depend on the field's type (``OPERATORS``). Values only ever become bound
parameters; field names are looked up in fixed tables, never spliced into SQL.

Other domains add condition types with ``register_condition`` (engagement: opened or
clicked a campaign in the last N days, once analytics exists).

Invalid trees raise ``SegmentInvalid`` whose ``details`` carry the JSON path of the bad
node (``$.and[1].value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from blueprints.contacts.models import CONTACT_STATUSES, Contact, GroupMember
from blueprints.contacts.validation import InvalidValue, coerce_attribute, normalize_email
from engagex.errors import ValidationFailed

MAX_DEPTH = 10
MAX_NODES = 200
MAX_LIST = 1000
MAX_TEXT = 1000
MAX_DAYS = 36_500

OPERATORS: dict[str, frozenset[str]] = {
    "text": frozenset({"eq", "neq", "contains", "starts_with", "in", "exists"}),
    "number": frozenset({"eq", "neq", "gt", "lt", "between", "in", "exists"}),
    "date": frozenset({"eq", "neq", "before", "after", "between", "within_last_days", "exists"}),
    "datetime": frozenset({"before", "after", "between", "within_last_days", "exists"}),
    "boolean": frozenset({"eq", "neq", "exists"}),
    "status": frozenset({"eq", "neq", "in"}),
    "group": frozenset({"eq", "neq", "in"}),
}

# built-in field -> (type, column)
BUILTIN: dict[str, tuple[str, Any]] = {
    "email": ("text", Contact.email),
    "first_name": ("text", Contact.first_name),
    "last_name": ("text", Contact.last_name),
    "source": ("text", Contact.source),
    "status": ("status", Contact.status),
    "created_at": ("datetime", Contact.created_at),
    "updated_at": ("datetime", Contact.updated_at),
    "consent_at": ("datetime", Contact.consent_at),
}


class SegmentInvalid(ValidationFailed):
    code = "invalid_segment"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"invalid segment definition at {path}: {reason}",
            details={"path": path, "reason": reason},
        )


@dataclass
class Context:
    """What compilation needs to know: the organization's fields, the backend, the time."""

    fields: Mapping[str, str]
    dialect: str
    now: datetime
    group_ids: set[int] = field(default_factory=set)
    """Groups referenced by the tree (collected while parsing, checked by the caller)."""


class ConditionType(Protocol):
    """A registered condition (``{"condition": name, ...}``)."""

    def validate(self, node: Mapping[str, Any], path: str, ctx: Context) -> dict[str, Any]:
        """Return the checked node or raise ``SegmentInvalid(path, reason)``."""

    def compile(self, node: Mapping[str, Any], ctx: Context) -> sa.ColumnElement[bool]:
        """A boolean expression correlated with ``Contact`` (e.g. ``EXISTS (...)``)."""


_CONDITIONS: dict[str, ConditionType] = {}


def register_condition(name: str, condition: ConditionType) -> None:
    """Make ``{"condition": name, ...}`` nodes available to every segment."""
    if name in _CONDITIONS and _CONDITIONS[name] is not condition:
        raise ValueError(f"segment condition {name!r} is already registered")
    _CONDITIONS[name] = condition


def registered_conditions() -> list[str]:
    return sorted(_CONDITIONS)


# --- validation --------------------------------------------------------------------------


@dataclass
class _Counter:
    nodes: int = 0


def validate(definition: object, ctx: Context) -> dict[str, Any]:
    """Check a tree and return it in canonical form (values converted, emails normalised)."""
    return _validate(definition, "$", ctx, 0, _Counter())


def _validate(node: object, path: str, ctx: Context, depth: int, count: _Counter) -> dict:
    count.nodes += 1
    if count.nodes > MAX_NODES:
        raise SegmentInvalid(path, f"a segment may have at most {MAX_NODES} conditions")
    if depth > MAX_DEPTH:
        raise SegmentInvalid(path, f"conditions may be nested at most {MAX_DEPTH} deep")
    if not isinstance(node, dict):
        raise SegmentInvalid(path, "a condition must be a JSON object")
    for combinator in ("and", "or"):
        if combinator in node:
            _only(node, {combinator}, path)
            children = node[combinator]
            if not isinstance(children, list) or not children:
                raise SegmentInvalid(f"{path}.{combinator}", "must be a non-empty list")
            return {
                combinator: [
                    _validate(child, f"{path}.{combinator}[{i}]", ctx, depth + 1, count)
                    for i, child in enumerate(children)
                ]
            }
    if "not" in node:
        _only(node, {"not"}, path)
        return {"not": _validate(node["not"], f"{path}.not", ctx, depth + 1, count)}
    if "condition" in node:
        name = node["condition"]
        condition = _CONDITIONS.get(name) if isinstance(name, str) else None
        if condition is None:
            known = ", ".join(registered_conditions()) or "none yet"
            raise SegmentInvalid(f"{path}.condition", f"unknown condition {name!r} ({known})")
        return condition.validate(node, path, ctx)
    if "field" in node:
        return _validate_field(node, path, ctx)
    raise SegmentInvalid(path, "expected one of: and, or, not, field, condition")


def _only(node: Mapping[str, Any], allowed: set[str], path: str) -> None:
    extra = sorted(set(node) - allowed)
    if extra:
        raise SegmentInvalid(f"{path}.{extra[0]}", "unexpected key")


def field_type(name: object, ctx: Context, path: str) -> str:
    if not isinstance(name, str):
        raise SegmentInvalid(path, "must be a string")
    if name in BUILTIN:
        return BUILTIN[name][0]
    if name == "group":
        return "group"
    if name.startswith("attributes."):
        key = name.removeprefix("attributes.")
        if key in ctx.fields:
            return ctx.fields[key]
        raise SegmentInvalid(path, f"no custom field named {key!r}")
    raise SegmentInvalid(path, f"unknown field {name!r}")


def _validate_field(node: Mapping[str, Any], path: str, ctx: Context) -> dict[str, Any]:
    _only(node, {"field", "op", "value"}, path)
    name = node["field"]
    kind = field_type(name, ctx, f"{path}.field")
    op = node.get("op")
    if op not in OPERATORS[kind]:
        allowed = ", ".join(sorted(OPERATORS[kind]))
        raise SegmentInvalid(f"{path}.op", f"operator {op!r} does not apply to {name} ({allowed})")
    vpath = f"{path}.value"
    value = node.get("value")
    if op == "exists":
        if "value" in node and not isinstance(value, bool):
            raise SegmentInvalid(vpath, "must be true or false")
        return {"field": name, "op": op, "value": True if value is None else value}
    if "value" not in node:
        raise SegmentInvalid(vpath, "is required")
    if op == "within_last_days":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_DAYS:
            raise SegmentInvalid(vpath, f"must be a whole number of days from 1 to {MAX_DAYS}")
        return {"field": name, "op": op, "value": value}
    if op in ("in", "between"):
        if not isinstance(value, list):
            raise SegmentInvalid(vpath, "must be a list")
        if op == "between" and len(value) != 2:
            raise SegmentInvalid(vpath, "must be a list of two values [low, high]")
        if op == "in" and not 0 < len(value) <= MAX_LIST:
            raise SegmentInvalid(vpath, f"must list 1 to {MAX_LIST} values")
        items = [_scalar(name, kind, v, f"{vpath}[{i}]", ctx) for i, v in enumerate(value)]
        return {"field": name, "op": op, "value": items}
    return {"field": name, "op": op, "value": _scalar(name, kind, value, vpath, ctx)}


def _scalar(name: str, kind: str, value: object, path: str, ctx: Context) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise SegmentInvalid(path, f"must be at most {MAX_TEXT} characters")
    if kind == "group":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SegmentInvalid(path, "must be a group id")
        ctx.group_ids.add(value)
        return value
    if kind == "status":
        if value not in CONTACT_STATUSES:
            raise SegmentInvalid(path, f"must be one of {', '.join(CONTACT_STATUSES)}")
        return value
    if kind == "datetime":
        if not isinstance(value, str):
            raise SegmentInvalid(path, "must be an ISO 8601 date or date-time")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise SegmentInvalid(path, "must be an ISO 8601 date or date-time") from exc
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
    if name == "email" and isinstance(value, str):
        # Compare like the stored form; a fragment ("@gmail.com") is only lower-cased.
        try:
            return normalize_email(value)
        except InvalidValue:
            return value.strip().lower()
    try:
        return coerce_attribute(name, kind, value)
    except InvalidValue as exc:
        raise SegmentInvalid(path, str(exc)) from exc


# --- compilation -------------------------------------------------------------------------


def compile_condition(node: Mapping[str, Any], ctx: Context) -> sa.ColumnElement[bool]:
    """The boolean SQL expression of a validated tree, correlated with ``Contact``."""
    if "and" in node:
        return sa.and_(*(compile_condition(child, ctx) for child in node["and"]))
    if "or" in node:
        return sa.or_(*(compile_condition(child, ctx) for child in node["or"]))
    if "not" in node:
        return sa.not_(sa.func.coalesce(compile_condition(node["not"], ctx), sa.false()))
    if "condition" in node:
        return _CONDITIONS[node["condition"]].compile(node, ctx)
    return _compile_field(node["field"], node["op"], node["value"], ctx)


def _compile_field(name: str, op: str, value: Any, ctx: Context) -> sa.ColumnElement[bool]:
    if op == "neq":
        return sa.not_(sa.func.coalesce(_compile_field(name, "eq", value, ctx), sa.false()))
    if name == "group":
        return _group(op, value)
    if name in BUILTIN:
        kind, column = BUILTIN[name]
        return _compare(column, kind, op, value, ctx, exists=column.is_not(None))
    return _attribute(name.removeprefix("attributes."), ctx.fields[name[11:]], op, value, ctx)


def _group(op: str, value: Any) -> sa.ColumnElement[bool]:
    ids = value if isinstance(value, list) else [value]
    return (
        sa.select(GroupMember.contact_id)
        .where(GroupMember.contact_id == Contact.id, GroupMember.group_id.in_(ids))
        .exists()
    )


def _days_ago(ctx: Context, days: int, kind: str) -> Any:
    cutoff = ctx.now - timedelta(days=days)
    return cutoff.date().isoformat() if kind == "date" else cutoff


def _compare(
    expr: Any, kind: str, op: str, value: Any, ctx: Context, *, exists: Any
) -> sa.ColumnElement[bool]:
    if op == "exists":
        return exists if value else sa.not_(exists)
    if kind == "datetime" and op != "within_last_days":
        value = [datetime.fromisoformat(v) for v in value] if op == "between" else value
        value = datetime.fromisoformat(value) if isinstance(value, str) else value
    if op == "eq":
        return expr == value
    if op == "in":
        return expr.in_(value)
    if op == "contains":
        return expr.icontains(value, autoescape=True)
    if op == "starts_with":
        return expr.istartswith(value, autoescape=True)
    if op in ("gt", "after"):
        return expr > value
    if op in ("lt", "before"):
        return expr < value
    if op == "between":
        return expr.between(value[0], value[1])
    if op == "within_last_days":
        today: Any = ctx.now.date().isoformat() if kind == "date" else ctx.now
        return sa.and_(expr >= _days_ago(ctx, value, kind), expr <= today)
    raise AssertionError(op)  # pragma: no cover - validate() admits only the above


# The JSON type a text or date attribute must have to be compared (stored as strings).
_STRING_TYPE = {"postgresql": "string", "sqlite": "text"}


def _attribute(key: str, kind: str, op: str, value: Any, ctx: Context) -> sa.ColumnElement[bool]:
    pg = ctx.dialect == "postgresql"
    path = f'$."{key}"'  # SQLite JSON path; ``key`` matched FIELD_NAME ([a-z0-9_])
    json_type = (
        sa.func.jsonb_typeof(Contact.attributes[key])
        if pg
        else sa.func.json_type(Contact.attributes, path)
    )
    if op == "exists":
        present = json_type.is_not(None)
        return present if value else sa.not_(present)
    if pg and op in ("eq", "in") and kind in ("text", "number", "boolean", "date"):
        # Containment is what the GIN (jsonb_path_ops) index answers.
        values = value if op == "in" else [value]
        return sa.or_(
            *(
                Contact.attributes.op("@>", return_type=sa.Boolean)(
                    sa.bindparam(None, {key: v}, type_=JSONB)
                )
                for v in values
            )
        )
    if kind == "boolean":  # SQLite: json_type is 'true' or 'false'
        return json_type == ("true" if value else "false")
    if kind == "number":
        typed = json_type == "number" if pg else json_type.in_(("integer", "real"))
        number = (
            sa.cast(Contact.attributes[key].as_string(), sa.Numeric)
            if pg
            else sa.func.json_extract(Contact.attributes, path)
        )
        expr: Any = sa.case((typed, number), else_=sa.null())
    else:
        text = (
            Contact.attributes[key].as_string()
            if pg
            else sa.func.json_extract(Contact.attributes, path)
        )
        expr = sa.case((json_type == _STRING_TYPE[ctx.dialect], text), else_=sa.null())
    return _compare(expr, kind, op, value, ctx, exists=json_type.is_not(None))
