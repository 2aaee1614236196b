"""The filters and tests templates may use (an allow-list), and the formatting filters.

Everything not listed here is unknown to the sandbox: ``attr``, ``format``, ``map``,
``tojson``, ``safe``, ``indent``, ``center``... Date and number formatting use Babel
(CLDR data), so "1 234,50 €" and "3 mars 2026" come out right for any locale.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import filters as jinja_filters
from jinja2 import pass_eval_context
from jinja2.exceptions import TemplateRuntimeError
from jinja2.nodes import EvalContext
from jinja2.runtime import Undefined
from markupsafe import Markup, escape

_BUILTIN = (
    "abs",
    "capitalize",
    "default",
    "d",
    "e",
    "escape",
    "first",
    "float",
    "int",
    "last",
    "length",
    "count",
    "lower",
    "round",
    "striptags",
    "title",
    "trim",
    "truncate",
    "upper",
    "urlencode",
    "wordcount",
)

TESTS = frozenset(
    {
        "defined",
        "undefined",
        "none",
        "boolean",
        "false",
        "true",
        "integer",
        "float",
        "number",
        "string",
        "mapping",
        "sequence",
        "iterable",
        "lower",
        "upper",
        "even",
        "odd",
        "divisibleby",
        "eq",
        "equalto",
        "==",
        "ne",
        "!=",
        "lt",
        "lessthan",
        "<",
        "le",
        "<=",
        "gt",
        "greaterthan",
        ">",
        "ge",
        ">=",
        "in",
    }
)

_NAMED_FORMATS = {"short", "medium", "long", "full"}
_MAX_PATTERN = 64


def _locale(name: Any) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(str(name).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise TemplateRuntimeError(f"unknown locale {name!r}") from exc


def _pattern(fmt: Any) -> str:
    fmt = str(fmt)
    if len(fmt) > _MAX_PATTERN:
        raise TemplateRuntimeError(f"a format pattern has at most {_MAX_PATTERN} characters")
    return fmt


def _parse_when(value: Any) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def format_date(value: Any, format: Any = "medium", locale: Any = "en", tz: Any = None) -> Any:
    """``{{ attributes.renewal|date("d MMMM y", "fr") }}``: a date or ISO 8601 string.

    ``format`` is short/medium/long/full or a CLDR pattern; ``tz`` an IANA zone name
    that aware date-times are shown in. A value that is not a date is printed as is,
    so one malformed attribute never stops a send.
    """
    from babel import dates

    if value is None or isinstance(value, Undefined):
        return "" if value is None else str(value)
    when = _parse_when(value)
    if when is None:
        return value
    fmt = _pattern(format)
    loc = _locale(locale)
    if isinstance(when, datetime):
        zone = None
        if tz:
            try:
                zone = ZoneInfo(str(tz))
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise TemplateRuntimeError(f"unknown time zone {tz!r}") from exc
        if fmt in _NAMED_FORMATS:
            return dates.format_date(
                when.astimezone(zone) if zone and when.tzinfo else when, fmt, locale=loc
            )
        return dates.format_datetime(when, fmt, tzinfo=zone, locale=loc)
    return dates.format_date(when, fmt, locale=loc)


def _number(value: Any) -> Decimal | int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, str) and len(value) < 64:
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def format_number(value: Any, decimals: Any = None, locale: Any = "en") -> Any:
    """``{{ points|number }}`` -> "12,345"; ``{{ ratio|number(2, "de") }}`` -> "0,50"."""
    from babel import numbers

    number = _number(value)
    if number is None:
        return "" if value is None else str(value) if isinstance(value, Undefined) else value
    pattern = None
    if decimals is not None:
        places = int(decimals)
        if not 0 <= places <= 10:
            raise TemplateRuntimeError("number() takes 0 to 10 decimals")
        pattern = "#,##0" + ("." + "0" * places if places else "")
    return numbers.format_decimal(number, format=pattern, locale=_locale(locale))


def format_currency(value: Any, currency: Any = "USD", locale: Any = "en") -> Any:
    """``{{ attributes.balance|currency("EUR", "fr") }}`` -> "1 234,50 €"."""
    from babel import numbers

    number = _number(value)
    if number is None:
        return "" if value is None else str(value) if isinstance(value, Undefined) else value
    code = str(currency).upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise TemplateRuntimeError(f"{currency!r} is not a currency code")
    return numbers.format_currency(number, code, locale=_locale(locale))


@pass_eval_context
def nl2br(eval_ctx: EvalContext, value: Any) -> Any:
    """Line breaks of a multi-line value as ``<br>`` (the text is escaped first)."""
    if value is None or isinstance(value, Undefined):
        return "" if value is None else str(value)
    if not eval_ctx.autoescape:
        return str(value)
    return Markup("<br>\n").join(escape(line) for line in str(value).splitlines())


def _weight_checked(value: Any) -> Any:
    from blueprints.templates.sandbox import _check_weight

    return _check_weight(value)


@pass_eval_context
def join(eval_ctx: EvalContext, value: Any, separator: str = "", attribute: Any = None) -> Any:
    """Jinja's ``join`` with the result size checked before it is built."""
    if attribute is not None:
        raise TemplateRuntimeError("join(attribute=...) is not supported")
    items = list(value)
    _weight_checked(items)
    _weight_checked(str(separator) * max(len(items) - 1, 0))
    return jinja_filters.do_join(eval_ctx, items, separator)


def to_list(value: Any) -> list[Any]:
    """Jinja's ``list``, bounded."""
    return _weight_checked(list(value))


def to_string(value: Any) -> str:
    """Jinja's ``string``, bounded."""
    return jinja_filters.do_string(_weight_checked(value))


ALLOWED_FILTERS: dict[str, Any] = {name: jinja_filters.FILTERS[name] for name in _BUILTIN}
ALLOWED_FILTERS.update(
    {
        "date": format_date,
        "number": format_number,
        "currency": format_currency,
        "nl2br": nl2br,
        "join": join,
        "list": to_list,
        "string": to_string,
    }
)
