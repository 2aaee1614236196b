"""Turning a compiled template into bodies plus per-recipient substitutions.

SendGrid can carry 1000 recipients in one request when their messages differ only by
substitution keys, and the SMTP and outbox backends then encode a 20 KB body once per
batch instead of once per message (``engagex.mail.message.BatchRenderer``).

``analyse`` parses the compiled sources again and sorts every use of a recipient value:

- *printed*: ``{{ first_name }}``, ``{{ attributes.city }}``, ``{{ contact["email"] }}``,
  the link slots, possibly through value filters with constant arguments
  (``default``/``d``, ``upper``, ``lower``, ``title``, ``capitalize``, ``trim``,
  ``escape``/``e``). These are replaced by markers in the template.
- *decided on*: anything else (a condition, a loop, an assignment, a call, another
  filter, a concatenation). Their paths (``attributes.tier``) are the template's
  *decision paths*.

Recipients with equal decision values form a group. For each group the marked template
is rendered once with those values and the shared context (organization, campaign,
now), which gives the group's bodies with markers (its ``Plan``); per recipient only the
printed expressions are evaluated (``Filler``), with the sandbox's semantics (dict data
first, missing keys print as nothing, ``None`` as nothing, HTML-escaped in the HTML
part). A template without decision paths has one group; the ``{% if attributes.tier ==
"gold" %}`` of a newsletter makes two. The output depends on the recipient only through
the markers and the decision values, so a group's members get exactly what the full
render gives them; ``tests/campaigns/test_substitution.py`` compares the two.

Rendered in full, per recipient: a template that assigns a recipient name (``analyse``
returns None); a recipient whose decision value is not a plain value (a list looped
over) or whose printed value is not a string, number, boolean or None; in a text part
whose blank lines are collapsed after rendering, a value with a line break or an empty
value standing alone between blank lines; and, past a number of groups per batch, the
rest of a batch that decides on nearly unique values (a name).
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
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


#: a decision path the recipient's data does not have (the template sees it undefined)
MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
_PLAIN = (str, int, float, bool, type(None))


def _expressions(
    tree: nodes.Template, names: frozenset[str]
) -> tuple[list[tuple[nodes.Expr, Expr]], set[tuple[str, ...]]]:
    """The output expressions reading a recipient name (printed, possibly through value
    filters), and the *decision paths*: recipient values used any other way (in a
    condition, a loop, an assignment, a call, another filter). Unsupported when a
    recipient name is assigned (the template would shadow it)."""
    parents = _parents(tree)
    found: list[tuple[nodes.Expr, Expr]] = []
    decisions: set[tuple[str, ...]] = set()
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
            elif isinstance(parent.arg, nodes.Const) and isinstance(parent.arg.value, str):
                path.append(parent.arg.value)
            else:
                break  # a computed key: the value above it decides
            expr = parent
            parent = parents.get(id(expr))
        target, filters = expr, []
        while (
            isinstance(parent, nodes.Filter)
            and parent.node is target
            and parent.name in VALUE_FILTERS | ESCAPE_FILTERS
            and parent.dyn_args is None
            and parent.dyn_kwargs is None
            and all(isinstance(a, nodes.Const) for a in parent.args)
            and all(isinstance(kw.value, nodes.Const) for kw in parent.kwargs)
        ):
            args = tuple(_const(a) for a in parent.args)
            kwargs = tuple((kw.key, _const(kw.value)) for kw in parent.kwargs)
            filters.append((parent.name, args, kwargs))
            target = parent
            parent = parents.get(id(target))
        if isinstance(parent, nodes.Output):
            found.append((target, Expr(name.name, tuple(path), tuple(filters))))
        else:
            decisions.add((name.name, *path))
    return found, decisions


def _marked(
    source: str,
    *,
    html: bool,
    names: frozenset[str],
    internal: frozenset[str],
    marker: Callable[[], str],
    by_expr: dict[Expr, str],
) -> tuple[Any, dict[str, Expr], set[tuple[str, ...]]]:
    """The template with its printed recipient expressions replaced by markers, the
    markers, and the decision paths it still reads.

    ``by_expr`` is shared by the parts of one template: an expression printed in the
    HTML and in the text gets one marker (evaluated once per recipient)."""
    env = HTML_ENV if html else TEXT_ENV
    tree = env.parse(source)
    markers: dict[str, Expr] = {}
    parents = _parents(tree)
    outputs, decisions = _expressions(tree, names)
    for node, expr in outputs:
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
    return template, markers, decisions


class Analysis:
    """A template's substitution form; one plan per *group* of recipients.

    A group is the set of recipients whose decision values (what the template tests,
    loops over, computes with) are equal: the marked template, rendered once with those
    values, prints everything else as markers, so its plan serves every member. A
    template without decision paths has one group: everybody.
    """

    MAX_PLANS = 256

    def __init__(
        self,
        compiled: CompiledTemplate,
        shared: Mapping[str, Any],
        safe_urls: frozenset[str],
        templates: dict[str, Any],
        found: dict[str, Expr],
        decisions: set[tuple[str, ...]],
        salt: str,
    ) -> None:
        self.compiled = compiled
        self.shared = dict(shared)
        self.safe_urls = safe_urls
        self.templates = templates
        self.found = found
        self.decisions = tuple(sorted(decisions))
        self.salt = salt
        self.pattern = re.compile(rf"-egx{salt}-\d+-")
        self._plans: OrderedDict[tuple[Any, ...], tuple[Plan, Filler] | None] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def roots(self) -> frozenset[str]:
        """Every recipient name the template reads (printed or decided on)."""
        return frozenset(
            {expr.root for expr in self.found.values()} | {path[0] for path in self.decisions}
        )

    def key(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The recipient's group: their decision values (Unsupported when one is not a
        plain value, e.g. a list looped over)."""
        key = []
        for path in self.decisions:
            value: Any = values[path[0]]
            for step in path[1:]:
                if value is MISSING:
                    break
                if not isinstance(value, dict):
                    raise Unsupported("an attribute of a non-mapping value is decided on")
                if step in value:
                    value = value[step]
                elif step in _DICT_METHODS:
                    raise Unsupported("a dict method is used")
                else:
                    value = MISSING
            if value is not MISSING and not isinstance(value, _PLAIN):
                raise Unsupported(f"a {type(value).__name__} value is decided on")
            key.append(value)
        return tuple(key)

    def _context(self, key: tuple[Any, ...]) -> dict[str, Any]:
        context = dict(self.shared)
        for path in self.decisions:
            if len(path) > 1:
                context.setdefault(path[0], {})
        for path, value in zip(self.decisions, key, strict=True):
            if value is MISSING:
                continue
            if len(path) == 1:
                context[path[0]] = value
                continue
            node = context[path[0]]
            for step in path[1:-1]:
                node = node.setdefault(step, {})
            node[path[-1]] = value
        return context

    def entry(self, key: tuple[Any, ...]) -> tuple[Plan, Filler] | None:
        """The plan and filler of a group (None: its members are rendered in full)."""
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        try:
            context = self._context(key)
            parts = {
                part: run(template, dict(context), Budget(DEFAULT_LIMITS))
                for part, template in self.templates.items()
            }
        except Exception:
            made = None  # the full render reports what is wrong, per recipient
        else:
            if any(f"-egx{self.salt}-" in self.pattern.sub("", v) for v in parts.values()):
                made = None  # marker-like text in the content: this group renders in full
            else:
                plan = _plan(
                    self.compiled, parts, self.found, self.pattern, self.salt, self.safe_urls
                )
                made = plan, Filler(plan)
        with self._lock:
            self._plans[key] = made
            while len(self._plans) > self.MAX_PLANS:
                self._plans.popitem(last=False)
        return made


def analyse(
    compiled: CompiledTemplate, shared: Mapping[str, Any], *, safe_urls: frozenset[str]
) -> Analysis | None:
    """The substitution form of ``compiled`` for a send with ``shared``, or None when
    the template must be rendered per recipient (it assigns a recipient name).

    ``safe_urls`` names the URL values HTML escaping never changes (tracking URLs on a
    plain base URL): one key serves both parts for them.
    """
    variables = frozenset(spec.name for spec in compiled.variables)
    names = RECIPIENT_NAMES | variables | frozenset(compiled.link_names)
    internal = frozenset({*compiled.link_names, "_open"})
    salt = secrets.token_hex(4)
    counter = iter(range(1_000_000))

    def marker() -> str:
        return f"-egx{salt}-{next(counter)}-"

    try:
        templates: dict[str, Any] = {}
        found: dict[str, Expr] = {}
        decisions: set[tuple[str, ...]] = set()
        by_expr: dict[Expr, str] = {}
        for part, source, html in (
            ("subject", compiled.subject_source, False),
            ("html", compiled.html_source, True),
            ("text", compiled.text_source, False),
        ):
            template, markers, used = _marked(
                source, html=html, names=names, internal=internal, marker=marker, by_expr=by_expr
            )
            templates[part] = template
            found.update(markers)
            decisions |= used
    except Exception:
        return None  # the full render will report what is wrong, per recipient
    return Analysis(compiled, shared, safe_urls, templates, found, decisions, salt)


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
