"""The render-time rules applied to every parsed template before it is compiled.

``harden`` refuses what email templates may not use (``include``, ``extends``,
``import``, ``block``, ``autoescape`` blocks, recursive loops, reserved ``_`` names) and
wraps every loop, ``~`` concatenation and non-constant collection literal in a guard
filter of ``blueprints.templates.sandbox`` that charges the render budget. Filters are
bound when the template is compiled, so no template variable can shadow a guard.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError


def body_size(node: nodes.Node) -> int:
    """Characters of static text inside ``node``: what one loop iteration prints at least."""
    return sum(len(data.data) for data in node.find_all(nodes.TemplateData))


_FORBIDDEN = {
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Block: "{% block %}",
    nodes.EvalContextModifier: "{% autoescape %}",
    nodes.ScopedEvalContextModifier: "{% autoescape %}",
}


def forbidden_construct(node: nodes.Node) -> str | None:
    """The name of a construct templates may not use, or None."""
    for kind, label in _FORBIDDEN.items():
        if isinstance(node, kind):
            return label
    if isinstance(node, nodes.For) and node.recursive:
        return "recursive loops"
    return None


def _guard(node: nodes.Expr, name: str, *args: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


def harden(tree: nodes.Template, internal: frozenset[str] = frozenset()) -> nodes.Template:
    """Refuse forbidden constructs and wrap loops, ``~`` and literals in guards (in place).

    Runs on every template that is compiled, validated or not: it is the render-time
    half of the rules that save-time validation reports with line numbers. ``internal``
    are the reserved names the compiler itself put in (link slots, the open pixel).
    """
    for node in list(tree.find_all(nodes.Node)):
        label = forbidden_construct(node)
        if label:
            raise SecurityError(f"{label} is not allowed in email templates (line {node.lineno})")
        if isinstance(node, nodes.Name) and node.name.startswith("_") and node.name not in internal:
            raise SecurityError(f"names starting with '_' are reserved (line {node.lineno})")
    _wrap(tree)
    return tree


def _wrap(node: nodes.Node) -> None:
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            setattr(node, field, [_rewrite(item) for item in value])
        elif isinstance(value, nodes.Node):
            setattr(node, field, _rewrite(value))


def _rewrite(node: Any) -> Any:
    if not isinstance(node, nodes.Node):
        return node
    _wrap(node)
    if isinstance(node, nodes.For):
        node.iter = _guard(
            node.iter, "_guard_loop", nodes.Const(body_size(nodes.Output(node.body)))
        )
        return node
    if isinstance(node, nodes.Concat):
        return _guard(nodes.List(node.nodes, lineno=node.lineno), "_guard_concat")
    if isinstance(node, nodes.Dict):
        return _guard(node, "_guard_literal")
    constant = all(isinstance(item, nodes.Const) for item in getattr(node, "items", ()))
    if (
        isinstance(node, nodes.List) or (isinstance(node, nodes.Tuple) and node.ctx == "load")
    ) and not constant:
        return _guard(node, "_guard_literal")
    return node
