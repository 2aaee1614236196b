"""Turning a compiled template into one body plus per-recipient substitutions.

SendGrid can carry 1000 recipients in one request when their messages differ only by
substitution keys, and the SMTP and outbox backends then encode the 20 KB body once
per batch instead of once per message (``engagex.mail.message.BatchRenderer``). A
template qualifies when every value that depends on the recipient is only *printed*:
``{{ first_name }}``, ``{{ attributes.city }}``, ``{{ contact["email"] }}``, the link
slots, optionally through a few value filters with constant arguments
(``default``/``d``, ``upper``, ``lower``, ``title``, ``capitalize``, ``trim``,
``escape``/``e``). A recipient value used in a condition, a loop, an assignment, a
macro call or any other filter makes the template render per recipient instead
(``analyse`` returns None), which is always correct.

How: the compiled sources are parsed again, each such output expression is replaced by
a literal marker, and the result is rendered once with the shared context (organization,
campaign, now). Per recipient only the expressions are evaluated, with the same
semantics as the sandbox (dict data first, missing keys print as nothing, ``None`` as
nothing, HTML-escaped in the HTML part). Rendering then differs from the full render in
nothing but cost; ``tests/campaigns/test_substitution.py`` compares the two.

Two cases still go through the full render, per recipient: a value that is not a
string, number, boolean or None (the full render reports the error), and, in a text
part whose blank lines are collapsed after rendering, a value with a line break or an
empty value standing alone between blank lines (collapsing would differ).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Undefined
from markupsafe import Markup, escape

from blueprints.templates.hardening import harden
from blueprints.templates.rendering import CompiledTemplate
from blueprints.templates.sandbox import DEFAULT_LIMITS, Budget, run
from blueprints.templates.textpart import collapse_blank_lines
from blueprints.templates.validation import CONTACT_FIELDS, HTML_ENV, TEXT_ENV

#: names whose value differs per recipient (link slots and declared variables added)
RECIPIENT_NAMES = frozenset(
    {
        *CONTACT_FIELDS,
        "contact",
        "attributes",
        "unsubscribe_url",
        "preferences_url",
        "view_in_browser_url",
        "_open",
    }
)
VALUE_FILTERS = frozenset({"default", "d", "upper", "lower", "title", "capitalize", "trim"})
ESCAPE_FILTERS = frozenset({"escape", "e"})
#: a value longer than this is left to the full render (which applies the output caps)
MAX_VALUE = 10_000
_DICT_METHODS = frozenset({"get", "items", "keys", "values"})


class Unsupported(Exception):
    """This recipient's values cannot be substituted; render the message in full."""


@dataclass(frozen=True)
class Expr:
    """A printed expression that depends on the recipient."""

    root: str
    path: tuple[str, ...]
    filters: tuple[tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]], ...]


@dataclass(frozen=True)
class Slot:
    """One expression and the keys its value fills: the text form (text part, or
    both parts when escaping cannot change it) and the HTML-escaped form."""

    expr: Expr
    text_key: str | None
    html_key: str | None


@dataclass(frozen=True)
class Plan:
    """The substitution form of one compiled template for one send."""

    subject: str  # the subject with markers (stripped and collapsed per recipient)
    html: str  # with substitution keys
    text: str
    slots: tuple[Slot, ...]  # body slots
    subject_slots: tuple[Slot, ...]  # markers in ``subject`` (not sent as keys)
    subject_key: str | None  # key standing for the whole subject, when it varies
    #: text keys whose empty value could change how blank lines collapse
    fragile: frozenset[str]
    tidy_text: bool

    @property
    def roots(self) -> frozenset[str]:
        """The context names the recipient values are read from."""
        return frozenset(slot.expr.root for slot in (*self.slots, *self.subject_slots))


# --- analysis ------------------------------------------------------------------------


def _parents(tree: nodes.Node) -> dict[int, nodes.Node]:
    parents: dict[int, nodes.Node] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in node.iter_child_nodes():
            parents[id(child)] = node
            stack.append(child)
    return parents


def _const(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Const):
        return node.value
    raise Unsupported("a filter argument is not a constant")


def _expressions(tree: nodes.Template, names: frozenset[str]) -> list[tuple[nodes.Expr, Expr]]:
    """Every output expression reading a recipient name; Unsupported if one is used
    any other way."""
    parents = _parents(tree)
    found: list[tuple[nodes.Expr, Expr]] = []
    for name in tree.find_all(nodes.Name):
        if name.name not in names:
            continue
        if name.ctx != "load":
            raise Unsupported(f"'{name.name}' is assigned in the template")
        expr: nodes.Expr = name
        path: list[str] = []
        parent = parents.get(id(expr))
        while isinstance(parent, nodes.Getattr | nodes.Getitem) and parent.node is expr:
            if isinstance(parent, nodes.Getattr):
                path.append(parent.attr)
            else:
                key = _const(parent.arg)
                if not isinstance(key, str):
                    raise Unsupported("an index that is not a string key")
                path.append(key)
            expr = parent
            parent = parents.get(id(expr))
        filters = []
        while isinstance(parent, nodes.Filter) and parent.node is expr:
            if parent.name not in VALUE_FILTERS | ESCAPE_FILTERS:
                raise Unsupported(f"the filter '{parent.name}' on a recipient value")
            if parent.dyn_args is not None or parent.dyn_kwargs is not None:
                raise Unsupported("dynamic filter arguments")
            args = tuple(_const(a) for a in parent.args)
            kwargs = tuple((kw.key, _const(kw.value)) for kw in parent.kwargs)
            filters.append((parent.name, args, kwargs))
            expr = parent
            parent = parents.get(id(expr))
        if not isinstance(parent, nodes.Output):
            raise Unsupported(f"'{name.name}' is used in an expression or a statement")
        found.append((expr, Expr(name.name, tuple(path), tuple(filters))))
    return found


def _marked(
    source: str,
    *,
    html: bool,
    names: frozenset[str],
    internal: frozenset[str],
    marker: Callable[[], str],
    by_expr: dict[Expr, str],
) -> tuple[Any, dict[str, Expr]]:
    """The template with recipient expressions replaced by markers, and the markers.

    ``by_expr`` is shared by the parts of one template: an expression printed in the
    HTML and in the text gets one marker (evaluated once per recipient)."""
    env = HTML_ENV if html else TEXT_ENV
    tree = env.parse(source)
    markers: dict[str, Expr] = {}
    parents = _parents(tree)
    for node, expr in _expressions(tree, names):
        output = parents[id(node)]
        assert isinstance(output, nodes.Output)
        key = by_expr.get(expr)
        if key is None:
            key = by_expr[expr] = marker()
        markers[key] = expr
        output.nodes = [
            nodes.TemplateData(key, lineno=item.lineno) if item is node else item
            for item in output.nodes
        ]
    tree = harden(tree, internal)
    template = env.template_class.from_code(env, env.compile(tree), env.make_globals(None))
    return template, markers


def analyse(
    compiled: CompiledTemplate, shared: Mapping[str, Any], *, safe_urls: frozenset[str]
) -> Plan | None:
    """The substitution plan of ``compiled`` for a send with ``shared``, or None when
    the template must be rendered per recipient.

    ``safe_urls`` names the URL values HTML escaping never changes (tracking URLs on a
    plain base URL): one key serves both parts for them.
    """
    variables = frozenset(spec.name for spec in compiled.variables)
    names = RECIPIENT_NAMES | variables | frozenset(compiled.link_names)
    internal = frozenset({*compiled.link_names, "_open"})
    for _ in range(3):  # a new salt if a marker happened to occur in the content
        salt = secrets.token_hex(4)
        counter = iter(range(1_000_000))

        def marker() -> str:
            return f"-egx{salt}-{next(counter)}-"  # noqa: B023 - used at once

        try:
            parts = {}
            found: dict[str, Expr] = {}
            by_expr: dict[Expr, str] = {}
            for part, source, html in (
                ("subject", compiled.subject_source, False),
                ("html", compiled.html_source, True),
                ("text", compiled.text_source, False),
            ):
                template, markers = _marked(
                    source,
                    html=html,
                    names=names,
                    internal=internal,
                    marker=marker,
                    by_expr=by_expr,
                )
                parts[part] = run(template, dict(shared), Budget(DEFAULT_LIMITS))
                found.update(markers)
        except Unsupported:
            return None
        except Exception:
            return None  # the full render will report what is wrong, per recipient
        pattern = re.compile(rf"-egx{salt}-\d+-")
        if any(f"-egx{salt}-" in pattern.sub("", value) for value in parts.values()):
            continue
        return _plan(compiled, parts, found, pattern, salt, safe_urls)
    return None


def _plan(
    compiled: CompiledTemplate,
    parts: dict[str, str],
    found: dict[str, Expr],
    pattern: re.Pattern[str],
    salt: str,
    safe_urls: frozenset[str],
) -> Plan:
    text = collapse_blank_lines(parts["text"]) if compiled.tidy_text else parts["text"]
    in_html = set(pattern.findall(parts["html"]))
    in_text = set(pattern.findall(text))
    in_subject = set(pattern.findall(parts["subject"]))
    slots: list[Slot] = []
    html, fragile = parts["html"], set()
    for marker in sorted(in_html | in_text):
        expr = found[marker]
        invariant = not expr.filters and not expr.path and expr.root in safe_urls
        if invariant:
            slots.append(Slot(expr, marker, None))  # one key serves both parts
        elif marker in in_html and marker in in_text:
            # The same expression needs its escaped form in the HTML: its own key.
            html_key = marker[:-1] + "h-"
            html = html.replace(marker, html_key)
            slots.append(Slot(expr, marker, html_key))
        elif marker in in_html:
            slots.append(Slot(expr, None, marker))
        else:
            slots.append(Slot(expr, marker, None))
    for marker in in_text:
        if _alone_between_blank_lines(text, marker, pattern):
            fragile.add(marker)
    subject_slots = tuple(Slot(found[m], m, None) for m in sorted(in_subject))
    return Plan(
        subject=parts["subject"],
        html=html,
        text=text,
        slots=tuple(slots),
        subject_slots=subject_slots,
        subject_key=f"-egx{salt}-s-" if subject_slots else None,
        fragile=frozenset(fragile),
        tidy_text=compiled.tidy_text,
    )


def _alone_between_blank_lines(text: str, marker: str, pattern: re.Pattern[str]) -> bool:
    """Whether an empty value here could make three line breaks in a row."""
    for match in re.finditer(re.escape(marker), text):
        before = pattern.sub("", text[max(0, match.start() - 200) : match.start()])
        after = pattern.sub("", text[match.end() : match.end() + 200])
        newlines = len(before) - len(before.rstrip("\n")) + len(after) - len(after.lstrip("\n"))
        if newlines >= 3:
            return True
    return False


# --- per recipient -------------------------------------------------------------------


def _lookup(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if isinstance(value, dict):
            if key in value:
                value = value[key]
            elif key in _DICT_METHODS:
                raise Unsupported("a dict method is printed")
            else:
                value = HTML_ENV.undefined(obj=value, name=key)
        elif isinstance(value, Undefined):
            continue  # chainable: a missing key of a missing key prints as nothing
        else:
            raise Unsupported("an attribute of a non-mapping value")
    return value


def _printed_other(value: Any) -> str:
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, str | bool | int | float):
        return str(value)
    raise Unsupported(f"a {type(value).__name__} value")


def _getter(expr: Expr) -> Callable[[Mapping[str, Any]], Any]:
    root, path = expr.root, expr.path
    if not path:
        return lambda values: values[root]
    return lambda values: _lookup(values[root], path)


def _filtered(value: Any, filters: tuple[tuple[str, tuple[Any, ...], tuple[Any, ...]], ...]) -> Any:
    for name, args, kwargs in filters:
        function = HTML_ENV.filters[name]
        if getattr(function, "jinja_pass_arg", None) is not None:
            raise Unsupported(f"the filter '{name}' needs the render context")
        try:
            value = function(value, *args, **dict(kwargs))
        except Exception as exc:
            raise Unsupported(f"the filter '{name}' failed: {exc}") from exc
    return value


_SPACES = re.compile(r"\s+")
#: characters HTML escaping replaces (most values have none: skip the call)
_SPECIAL = re.compile("[&<>\"']")


class Filler:
    """The substitutions of one recipient, from a plan compiled into getters.

    Each distinct expression is evaluated once per recipient; its text is used for the
    text key and its HTML-escaped form for the HTML key. Values are printed as the
    sandbox prints them (``None`` and missing keys as nothing, numbers with ``str``).
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.items = [
            (_getter(slot.expr), slot.expr.filters, slot.text_key, slot.html_key)
            for slot in plan.slots
        ]
        self.subject_items = [
            (_getter(slot.expr), slot.expr.filters, slot.text_key) for slot in plan.subject_slots
        ]
        self.text_keys = [slot.text_key for slot in plan.slots if slot.text_key]

    def __call__(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Every key with this recipient's value (``Unsupported``: render in full)."""
        subs: dict[str, str] = {}
        for get, filters, text_key, html_key in self.items:
            value = get(values)
            if filters:
                value = _filtered(value, filters)
            markup = False
            if type(value) is str:
                text = value
            elif isinstance(value, Markup):
                text, markup = str(value), True
            else:
                text = _printed_other(value)
            if len(text) > MAX_VALUE:
                raise Unsupported("a very long value")
            if text_key is not None:
                subs[text_key] = text
            if html_key is not None:
                subs[html_key] = str(escape(text)) if not markup and _SPECIAL.search(text) else text
        plan = self.plan
        if plan.tidy_text:
            for key in self.text_keys:
                value = subs[key]
                if "\n" in value or "\r" in value:
                    raise Unsupported("a line break in a text value")
            if any(subs[key] == "" for key in plan.fragile):
                raise Unsupported("an empty value between blank lines")
        if plan.subject_key is not None:
            subject = plan.subject
            for get, filters, key in self.subject_items:
                value = get(values)
                if filters:
                    value = _filtered(value, filters)
                text = (
                    str(value)
                    if isinstance(value, Markup)
                    else (value if type(value) is str else _printed_other(value))
                )
                subject = subject.replace(key, text)
            if "\n" in subject or "\r" in subject or "\t" in subject:
                subject = _SPACES.sub(" ", subject)
            subs[plan.subject_key] = subject.strip()
        return subs


def fixed_subject(plan: Plan) -> str:
    """The subject when it does not vary (the same post-processing as ``render``)."""
    subject = plan.subject
    if "\n" in subject or "\r" in subject or "\t" in subject:
        subject = _SPACES.sub(" ", subject)
    return subject.strip()


def iter_keys(plan: Plan) -> Iterator[str]:
    for slot in plan.slots:
        yield from (key for key in (slot.text_key, slot.html_key) if key)
    if plan.subject_key:
        yield plan.subject_key
