"""The Jinja2 sandbox every email template runs in, and the per-render budget.

Template authors are not trusted. Three layers keep a template from reaching anything
but its own data or from running away with a worker:

1. ``EmailSandbox`` subclasses ``ImmutableSandboxedEnvironment``: no globals but a
   bounded ``range``, an allow-list of filters and tests, attribute access only to dict
   keys, a few string/dict methods and the loop object; ``str.format``/``format_map``
   and ``%`` formatting are refused; any unsafe access raises ``SecurityError`` at once
   (Jinja's default silently renders an empty string).
2. ``hardening.harden`` rewrites the parsed template before it is compiled: ``include``,
   ``extends``, ``import``, ``block``, ``autoescape`` blocks and recursive loops are
   refused, and every loop, ``~`` concatenation and collection literal is wrapped in a
   guard filter (filters are bound at compile time, so a template variable cannot
   shadow a guard).
3. A ``Budget`` in a context variable counts loop iterations, calls, produced output
   and wall-clock time. Every guard, every ``{{ }}`` output (``finalize``) and every
   call checks it, so a hostile template stops within the limits in any thread or
   worker, without signals.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import ChainableUndefined, pass_context
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.runtime import Context, LoopContext, Macro, Undefined, markup_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing
from markupsafe import Markup

from blueprints.templates import filters


@dataclass(frozen=True)
class Limits:
    """Caps on one message render (subject, HTML and text together)."""

    #: wall-clock seconds for the whole message
    timeout: float = 1.0
    #: characters of one rendered part, and of the output produced while rendering it
    max_output: int = 1_000_000
    #: loop iterations, all loops together
    max_iterations: int = 10_000
    #: function and macro calls
    max_calls: int = 10_000
    #: items of ``range()``
    max_range: int = 1_000
    #: approximate printed size of any string or collection a template builds
    max_value: int = 1_000_000


DEFAULT_LIMITS = Limits()


class RenderLimitExceeded(TemplateRuntimeError):
    """A template used more time, output, iterations or calls than allowed."""

    def __init__(self, what: str, limit: float | int) -> None:
        super().__init__(f"the template exceeded the {what} limit ({limit})")
        self.what = what
        self.limit = limit


class Budget:
    """What one render may still spend; lives in a context variable during ``run``."""

    __slots__ = ("calls", "deadline", "iterations", "limits", "output")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.perf_counter() + limits.timeout
        self.iterations = 0
        self.calls = 0
        self.output = 0

    def check_time(self) -> None:
        if time.perf_counter() > self.deadline:
            raise RenderLimitExceeded("render time (seconds)", self.limits.timeout)

    def charge_output(self, size: int) -> None:
        self.output += size
        if self.output > self.limits.max_output:
            raise RenderLimitExceeded("output size (characters)", self.limits.max_output)
        self.check_time()

    def charge_call(self) -> None:
        self.calls += 1
        if self.calls > self.limits.max_calls:
            raise RenderLimitExceeded("call count", self.limits.max_calls)
        self.check_time()

    def iterate(self, iterable: Iterable[Any], body_size: int) -> Iterator[Any]:
        limit = self.limits.max_iterations
        for item in iterable:
            self.iterations += 1
            if self.iterations > limit:
                raise RenderLimitExceeded("loop iteration", limit)
            if body_size:
                self.charge_output(body_size)
            else:
                self.check_time()
            yield item


_budget: ContextVar[Budget | None] = ContextVar("engagex_template_budget", default=None)


def current_budget() -> Budget:
    budget = _budget.get()
    if budget is None:
        # Rendering outside ``run`` would bypass every limit: refuse it.
        raise SecurityError("templates render only through blueprints.templates.sandbox.run")
    return budget


def run(template: Any, context: dict[str, Any], budget: Budget) -> str:
    """Render ``template`` with ``context`` under ``budget``; raise when a cap is hit.

    Output is charged where it can grow: each ``{{ }}`` (``finalize``) and each loop
    iteration (its static text). Static text outside loops is bounded by the source
    size, so the joined result is checked once, at the end.
    """
    token = _budget.set(budget)
    try:
        budget.output = 0
        result = template.render(context)
        if len(result) > budget.limits.max_output:
            raise RenderLimitExceeded("output size (characters)", budget.limits.max_output)
        budget.check_time()
        return result
    except RecursionError as exc:
        raise RenderLimitExceeded("recursion depth", "Python's") from exc
    finally:
        _budget.reset(token)


# --- printed size of values ------------------------------------------------------------


def weight(value: Any, cap: int) -> int:
    """An upper bound of ``len(str(value))``, computed without building the string.

    Stops counting once ``cap`` is passed, so it is cheap even on a value built to be
    huge (nested lists that share themselves).
    """
    if isinstance(value, str):
        return len(value)
    if value is None or isinstance(value, bool | int | float | Undefined):
        return 24
    total = 2
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 4
        elif isinstance(item, dict):
            total += 2
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2
            stack.extend(item)
        else:
            total += 24
        if total > cap:
            return total
    return total


def _check_weight(value: Any) -> Any:
    cap = current_budget().limits.max_value
    if weight(value, cap) > cap:
        raise RenderLimitExceeded("value size (characters)", cap)
    return value


# --- the undefined value ---------------------------------------------------------------


class EmailUndefined(ChainableUndefined):
    """Missing keys are empty (``attributes.city``); unknown top-level names are errors.

    Save-time validation already rejects unknown names; at render time a name that is
    not in the context (``config``, ``request``, ``cycler``...) fails loudly instead of
    rendering as nothing.
    """

    __slots__ = ()

    def _strict(self) -> bool:
        return self._undefined_obj is missing

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        if self._strict():
            return self._fail_with_undefined_error()
        return self

    def __str__(self) -> str:
        if self._strict():
            self._fail_with_undefined_error()
        return ""

    def __html__(self) -> str:
        return str(self)

    def __iter__(self) -> Iterator[Any]:
        if self._strict():
            self._fail_with_undefined_error()
        return iter(())

    def __bool__(self) -> bool:
        if self._strict():
            self._fail_with_undefined_error()
        return False

    def __len__(self) -> int:
        if self._strict():
            self._fail_with_undefined_error()
        return 0

    __hash__ = ChainableUndefined.__hash__


# --- guards inserted by ``harden`` -----------------------------------------------------


@pass_context
def _guard_loop(context: Context, iterable: Any, body_size: int = 0) -> Iterator[Any]:
    budget = current_budget()
    if isinstance(iterable, dict):
        iterable = list(iterable)
    return budget.iterate(iterable, body_size)


@pass_context
def _guard_concat(context: Context, items: list[Any]) -> Any:
    cap = current_budget().limits.max_value
    total = 0
    for item in items:
        total += weight(item, cap)
        if total > cap:
            raise RenderLimitExceeded("value size (characters)", cap)
    if context.eval_ctx.autoescape:
        return markup_join(items)
    return "".join(str(item) for item in items)


@pass_context
def _guard_literal(context: Context, value: Any) -> Any:
    return _check_weight(value)


def bounded_range(*args: int) -> range:
    """``range`` with at most ``Limits.max_range`` items."""
    result = range(*args)
    limit = current_budget().limits.max_range
    if len(result) > limit:
        raise RenderLimitExceeded("range size", limit)
    return result


def finalize(value: Any) -> Any:
    """Applied to every ``{{ }}`` output: prints scalars, charges the budget.

    The hot path of rendering (once per printed value per message): strings first.
    """
    budget = _budget.get()  # None while Jinja folds constants at compile time
    cls = type(value)
    if cls is str or cls is Markup:
        if budget is not None:
            budget.output += len(value)
            if budget.output > budget.limits.max_output:
                raise RenderLimitExceeded("output size (characters)", budget.limits.max_output)
        return value
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Undefined):
        return value
    if isinstance(value, str):
        size = len(value)
    elif isinstance(value, list | tuple):
        if budget is not None:
            _check_weight(value)
        if any(isinstance(item, dict | list | tuple) for item in value):
            raise TemplateRuntimeError("a nested list cannot be printed; loop over it")
        value = ", ".join("" if item is None else str(item) for item in value)
        size = len(value)
    elif isinstance(value, dict):
        raise TemplateRuntimeError("a mapping cannot be printed; print one of its fields")
    else:
        raise TemplateRuntimeError(f"a {type(value).__name__} value cannot be printed")
    if budget is not None:
        budget.charge_output(size)
    return value


# --- the environment -------------------------------------------------------------------

#: str methods a template may call; all return a value at most as large as the input.
STR_METHODS = frozenset(
    {
        "capitalize",
        "endswith",
        "isdigit",
        "lower",
        "lstrip",
        "rstrip",
        "startswith",
        "strip",
        "title",
        "upper",
    }
)
DICT_METHODS = frozenset({"get", "items", "keys", "values"})
LOOP_ATTRIBUTES = frozenset(
    {
        "index",
        "index0",
        "revindex",
        "revindex0",
        "first",
        "last",
        "length",
        "depth",
        "depth0",
        "previtem",
        "nextitem",
        "cycle",
        "changed",
    }
)
GUARD_FILTERS = {
    "_guard_loop": _guard_loop,
    "_guard_concat": _guard_concat,
    "_guard_literal": _guard_literal,
}
_GUARD_CALLABLES = (bounded_range,)


class EmailSandbox(ImmutableSandboxedEnvironment):
    """The only environment templates are compiled in (one for HTML, one for text)."""

    intercepted_binops = frozenset({"+", "*", "**", "%", "//"})

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(
            autoescape=autoescape,
            undefined=EmailUndefined,
            finalize=finalize,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=0,
        )
        self.globals = {"range": bounded_range}
        self.filters = {**filters.ALLOWED_FILTERS, **GUARD_FILTERS}
        self.tests = {name: test for name, test in self.tests.items() if name in filters.TESTS}

    # attribute and item access --------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, str):
            return attr in STR_METHODS
        if isinstance(obj, dict):
            return attr in DICT_METHODS
        if isinstance(obj, LoopContext):
            return attr in LOOP_ATTRIBUTES
        return False

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(
            f"access to {attribute!r} of a {type(obj).__name__} value is not allowed"
        )

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            # Data first: a custom attribute named "items" or "title" is the data.
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
            if attribute in DICT_METHODS:
                return getattr(obj, attribute)
            if attribute.startswith("_"):
                return self.unsafe_undefined(obj, attribute)
            return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, Undefined):
            if obj._undefined_obj is missing:
                return obj._fail_with_undefined_error()
            if attribute.startswith("_"):
                return self.unsafe_undefined(obj, attribute)
            return obj
        if attribute.startswith("_"):
            return self.unsafe_undefined(obj, attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return self.undefined(obj=obj, name=attribute)
        if self.is_safe_attribute(obj, attribute, value):
            return value
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and not isinstance(obj, dict):
            return self.getattr(obj, argument)
        if isinstance(obj, Undefined):
            return obj[argument]
        try:
            return obj[argument]
        except (TypeError, LookupError):
            if isinstance(argument, str):
                return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    # calls and operators ----------------------------------------------------------------

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, Macro | Undefined) or obj in _GUARD_CALLABLES:
            return True
        owner = getattr(obj, "__self__", None)
        name = getattr(obj, "__name__", "")
        if isinstance(owner, str):
            return name in STR_METHODS
        if isinstance(owner, dict):
            return name in DICT_METHODS
        if isinstance(owner, LoopContext):
            return name in {"cycle", "changed"}
        return False

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        current_budget().charge_call()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"calling a {type(__obj).__name__} is not allowed")
        return __context.call(__obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        cap = current_budget().limits.max_value
        numbers = isinstance(left, int | float) and isinstance(right, int | float)
        if operator == "%":
            if not numbers:
                raise SecurityError("string formatting with % is not allowed")
            return left % right
        if operator == "//":
            return left // right
        if operator == "**":
            if not numbers:
                raise SecurityError("** needs two numbers")
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                if abs(left) > 1 and right * math.log2(abs(left)) > 4096:
                    raise RenderLimitExceeded("number size (bits)", 4096)
            elif abs(right) > 1024:
                raise RenderLimitExceeded("exponent", 1024)
            return left**right
        if operator == "*":
            if numbers:
                if (
                    isinstance(left, int)
                    and isinstance(right, int)
                    and abs(left).bit_length() + abs(right).bit_length() > 4096
                ):
                    raise RenderLimitExceeded("number size (bits)", 4096)
                return left * right
            seq, times = (left, right) if isinstance(right, int) else (right, left)
            if not isinstance(times, int) or isinstance(times, bool):
                return left * right  # raises TypeError as Python would
            if times > 0 and weight(seq, cap) * times > cap:
                raise RenderLimitExceeded("value size (characters)", cap)
            return left * right
        # "+"
        if not numbers:
            if weight(left, cap) + weight(right, cap) > cap:
                raise RenderLimitExceeded("value size (characters)", cap)
        elif isinstance(left, int) and isinstance(right, int):
            pass  # sums grow by one bit at most
        return left + right
