"""Compile a template revision once, then render it per recipient (the send path).

``compile_template`` does all the HTML work once per campaign: the preheader and (if
the organization wants it) the unsubscribe footer are added, CSS is inlined, every
static http(s) link becomes a numbered slot, the open pixel is placed, the text part is
derived when the author gave none, and the three parts become sandboxed Jinja
templates. ``render`` then only substitutes variables and signed URLs.

The interface used by the campaign pipeline and the tracking domain::

    compiled = compile_template(revision, base_url=..., auto_footer=...)
    compiled.links                      # index -> original URL (the click table)
    shared = shared_context(organization={...}, campaign={...})
    for recipient in batch:
        context = recipient_context(shared, contact_fields)
        links = RecipientLinks(click=signer_for(recipient), unsubscribe=..., ...)
        message = render(compiled, context, links)   # .subject .html .text

See docs/templates.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError

from blueprints.templates import markup, textpart
from blueprints.templates.hardening import harden
from blueprints.templates.sandbox import (
    DEFAULT_LIMITS,
    Budget,
    Limits,
    RenderLimitExceeded,
    run,
)
from blueprints.templates.validation import CONTACT_FIELDS, HTML_ENV, TEXT_ENV, UNSUBSCRIBE
from engagex.errors import ValidationFailed

KINDS = ("marketing", "transactional")

FOOTER_HTML = (
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">'
    '<tr><td align="center" style="padding:24px 16px;font-family:Arial,Helvetica,sans-serif;'
    'font-size:12px;line-height:18px;color:#6b7280;">'
    "{{ organization.name }}{% if organization.address %} &middot; "
    "{{ organization.address }}{% endif %}<br>"
    "You receive this email because you subscribed to {{ organization.name }}.<br>"
    '<a href="{{ unsubscribe_url }}" style="color:#6b7280;text-decoration:underline;">'
    "Unsubscribe</a>{% if preferences_url %} &middot; "
    '<a href="{{ preferences_url }}" style="color:#6b7280;text-decoration:underline;">'
    "Email preferences</a>{% endif %}</td></tr></table>"
)
FOOTER_TEXT = (
    "\n\n--\n{{ organization.name }}{% if organization.address %}, "
    "{{ organization.address }}{% endif %}\n"
    "Unsubscribe: {{ unsubscribe_url }}\n"
    "{% if preferences_url %}Email preferences: {{ preferences_url }}\n{% endif %}"
)


class TemplateInvalid(ValidationFailed):
    """A template that cannot be saved or compiled; ``details.errors`` lists why."""

    code = "template_invalid"

    def __init__(self, problems: Sequence[Any]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}", details={"errors": [p.as_dict() for p in problems]})
        self.problems = list(problems)


class RenderFailed(ValidationFailed):
    """One message could not be rendered (a limit, a runtime error, a missing value)."""

    code = "render_failed"


@dataclass(frozen=True)
class VariableSpec:
    name: str
    default: str | None = None
    required: bool = False

    @classmethod
    def of(cls, value: Any) -> VariableSpec:
        if isinstance(value, VariableSpec):
            return value
        if isinstance(value, Mapping):
            return cls(value["name"], value.get("default"), bool(value.get("required")))
        return cls(value.name, value.default, bool(value.required))


@dataclass(frozen=True)
class TemplateSource:
    """What compiling needs: a ``TemplateRevision`` or an unsaved draft."""

    subject: str
    html: str
    text: str | None = None
    preheader: str | None = None
    variables: tuple[VariableSpec, ...] = ()
    kind: str = "marketing"
    revision_id: int | None = None

    @classmethod
    def of(cls, revision: Any) -> TemplateSource:
        if isinstance(revision, TemplateSource):
            return revision
        return cls(
            subject=revision.subject,
            html=revision.html,
            text=revision.text or None,
            preheader=revision.preheader or None,
            variables=tuple(VariableSpec.of(v) for v in (revision.variables or ())),
            kind=revision.kind,
            revision_id=getattr(revision, "id", None),
        )


@dataclass(frozen=True)
class CompiledTemplate:
    """A revision ready to render many times; immutable and safe to share."""

    subject: Template
    html: Template
    text: Template
    #: index -> original URL of every tracked link (the click-tracking table)
    links: tuple[str, ...]
    variables: tuple[VariableSpec, ...]
    track_opens: bool
    #: the compiled Jinja sources (what actually renders; useful when debugging)
    subject_source: str
    html_source: str
    text_source: str
    revision_id: int | None = None
    link_names: tuple[str, ...] = field(default=())
    #: the text part has block tags: its output may need blank lines collapsed
    tidy_text: bool = False


@dataclass(frozen=True, slots=True)
class RecipientLinks:
    """The URLs of one recipient.

    ``click(index)`` returns the tracked URL of ``compiled.links[index]``; it is called
    once per link and recipient, so it should be a closure that has done the
    per-campaign and per-recipient work (key, recipient id) up front.
    """

    click: Callable[[int], str]
    unsubscribe: str
    preferences: str = ""
    view_in_browser: str = ""
    open_pixel: str = ""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    html: str
    text: str


def untracked(compiled: CompiledTemplate, *, unsubscribe: str, **urls: str) -> RecipientLinks:
    """Links that point at the original URLs (previews and test sends)."""
    originals = compiled.links
    return RecipientLinks(click=originals.__getitem__, unsubscribe=unsubscribe, **urls)


# --- compiling -------------------------------------------------------------------------


def compile_jinja(
    source: str, *, html: bool, field_name: str, internal: frozenset[str] = frozenset()
) -> Template:
    """Parse, harden and compile one sandboxed Jinja template."""
    env = HTML_ENV if html else TEXT_ENV
    try:
        tree = harden(env.parse(source), internal)
        return env.template_class.from_code(env, env.compile(tree), env.make_globals(None))
    except (TemplateSyntaxError, SecurityError, TemplateError) as exc:
        from blueprints.templates.validation import Problem

        line = getattr(exc, "lineno", None)
        raise TemplateInvalid([Problem(field_name, "invalid", str(exc), line)]) from exc


_RELATIVE = re.compile(r"(\s(?:href|src|background)=\")(/(?!/)[^\"]*)(\")", re.I)


def _absolutize(document: str, base_url: str) -> str:
    base = base_url.rstrip("/")
    return _RELATIVE.sub(lambda m: m.group(1) + base + m.group(2) + m.group(3), document)


def compile_template(
    revision: Any,
    *,
    base_url: str,
    auto_footer: bool = False,
    track_clicks: bool = True,
    track_opens: bool = True,
) -> CompiledTemplate:
    """Compile ``revision`` (a ``TemplateRevision`` or ``TemplateSource``) for sending.

    ``base_url`` makes root-relative ``href``/``src`` absolute. ``auto_footer`` adds the
    organization's unsubscribe footer to a template that has no unsubscribe link.
    Raises ``TemplateInvalid``.
    """
    source = TemplateSource.of(revision)
    # The author's sources alone first: reserved names are refused there, and only
    # there, since the compiled sources use them for link slots and the pixel.
    for name, text, is_html in (("html", source.html, True), ("text", source.text, False)):
        if text is not None:
            compile_jinja(text, html=is_html, field_name=name)
    document = source.html
    text = source.text
    if auto_footer and UNSUBSCRIBE not in document:
        document = markup.insert_before_body_close(document, FOOTER_HTML)
    if auto_footer and text is not None and UNSUBSCRIBE not in text:
        text = text.rstrip("\n") + FOOTER_TEXT
    if source.preheader:
        document = markup.insert_after_body_open(document, markup.preheader_html(source.preheader))

    protected = markup.protect(document)
    try:
        inlined = markup.inline_css(protected.text)
    except markup.MarkupError as exc:
        from blueprints.templates.validation import Problem

        raise TemplateInvalid([Problem("html", "invalid", str(exc))]) from exc
    inlined = _absolutize(inlined, base_url)
    links = markup.LinkTable()
    linked = markup.rewrite_links(inlined, links, track=track_clicks)

    if text is None:
        try:
            text_source = markup.restore(textpart.html_to_text(linked), protected.slots)
        except markup.MarkupError as exc:
            from blueprints.templates.validation import Problem

            raise TemplateInvalid([Problem("text", "invalid", str(exc))]) from exc
        text_field = "html (derived text part; write a text part to fix)"
    else:
        text_source = markup.restore_links(
            textpart.track_text_links(text, links) if track_clicks else text
        )
        text_field = "text"
    if track_opens:
        linked = markup.insert_before_body_close(linked, markup.PIXEL_TAG)
    html_source = markup.restore(linked, protected.slots)

    link_names = tuple(f"_l{i}" for i in range(len(links.urls)))
    internal = frozenset({*link_names, "_open"})
    return CompiledTemplate(
        subject=compile_jinja(source.subject, html=False, field_name="subject"),
        html=compile_jinja(html_source, html=True, field_name="html", internal=internal),
        text=compile_jinja(text_source, html=False, field_name=text_field, internal=internal),
        links=tuple(links.urls),
        variables=source.variables,
        track_opens=track_opens,
        subject_source=source.subject,
        html_source=html_source,
        text_source=text_source,
        revision_id=source.revision_id,
        link_names=link_names,
        tidy_text="{%" in text_source,
    )


# --- contexts --------------------------------------------------------------------------


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-like data (dict, list, str, numbers, bool, None) or TypeError.

    The render context holds only such values: never a model, a request or a config.
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if depth > 8:
        raise TypeError("context values nest at most 8 levels")
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"a {type(value).__name__} cannot be part of a template context")


def shared_context(
    *,
    organization: Mapping[str, Any],
    campaign: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The part of the context common to every recipient of a send (built once).

    ``organization``: display fields (``name``, ``address``, ``website``...);
    ``campaign``: display fields (``name``...).
    """
    return {
        "organization": plain(organization),
        "campaign": plain(campaign or {}),
        "now": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }


def recipient_context(shared: Mapping[str, Any], contact: Mapping[str, Any]) -> dict[str, Any]:
    """``shared`` plus one contact: ``email``, ``first_name``, ``last_name``, ``attributes``."""
    first = contact.get("first_name") or ""
    last = contact.get("last_name") or ""
    person = {
        "email": contact.get("email") or "",
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}".strip(),
        "attributes": plain(contact.get("attributes") or {}),
    }
    return {
        **shared,
        **{k: person[k] for k in CONTACT_FIELDS},
        "contact": person,
        "attributes": person["attributes"],
    }


def missing_variables(compiled: CompiledTemplate, context: Mapping[str, Any]) -> list[str]:
    attributes = context.get("attributes") or {}
    return [
        spec.name
        for spec in compiled.variables
        if spec.required and attributes.get(spec.name) in (None, "") and spec.default in (None, "")
    ]


# --- rendering -------------------------------------------------------------------------


def resolve_variables(
    variables: Sequence[VariableSpec], context: Mapping[str, Any]
) -> dict[str, Any]:
    """A copy of ``context`` with every declared variable set: the contact attribute of
    that name, else its default, else "" (a required one raises ``RenderFailed``)."""
    values = dict(context)
    attributes = values.get("attributes") or {}
    for spec in variables:
        value = attributes.get(spec.name)
        if value is None or value == "":
            value = spec.default
            if value is None or value == "":
                if spec.required:
                    raise RenderFailed(
                        f"the required variable '{spec.name}' has no value",
                        code="missing_variable",
                        details={"variable": spec.name},
                    )
                value = ""
        values[spec.name] = value
    return values


def trial_render(
    source: TemplateSource, context: Mapping[str, Any], *, limits: Limits = DEFAULT_LIMITS
) -> None:
    """Render each of the author's sources alone, with ``context``, under ``limits``.

    Done at save time: a source that loops forever, grows without bound or fails at
    run time is refused with the line of the author's source (the compiled form has
    other line numbers once CSS is inlined).
    """
    from blueprints.templates.validation import Problem

    values = resolve_variables(source.variables, context)
    for name in ("unsubscribe_url", "preferences_url", "view_in_browser_url"):
        values[name] = f"https://example.invalid/{name}"
    problems = []
    for field_name, text, is_html in (
        ("subject", source.subject, False),
        ("preheader", source.preheader, True),
        ("html", source.html, True),
        ("text", source.text, False),
    ):
        if not text:
            continue
        template = compile_jinja(text, html=is_html, field_name=field_name)
        try:
            run(template, values, Budget(limits))
        except Exception as exc:
            failure = render_error(exc)
            problems.append(
                Problem(field_name, failure.code, failure.message, failure.details.get("line"))
            )
    if problems:
        raise TemplateInvalid(problems)


_SPACES = re.compile(r"\s+")


def render(
    compiled: CompiledTemplate,
    context: Mapping[str, Any],
    links: RecipientLinks,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> RenderedMessage:
    """Render one message. Raises ``RenderFailed`` (code ``missing_variable``,
    ``render_limit_exceeded``, ``render_security_error`` or ``render_error``)."""
    values = resolve_variables(compiled.variables, context)
    values["unsubscribe_url"] = links.unsubscribe
    values["preferences_url"] = links.preferences
    values["view_in_browser_url"] = links.view_in_browser
    click = links.click
    for index, name in enumerate(compiled.link_names):
        values[name] = click(index)
    if compiled.track_opens:
        values["_open"] = links.open_pixel
    budget = Budget(limits)
    try:
        subject = run(compiled.subject, values, budget)
        html = run(compiled.html, values, budget)
        text = run(compiled.text, values, budget)
    except RenderFailed:
        raise
    except Exception as exc:
        raise render_error(exc) from exc
    if compiled.tidy_text:
        text = textpart.collapse_blank_lines(text)
    if "\n" in subject or "\r" in subject or "\t" in subject:
        subject = _SPACES.sub(" ", subject)
    return RenderedMessage(subject.strip(), html, text)


def render_error(exc: BaseException) -> RenderFailed:
    """The ``RenderFailed`` for an exception raised inside a template."""
    line = _template_line(exc)
    details: dict[str, Any] = {"line": line} if line else {}
    if isinstance(exc, RenderLimitExceeded):
        return RenderFailed(
            str(exc), code="render_limit_exceeded", details={**details, "limit": exc.what}
        )
    if isinstance(exc, SecurityError):
        return RenderFailed(f"not allowed: {exc}", code="render_security_error", details=details)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return RenderFailed(
        f"the template failed to render: {message}", code="render_error", details=details
    )


def _template_line(exc: BaseException) -> int | None:
    """The template line an exception was raised at, from Jinja's rewritten traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
