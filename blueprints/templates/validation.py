"""Save-time checks of a template's sources, reported with field and line number.

These checks give authors clear messages early; they are not the security boundary
(the sandbox is, and it enforces the same rules again at render time).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from jinja2 import meta, nodes
from jinja2.exceptions import TemplateError, TemplateSyntaxError

from blueprints.templates import filters
from blueprints.templates.hardening import forbidden_construct
from blueprints.templates.markup import RESERVED
from blueprints.templates.sandbox import EmailSandbox

#: Contact fields available at the top level and under ``contact``.
CONTACT_FIELDS = ("email", "first_name", "last_name", "full_name")
#: Every top-level name a template may read (declared variables come on top).
CONTEXT_NAMES = frozenset(
    {
        *CONTACT_FIELDS,
        "contact",
        "attributes",
        "organization",
        "campaign",
        "unsubscribe_url",
        "preferences_url",
        "view_in_browser_url",
        "now",
        "range",
    }
)
UNSUBSCRIBE = "unsubscribe_url"

MAX_SOURCE = {"subject": 1000, "preheader": 1000, "html": 512_000, "mjml": 512_000, "text": 256_000}
MAX_VARIABLES = 100
MAX_DEFAULT = 2000
VARIABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_DENIED_ATTRIBUTES = frozenset({"format", "format_map", "mro"})

HTML_ENV = EmailSandbox(autoescape=True)
TEXT_ENV = EmailSandbox(autoescape=False)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        where = f"{self.field} line {self.line}" if self.line else self.field
        return f"{where}: {self.message}"


def _suggest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_source(
    field: str, source: str, *, allowed_names: frozenset[str], html: bool
) -> tuple[nodes.Template | None, list[Problem]]:
    """Parse ``source`` and report every rule it breaks; the tree when it parsed."""
    problems: list[Problem] = []
    limit = MAX_SOURCE.get(field, 512_000)
    if len(source) > limit:
        return None, [Problem(field, "too_large", f"is longer than {limit} characters")]
    reserved = RESERVED.search(source)
    if reserved:
        line = source.count("\n", 0, reserved.start()) + 1
        problems.append(
            Problem(
                field, "reserved_character", "contains a reserved character (U+E000-U+E004)", line
            )
        )
    env = HTML_ENV if html else TEXT_ENV
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        return None, [Problem(field, "syntax_error", exc.message or str(exc), exc.lineno)]
    for node in tree.find_all(nodes.Node):
        problem = _check_node(field, node)
        if problem:
            problems.append(problem)
    if any(p.code in {"unknown_filter", "unknown_test"} for p in problems):
        return tree, problems  # the compiler behind find_undeclared_variables would fail
    try:
        undeclared = meta.find_undeclared_variables(tree)
    except TemplateError as exc:
        problems.append(Problem(field, "invalid", str(exc), getattr(exc, "lineno", None)))
        return tree, problems
    for name in sorted(undeclared - allowed_names):
        if name.startswith("_"):
            continue  # reported as reserved_name
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), None)
        problems.append(
            Problem(
                field,
                "unknown_variable",
                f"unknown variable '{name}'{_suggest(name, allowed_names)}; "
                "declare it as a template variable or use attributes." + name,
                line,
            )
        )
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return tree, problems


def _check_node(field: str, node: nodes.Node) -> Problem | None:
    line = node.lineno
    label = forbidden_construct(node)
    if label:
        return Problem(field, "forbidden", f"{label} is not allowed in email templates", line)
    if isinstance(node, nodes.Name):
        if node.name.startswith("_"):
            return Problem(
                field, "reserved_name", f"names starting with '_' are reserved ({node.name})", line
            )
        if node.name == "self":
            return Problem(field, "forbidden", "'self' is not available in email templates", line)
    if isinstance(node, nodes.Getattr) and (
        node.attr.startswith("_") or node.attr in _DENIED_ATTRIBUTES
    ):
        return Problem(field, "forbidden", f"access to '{node.attr}' is not allowed", line)
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
        and (node.arg.value.startswith("_") or node.arg.value in _DENIED_ATTRIBUTES)
    ):
        return Problem(field, "forbidden", f"access to '{node.arg.value}' is not allowed", line)
    if isinstance(node, nodes.Filter) and node.name not in filters.ALLOWED_FILTERS:
        allowed = filters.ALLOWED_FILTERS
        return Problem(
            field,
            "unknown_filter",
            f"the filter '{node.name}' is not available{_suggest(node.name, allowed)}",
            line,
        )
    if isinstance(node, nodes.Test) and node.name not in filters.TESTS:
        return Problem(field, "unknown_test", f"the test '{node.name}' is not available", line)
    if isinstance(node, nodes.Mod) and isinstance(getattr(node.left, "value", None), str):
        return Problem(field, "forbidden", "string formatting with % is not allowed", line)
    return None


def references(tree: nodes.Template | None, name: str) -> bool:
    """Whether the template reads the top-level name ``name`` anywhere."""
    if tree is None:
        return False
    return any(n.name == name and n.ctx == "load" for n in tree.find_all(nodes.Name))


def check_variables(variables: Sequence[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(variables) > MAX_VARIABLES:
        problems.append(
            Problem("variables", "too_many", f"at most {MAX_VARIABLES} variables are allowed")
        )
    seen: set[str] = set()
    for spec in variables:
        name = str(spec.get("name", ""))
        if not VARIABLE_NAME.match(name):
            problems.append(
                Problem(
                    "variables",
                    "invalid_name",
                    f"'{name}' is not a valid variable name: a letter, then letters, "
                    "digits or _ (at most 64)",
                )
            )
        elif name in CONTEXT_NAMES:
            problems.append(
                Problem("variables", "reserved_name", f"'{name}' is a built-in name already")
            )
        elif name in seen:
            problems.append(Problem("variables", "duplicate", f"'{name}' is declared twice"))
        seen.add(name)
        default = spec.get("default")
        if default is not None and len(str(default)) > MAX_DEFAULT:
            problems.append(
                Problem(
                    "variables",
                    "too_large",
                    f"the default of '{name}' is longer than {MAX_DEFAULT} characters",
                )
            )
    return problems
