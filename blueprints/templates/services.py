"""Write and read logic of templates, shared by the API, the CLI and the send pipeline.

Services flush and never commit: the boundary owns the transaction. Previews and test
sends live in ``blueprints.templates.previews``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from blueprints.accounts import services as accounts
from blueprints.templates import markup, rendering
from blueprints.templates.models import EmailTemplate, TemplateRevision, TemplateVariable
from blueprints.templates.rendering import (
    CompiledTemplate,
    TemplateInvalid,
    TemplateSource,
    VariableSpec,
)
from blueprints.templates.starters import STARTERS
from blueprints.templates.validation import (
    CONTEXT_NAMES,
    UNSUBSCRIBE,
    Problem,
    check_source,
    check_variables,
    references,
)
from engagex.api import Page, keyset_page
from engagex.db import db
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

CONTENT_FIELDS = (
    "kind",
    "subject",
    "preheader",
    "html",
    "mjml",
    "text",
    "from_name",
    "from_email",
    "reply_to",
)
#: Organization.settings keys this domain reads.
SETTING_AUTO_FOOTER = "auto_unsubscribe_footer"
SETTING_ADDRESS = "postal_address"

SAMPLE_CONTACT: dict[str, Any] = {
    "email": "jane.doe@example.com",
    "first_name": "Jane",
    "last_name": "Doe",
    "attributes": {},
}


# --- organization settings -------------------------------------------------------------


def current_organization() -> Any:
    """The organization of the tenant context."""
    return accounts.get_organization_by_id(require_org_id())


def auto_footer_enabled(org: Any | None = None) -> bool:
    """Whether the organization adds the unsubscribe footer to templates lacking one."""
    org = org or current_organization()
    return bool((org.settings or {}).get(SETTING_AUTO_FOOTER))


def organization_display(org: Any | None = None) -> dict[str, Any]:
    """The organization fields a template may print (``organization.*``)."""
    org = org or current_organization()
    settings = org.settings or {}
    return {
        "name": org.name,
        "address": settings.get(SETTING_ADDRESS) or "",
        "website": settings.get("website") or "",
        "from_name": org.default_from_name or org.name,
    }


# --- validation ------------------------------------------------------------------------


def _unsubscribe_hint(field: str) -> str:
    example = (
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a>'
        if field == "html"
        else "{{ unsubscribe_url }}"
    )
    return (
        f"marketing emails need a visible unsubscribe link: add {example} or turn on the "
        "organization's automatic unsubscribe footer"
    )


def static_problems(
    fields: dict[str, Any], variables: list[dict[str, Any]], *, auto_footer: bool
) -> list[Problem]:
    """Everything wrong with a template's content that shows without rendering it."""
    problems = check_variables(variables)
    allowed = frozenset(CONTEXT_NAMES | {str(v.get("name")) for v in variables})
    if not (fields.get("subject") or "").strip():
        problems.append(Problem("subject", "required", "a subject is required"))
    if not (fields.get("html") or "").strip():
        problems.append(Problem("html", "required", "an HTML body (or MJML source) is required"))
    trees = {}
    for name, is_html in (("subject", False), ("preheader", True), ("html", True), ("text", False)):
        source = fields.get(name)
        if source:
            trees[name], found = check_source(name, source, allowed_names=allowed, html=is_html)
            problems.extend(found)
    if fields.get("kind", "marketing") == "marketing" and not auto_footer:
        for name in ("html", "text"):
            tree = trees.get(name)
            if tree is not None and not references(tree, UNSUBSCRIBE):
                problems.append(Problem(name, "missing_unsubscribe", _unsubscribe_hint(name)))
    return problems


def validate(
    fields: dict[str, Any], variables: list[dict[str, Any]], *, auto_footer: bool
) -> CompiledTemplate:
    """Check a template's content fully or raise ``TemplateInvalid`` (HTTP 422).

    Static checks first (syntax, forbidden constructs, unknown names, unsubscribe link),
    then each source is rendered once with sample data under the render limits, so a
    runaway loop or a runtime error is refused at save time, with its line.
    """
    problems = static_problems(fields, variables, auto_footer=auto_footer)
    if problems:
        raise TemplateInvalid(problems)
    source = TemplateSource(
        subject=fields["subject"],
        html=fields["html"],
        text=fields.get("text") or None,
        preheader=fields.get("preheader") or None,
        variables=tuple(VariableSpec.of(v) for v in variables),
        kind=fields.get("kind") or "marketing",
    )
    context = sample_context(source.variables)
    rendering.trial_render(source, context)
    compiled = rendering.compile_template(
        source, base_url=current_app.config["ENGAGEX_BASE_URL"], auto_footer=auto_footer
    )
    try:
        rendering.render(compiled, context, preview_links(compiled))
    except rendering.RenderFailed as exc:  # the compiled form (e.g. derived text) failed
        raise TemplateInvalid([Problem("html", exc.code, exc.message)]) from exc
    return compiled


def sample_context(
    variables: tuple[VariableSpec, ...] = (),
    sample: dict[str, Any] | None = None,
    org: Any | None = None,
) -> dict[str, Any]:
    """A render context from sample contact data (defaults: Jane Doe)."""
    contact = dict(SAMPLE_CONTACT if sample is None else sample)
    attributes = dict(contact.get("attributes") or {})
    for spec in variables:
        if spec.required and attributes.get(spec.name) in (None, "") and not spec.default:
            attributes[spec.name] = f"[{spec.name}]"
    contact["attributes"] = attributes
    shared = rendering.shared_context(
        organization=organization_display(org), campaign={"name": "Sample campaign"}
    )
    return rendering.recipient_context(shared, contact)


def preview_links(compiled: CompiledTemplate) -> rendering.RecipientLinks:
    """Untracked links whose unsubscribe/preferences/browser URLs are inert placeholders."""
    base = current_app.config["ENGAGEX_BASE_URL"]
    return rendering.untracked(
        compiled,
        unsubscribe=f"{base}/u/preview",
        preferences=f"{base}/u/preview#preferences",
        view_in_browser=f"{base}/u/preview#browser",
    )


# --- reading ---------------------------------------------------------------------------


def list_templates(
    actor: Actor | None, *, limit: int = 50, cursor: str | None = None, kind: str | None = None
) -> Page:
    require(actor, "templates:read")
    stmt = sa.select(EmailTemplate)
    if kind:
        stmt = stmt.where(EmailTemplate.kind == kind)
    return keyset_page(stmt, [EmailTemplate.id], limit=limit, cursor=cursor, descending=True)


def get_template(actor: Actor | None, template_id: int) -> EmailTemplate:
    require(actor, "templates:read")
    template = db.session.scalars(
        sa.select(EmailTemplate).where(EmailTemplate.id == template_id)
    ).one_or_none()
    if template is None:
        raise NotFound("template not found", code="template_not_found")
    return template


def list_revisions(
    actor: Actor | None, template_id: int, *, limit: int = 50, cursor: str | None = None
) -> Page:
    get_template(actor, template_id)
    stmt = sa.select(TemplateRevision).where(TemplateRevision.template_id == template_id)
    return keyset_page(stmt, [TemplateRevision.number], limit=limit, cursor=cursor, descending=True)


def get_revision(
    actor: Actor | None, revision_id: int, *, template_id: int | None = None
) -> TemplateRevision:
    """A revision by id (what a campaign pins); ``NotFound`` for another org's."""
    require(actor, "templates:read")
    stmt = sa.select(TemplateRevision).where(TemplateRevision.id == revision_id)
    if template_id is not None:
        stmt = stmt.where(TemplateRevision.template_id == template_id)
    revision = db.session.scalars(stmt).one_or_none()
    if revision is None:
        raise NotFound("template revision not found", code="revision_not_found")
    return revision


def latest_revision(actor: Actor | None, template_id: int) -> TemplateRevision:
    template = get_template(actor, template_id)
    revision = db.session.scalars(
        sa.select(TemplateRevision).where(
            TemplateRevision.template_id == template.id,
            TemplateRevision.number == template.version,
        )
    ).one_or_none()
    if revision is None:  # pragma: no cover - every save writes one
        raise NotFound("template revision not found", code="revision_not_found")
    return revision


# --- writing ---------------------------------------------------------------------------


def clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The template fields present in ``data``, trimmed and normalized (emails IDNA)."""
    fields = {k: data[k] for k in ("name", *CONTENT_FIELDS) if k in data}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"] or len(fields["name"]) > 200:
            raise ValidationFailed("the name must have 1 to 200 characters", code="invalid_name")
    for key in ("preheader", "mjml", "text", "from_name"):
        if key in fields:
            fields[key] = fields[key] if fields[key] and fields[key].strip() else None
    for key in ("from_email", "reply_to"):
        if key in fields:
            fields[key] = accounts.normalize_email(fields[key]) if fields[key] else None
    if "kind" in fields and fields["kind"] not in rendering.KINDS:
        raise ValidationFailed(
            f"kind must be one of: {', '.join(rendering.KINDS)}", code="invalid_kind"
        )
    if "subject" in fields and fields["subject"] is not None:
        fields["subject"] = fields["subject"].strip()
    return fields


def apply_mjml(fields: dict[str, Any], changed: dict[str, Any]) -> None:
    """Compile changed MJML into ``fields["html"]``; a changed HTML drops the MJML."""
    if changed.get("mjml") and changed.get("html"):
        raise ValidationFailed("give either html or mjml, not both", code="html_and_mjml")
    if changed.get("mjml"):
        try:
            fields["html"] = markup.mjml_to_html(changed["mjml"])
        except markup.MarkupError as exc:
            raise TemplateInvalid([Problem("mjml", "syntax_error", str(exc), exc.line)]) from exc
    elif "html" in changed:
        fields["mjml"] = None  # the HTML is the source from now on


def _variables_of(template: EmailTemplate) -> list[dict[str, Any]]:
    return [
        {"name": v.name, "default": v.default, "required": v.required, "description": v.description}
        for v in template.variables
    ]


def _ensure_name_free(name: str, template_id: int | None) -> None:
    stmt = sa.select(EmailTemplate.id).where(EmailTemplate.name == name)
    if template_id is not None:
        stmt = stmt.where(EmailTemplate.id != template_id)
    if db.session.scalars(stmt).first() is not None:
        raise Conflict(f"a template named {name!r} exists already", code="template_name_taken")


def _write_revision(template: EmailTemplate, actor: Actor | None) -> TemplateRevision:
    template.version = (template.version or 0) + 1
    revision = TemplateRevision(
        template_id=template.id,
        number=template.version,
        variables=[
            {"name": v["name"], "default": v["default"], "required": v["required"]}
            for v in _variables_of(template)
        ],
        created_by_id=actor.user_id if actor else None,
        **{name: getattr(template, name) for name in CONTENT_FIELDS},
    )
    db.session.add(revision)
    return revision


def _set_variables(template: EmailTemplate, variables: list[dict[str, Any]]) -> None:
    template.variables = [
        TemplateVariable(
            name=v["name"],
            default=None if v.get("default") is None else str(v["default"]),
            required=bool(v.get("required")),
            description=v.get("description"),
            position=i,
        )
        for i, v in enumerate(variables)
    ]


def create_template(actor: Actor | None, data: dict[str, Any]) -> EmailTemplate:
    """Create a template (optionally from a ``starter``) and its first revision."""
    require(actor, "templates:write")
    base: dict[str, Any] = {"kind": "marketing"}
    starter = data.get("starter")
    if starter:
        if starter not in STARTERS:
            raise ValidationFailed(
                f"unknown starter {starter!r}; one of: {', '.join(STARTERS)}",
                code="unknown_starter",
            )
        base.update(STARTERS[starter].fields())
    changed = clean_fields(data)
    if "name" not in changed:
        raise ValidationFailed("a name is required", code="invalid_name")
    fields = {**{k: base.get(k) for k in ("name", *CONTENT_FIELDS)}, **changed}
    apply_mjml(fields, changed)
    variables = data["variables"] if "variables" in data else base.get("variables", [])
    validate(fields, variables, auto_footer=auto_footer_enabled())
    _ensure_name_free(fields["name"], None)
    template = EmailTemplate(starter=starter or None, version=0, **fields)
    _set_variables(template, variables)
    db.session.add(template)
    _flush_unique(template.name)
    _write_revision(template, actor)
    db.session.flush()
    return template


def update_template(actor: Actor | None, template_id: int, data: dict[str, Any]) -> EmailTemplate:
    """Change a template; a new revision is written when the content changes."""
    require(actor, "templates:write")
    template = get_template(actor, template_id)
    changed = clean_fields(data)
    fields = {k: getattr(template, k) for k in ("name", *CONTENT_FIELDS)}
    fields.update(changed)
    apply_mjml(fields, changed)
    variables = data["variables"] if "variables" in data else _variables_of(template)
    content_changed = any(fields[k] != getattr(template, k) for k in CONTENT_FIELDS) or (
        "variables" in data and _normal(variables) != _normal(_variables_of(template))
    )
    if content_changed:
        validate(fields, variables, auto_footer=auto_footer_enabled())
    if fields["name"] != template.name:
        _ensure_name_free(fields["name"], template.id)
    for key, value in fields.items():
        setattr(template, key, value)
    if "variables" in data:
        _set_variables(template, variables)
    _flush_unique(template.name)
    if content_changed:
        _write_revision(template, actor)
        db.session.flush()
    return template


def _normal(variables: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            v.get("name"),
            None if v.get("default") is None else str(v.get("default")),
            bool(v.get("required")),
            v.get("description"),
        )
        for v in variables
    ]


def _flush_unique(name: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # lost a race for the name
        raise Conflict(
            f"a template named {name!r} exists already", code="template_name_taken"
        ) from exc


def delete_template(actor: Actor | None, template_id: int) -> None:
    """Soft-delete: revisions stay, so campaigns that pinned one still render."""
    require(actor, "templates:write")
    template = get_template(actor, template_id)
    template.soft_delete()
    db.session.flush()


# --- compiling for sends ---------------------------------------------------------------

_CACHE_SIZE = 32
_compiled: OrderedDict[tuple[Any, ...], CompiledTemplate] = OrderedDict()
_compiled_lock = threading.Lock()


def compiled_revision(
    actor: Actor | None,
    revision_id: int,
    *,
    base_url: str | None = None,
    track_clicks: bool = True,
    track_opens: bool = True,
) -> CompiledTemplate:
    """The compiled form of a revision, cached per process (revisions never change).

    The revision is read under the tenant context first, so the cache never serves
    another organization's template.
    """
    revision = get_revision(actor, revision_id)
    org = current_organization()
    footer = auto_footer_enabled(org)
    base = base_url or current_app.config["ENGAGEX_BASE_URL"]
    # The content digest keeps a reused id (SQLite may reuse the ids of deleted rows)
    # from ever serving another revision's compiled form.
    digest = hashlib.sha256(
        json.dumps(
            [getattr(revision, name) for name in (*CONTENT_FIELDS, "variables")],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    key = (revision.organization_id, revision.id, digest, base, footer, track_clicks, track_opens)
    with _compiled_lock:
        hit = _compiled.get(key)
        if hit is not None:
            _compiled.move_to_end(key)
            return hit
    compiled = rendering.compile_template(
        revision,
        base_url=base,
        auto_footer=footer,
        track_clicks=track_clicks,
        track_opens=track_opens,
    )
    with _compiled_lock:
        _compiled[key] = compiled
        while len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    return compiled
