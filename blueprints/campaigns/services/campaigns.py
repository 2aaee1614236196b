"""Creating, reading, editing, duplicating and deleting campaigns (services: flush only).

Field names are a contract (docs/campaigns.md): ``name``, ``template_id``, ``subject``,
``from_email``, ``from_name``, ``group_ids``, ``segment_ids``, ``scheduled_at``; plus
``template_revision_id``, ``reply_to``, ``exclude_group_ids``, ``exclude_segment_ids``,
``seed_emails``, ``track_opens``, ``track_clicks``, ``timezone``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from blueprints.accounts import services as accounts
from blueprints.campaigns import audience, settings, states
from blueprints.campaigns.models import Campaign, CampaignRecipient
from blueprints.contacts import audience as contacts_audience
from blueprints.contacts import services as contacts
from blueprints.templates import services as templates
from blueprints.templates.validation import CONTEXT_NAMES, check_source
from engagex.api import Page, keyset_page
from engagex.db import db
from engagex.errors import Conflict, NotFound, ValidationFailed
from engagex.permissions import Actor, require
from engagex.tenancy import require_org_id

MAX_SEEDS = 50
_LIST_FIELDS = ("group_ids", "segment_ids", "exclude_group_ids", "exclude_segment_ids")
#: fields copied by ``duplicate_campaign`` (and editable while draft or scheduled)
CONTENT_FIELDS = (
    "template_id",
    "template_revision_id",
    "subject",
    "from_email",
    "from_name",
    "reply_to",
    *_LIST_FIELDS,
    "seed_emails",
    "track_opens",
    "track_clicks",
)


class NotEditable(Conflict):
    code = "campaign_not_editable"


# --- reading ---------------------------------------------------------------------------


def get_campaign(actor: Actor | None, campaign_id: int) -> Campaign:
    require(actor, "campaigns:read")
    campaign = db.session.scalars(
        sa.select(Campaign).where(Campaign.id == campaign_id)
    ).one_or_none()
    if campaign is None:
        raise NotFound("campaign not found", code="campaign_not_found")
    return campaign


def list_campaigns(
    actor: Actor | None,
    *,
    limit: int = 50,
    cursor: str | None = None,
    status: str | None = None,
) -> Page:
    """Campaigns of the organization, newest first."""
    require(actor, "campaigns:read")
    stmt = sa.select(Campaign)
    if status:
        stmt = stmt.where(Campaign.status == status)
    return keyset_page(stmt, [Campaign.id], limit=limit, cursor=cursor, descending=True)


def list_recipients(
    actor: Actor | None,
    campaign_id: int,
    *,
    limit: int = 50,
    cursor: str | None = None,
    status: str | None = None,
) -> Page:
    """The campaign's snapshot, in send order, with each recipient's outcome."""
    get_campaign(actor, campaign_id)
    require(actor, "contacts:read")
    stmt = sa.select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
    if status:
        stmt = stmt.where(CampaignRecipient.status == status)
    return keyset_page(stmt, [CampaignRecipient.id], limit=limit, cursor=cursor)


# --- sender and content ----------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    from_email: str
    from_name: str | None
    reply_to: str | None


def revision_for(campaign: Campaign) -> Any:
    """The revision a send uses: the pinned one, else the template's latest."""
    if campaign.template_revision_id is not None:
        return templates.get_revision(None, campaign.template_revision_id)
    if campaign.template_id is None:
        raise ValidationFailed("choose a template first", code="template_required")
    try:
        return templates.latest_revision(None, campaign.template_id)
    except NotFound as exc:
        raise ValidationFailed(
            "the campaign's template was deleted; choose another", code="template_not_found"
        ) from exc


def sender_of(campaign: Campaign, revision: Any) -> Sender:
    """From, name and reply-to: the campaign's, else the template's, else the
    organization's defaults (``no_sender`` when there is no address at all)."""
    org = accounts.get_organization_by_id(require_org_id())
    from_email = campaign.from_email or revision.from_email or org.default_from_email
    if not from_email:
        raise ValidationFailed(
            "no sender: set from_email on the campaign, its template or the organization",
            code="no_sender",
        )
    return Sender(
        from_email=from_email,
        from_name=campaign.from_name or revision.from_name or org.default_from_name or org.name,
        reply_to=campaign.reply_to or revision.reply_to,
    )


def check_subject(subject: str, revision: Any) -> None:
    """A subject override is a template line like the template's own subject."""
    names = frozenset(CONTEXT_NAMES | {str(v["name"]) for v in revision.variables or []})
    _tree, problems = check_source("subject", subject, allowed_names=names, html=False)
    if problems:
        from blueprints.templates.rendering import TemplateInvalid

        raise TemplateInvalid(problems)


# --- writing ---------------------------------------------------------------------------


def _ids(value: Any, field: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise ValidationFailed(f"{field} must be a list of ids", code="invalid_value")
    return list(dict.fromkeys(value))


def clean_seeds(emails: Sequence[str] | None) -> list[str]:
    seeds = list(dict.fromkeys(accounts.normalize_email(e) for e in emails or []))
    if len(seeds) > MAX_SEEDS:
        raise ValidationFailed(
            f"a seed list has at most {MAX_SEEDS} addresses", code="too_many_seeds"
        )
    return seeds


def _apply(campaign: Campaign, data: Mapping[str, Any]) -> None:
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name or len(name) > 200:
            raise ValidationFailed("the name must have 1 to 200 characters", code="invalid_name")
        campaign.name = name
    if "template_id" in data:
        template_id = data["template_id"]
        if template_id is not None:
            try:
                templates.get_template(None, template_id)
            except NotFound as exc:
                raise ValidationFailed(
                    f"template {template_id} not found", code="template_not_found"
                ) from exc
        if template_id != campaign.template_id:
            campaign.template_revision_id = None  # follow the new template's latest
        campaign.template_id = template_id
    if "template_revision_id" in data:
        revision_id = data["template_revision_id"]
        if revision_id is not None:
            if campaign.template_id is None:
                raise ValidationFailed("choose a template first", code="template_required")
            try:
                templates.get_revision(None, revision_id, template_id=campaign.template_id)
            except NotFound as exc:
                raise ValidationFailed(
                    f"revision {revision_id} is not a revision of template {campaign.template_id}",
                    code="revision_not_found",
                ) from exc
        campaign.template_revision_id = revision_id
    for key in ("subject", "from_name"):
        if key in data:
            value = data[key]
            setattr(campaign, key, value.strip() if value and value.strip() else None)
    for key in ("from_email", "reply_to"):
        if key in data:
            setattr(campaign, key, accounts.normalize_email(data[key]) if data[key] else None)
    for key in _LIST_FIELDS:
        if key in data:
            setattr(campaign, key, _ids(data[key], key))
    if "group_ids" in data or "exclude_group_ids" in data:
        audience.check_groups([*campaign.group_ids, *campaign.exclude_group_ids])
    if "segment_ids" in data or "exclude_segment_ids" in data:
        audience.check_segments([*campaign.segment_ids, *campaign.exclude_segment_ids])
    if "seed_emails" in data:
        campaign.seed_emails = clean_seeds(data["seed_emails"])
    for key in ("track_opens", "track_clicks"):
        if key in data and data[key] is not None:
            setattr(campaign, key, bool(data[key]))
    if campaign.subject and campaign.template_id is not None:
        check_subject(campaign.subject, revision_for(campaign))


def create_campaign(actor: Actor | None, data: Mapping[str, Any]) -> Campaign:
    """A draft campaign (scheduling, when ``scheduled_at`` is given, is the caller's
    next step: it needs the ``campaigns:send`` permission)."""
    require(actor, "campaigns:write")
    if not (data.get("name") or "").strip():
        raise ValidationFailed("a name is required", code="invalid_name")
    campaign = Campaign(
        status="draft",
        message_salt=secrets.token_hex(4),
        batch_size=settings.pipeline().batch_size,
        group_ids=[],
        segment_ids=[],
        exclude_group_ids=[],
        exclude_segment_ids=[],
        seed_emails=[],
        track_opens=True,
        track_clicks=True,
    )
    _apply(campaign, data)
    db.session.add(campaign)
    db.session.flush()
    accounts.audit.record(actor, "campaigns.created", campaign, {"name": campaign.name})
    return campaign


def update_campaign(actor: Actor | None, campaign_id: int, data: Mapping[str, Any]) -> Campaign:
    """Change a draft or scheduled campaign; only the name changes once it has started."""
    require(actor, "campaigns:write")
    campaign = get_campaign(actor, campaign_id)
    content = [k for k in data if k != "name"]
    if content and campaign.status not in states.EDITABLE:
        raise NotEditable(
            f"a {campaign.status} campaign cannot be changed (only renamed); duplicate it",
            details={"status": campaign.status, "fields": sorted(content)},
        )
    _apply(campaign, data)
    db.session.flush()
    return campaign


def delete_campaign(actor: Actor | None, campaign_id: int) -> None:
    """Delete a campaign that is not running (its recipients and stats go with it)."""
    require(actor, "campaigns:write")
    campaign = get_campaign(actor, campaign_id)
    if campaign.status in ("sending", "paused", "scheduled"):
        raise Conflict(
            f"a {campaign.status} campaign cannot be deleted; cancel it first",
            code="campaign_active",
            details={"status": campaign.status},
        )
    campaign.soft_delete()
    db.session.flush()
    accounts.audit.record(actor, "campaigns.deleted", campaign, {"name": campaign.name})


def duplicate_campaign(actor: Actor | None, campaign_id: int, name: str | None = None) -> Campaign:
    """A new draft with the same content, audience and sender (not the schedule)."""
    require(actor, "campaigns:write")
    source = get_campaign(actor, campaign_id)
    copy_name = (name or f"Copy of {source.name}").strip()[:200]
    data: dict[str, Any] = {key: getattr(source, key) for key in CONTENT_FIELDS}
    if source.status not in states.EDITABLE:
        # A started campaign pinned its revision; the copy follows the template again.
        data["template_revision_id"] = None
    if data["template_id"] is not None:
        try:
            templates.get_template(None, data["template_id"])
        except NotFound:
            data["template_id"] = data["template_revision_id"] = None
    data = {k: list(v) if isinstance(v, list) else v for k, v in data.items()}
    copy = create_campaign(actor, {"name": copy_name})
    for key, value in data.items():
        setattr(copy, key, value)
    db.session.flush()
    accounts.audit.record(actor, "campaigns.duplicated", copy, {"source_id": source.id})
    return copy


def set_seed_list(actor: Actor | None, campaign_id: int, emails: Sequence[str]) -> Campaign:
    return update_campaign(actor, campaign_id, {"seed_emails": list(emails)})


# --- references by name (the CLI) ------------------------------------------------------


def resolve_template(actor: Actor | None, ref: str) -> int:
    """A template id from an id or an exact name."""
    require(actor, "templates:read")
    if ref.strip().isdigit():
        return templates.get_template(actor, int(ref)).id
    cursor = None
    while True:
        page = templates.list_templates(actor, limit=200, cursor=cursor)
        for template in page.items:
            if template.name == ref.strip():
                return template.id
        if page.next_cursor is None:
            raise NotFound(f"no template named {ref!r}", code="template_not_found")
        cursor = page.next_cursor


def resolve_groups(actor: Actor | None, refs: Sequence[str]) -> list[int]:
    """Group ids from ids or names."""
    return [contacts.find_group(actor, ref).id for ref in refs]


def resolve_segments(actor: Actor | None, refs: Sequence[str]) -> list[int]:
    return [contacts_audience.find_segment(actor, ref).id for ref in refs]
