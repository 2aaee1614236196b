"""Building each recipient's message from a template compiled once per campaign.

A ``Composer`` holds everything that is the same for every recipient of a campaign:
the compiled revision, the shared render context, the substitution plan (when the
template allows one, see ``substitution``), the sender, the headers section 4 of the
architecture requires and the correlation ids. ``compose(recipients)`` then returns,
for one batch, a template ``Message`` with one ``Personalization`` per recipient (one
body, per-recipient substitutions: batched on SendGrid, encoded once on SMTP) plus
fully rendered ``Message`` values for the recipients that need them, and the
recipients that cannot be rendered at all (a required variable without value...).

Every message carries: a Message-ID on the sending domain, unique to the recipient and
stable across retries (``<r{recipient id}.{campaign salt}@domain>``, so a mailbox that
already has a re-delivered message can drop it), ``List-Unsubscribe`` with the HTTPS
one-click URL (and ``mailto:`` when configured), ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``, ``List-Id``, ``Feedback-ID`` and metadata with the
organization, campaign and recipient ids, never an address.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from email.header import Header
from typing import Any

from markupsafe import escape

from blueprints.campaigns import substitution
from blueprints.campaigns.links import LinkBuilder, RecipientUrls, list_unsubscribe
from blueprints.templates.rendering import (
    CompiledTemplate,
    RecipientLinks,
    RenderFailed,
    recipient_context,
    render,
)
from engagex.mail import Message, Personalization, expand
from engagex.mail.message import AddressError, idna_domain

CATEGORY = "campaign"
_SPECIALS = frozenset('()<>[]:;@\\,."')


@dataclass(frozen=True)
class Recipient:
    """What sending needs of one recipient (loaded per batch)."""

    id: int
    email: str
    first_name: str | None = None
    last_name: str | None = None
    attributes: dict[str, Any] | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name or ''} {self.last_name or ''}".strip()


@dataclass
class Composed:
    """One batch, ready for a backend: templates with their recipients' substitutions
    (one per skeleton), messages to send alone, and recipients that cannot be rendered."""

    groups: list[tuple[Message, list[tuple[int, Personalization]]]] = field(default_factory=list)
    messages: list[tuple[int, Message]] = field(default_factory=list)
    #: recipient id -> (code, reason): cannot be rendered; a permanent failure
    failures: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def template(self) -> Message | None:
        return self.groups[0][0] if self.groups else None

    @property
    def personalized(self) -> list[tuple[int, Personalization]]:
        return [item for _template, items in self.groups for item in items]


def list_id(org_id: int, org_name: str, domain: str) -> str:
    """``List-Id`` (RFC 2919): the organization's name and ``<o{id}.{domain}>``."""
    name = " ".join(org_name.split())
    if not name.isascii():
        phrase = Header(name, "utf-8").encode()
    elif any(c in _SPECIALS for c in name):
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        phrase = name
    return f"{phrase} <o{org_id}.{domain}>".strip()


class Composer:
    """Per campaign and process: compiled once, used for every batch."""

    def __init__(
        self,
        *,
        campaign_id: int,
        org_id: int,
        org_name: str,
        compiled: CompiledTemplate,
        shared: dict[str, Any],
        links: LinkBuilder,
        from_email: str,
        from_name: str | None,
        reply_to: str | None,
        salt: str,
        unsubscribe_mailto: str | None = None,
        substitute: bool = True,
    ) -> None:
        self.campaign_id = campaign_id
        self.org_id = org_id
        self.compiled = compiled
        self.shared = shared
        self.links = links
        self.salt = salt
        self.mailto = unsubscribe_mailto
        try:
            self.domain = idna_domain(from_email.rpartition("@")[2])
        except AddressError:
            self.domain = "engagex.invalid"  # the backend refuses the address itself
        self.headers = {
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": list_id(org_id, org_name, self.domain),
            "Feedback-ID": f"{campaign_id}:{org_id}:{CATEGORY}:engagex",
        }
        self.metadata = {"organization_id": str(org_id), "campaign_id": str(campaign_id)}
        self.base = Message(
            to_email="",
            from_email=from_email,
            from_name=from_name,
            reply_to=reply_to,
            subject="",
            html="",
            text="",
            organization_id=org_id,
            headers=self.headers,
            metadata=self.metadata,
            category=CATEGORY,
        )
        # URL values that HTML escaping leaves alone can share one key in both parts.
        safe = links.base == str(escape(links.base))
        safe_urls = frozenset(
            (
                {"unsubscribe_url", "preferences_url", "view_in_browser_url", "_open"}
                if safe
                else set()
            )
            | (set(compiled.link_names) if safe and links.track_clicks else set())
        )
        self.analysis = (
            substitution.analyse(compiled, shared, safe_urls=safe_urls) if substitute else None
        )
        roots = self.analysis.roots if self.analysis is not None else frozenset()
        self._links_used = any(name in roots for name in compiled.link_names)
        self._contact_used = "contact" in roots
        self._templates: dict[tuple[int, bool], Message] = {}

    @property
    def plan(self) -> substitution.Plan | None:
        """The one plan of a template that decides nothing per recipient."""
        if self.analysis is None or self.analysis.decisions:
            return None
        entry = self.analysis.entry(())
        return entry[0] if entry is not None else None

    def _template_of(self, plan: substitution.Plan, signed: bool) -> Message:
        key = (id(plan), signed)
        template = self._templates.get(key)
        if template is None:
            subject = plan.subject_key or substitution.fixed_subject(plan)
            template = replace(
                self.base,
                organization_id=self.org_id if signed else None,
                subject=subject,
                html=plan.html,
                text=plan.text,
            )
            if len(self._templates) > 512:
                self._templates.clear()
            self._templates[key] = template
        return template

    @property
    def batched(self) -> bool:
        """Whether messages are sent as templates plus substitutions (one per group of
        recipients that the template treats alike)."""
        return self.analysis is not None

    def message_id(self, recipient_id: int) -> str:
        return f"<r{recipient_id}.{self.salt}@{self.domain}>"

    def _person(self, recipient: Recipient) -> dict[str, Any]:
        return {
            "email": recipient.email,
            "first_name": recipient.first_name or "",
            "last_name": recipient.last_name or "",
            "attributes": recipient.attributes or {},
        }

    def _values(self, recipient: Recipient, urls: RecipientUrls) -> dict[str, Any]:
        """The recipient's part of the render context, built directly (the same values
        ``recipient_context`` and ``resolve_variables`` give, without the shared part)."""
        first = recipient.first_name or ""
        last = recipient.last_name or ""
        attributes = recipient.attributes or {}
        values: dict[str, Any] = {
            "email": recipient.email,
            "first_name": first,
            "last_name": last,
            "full_name": f"{first} {last}".strip(),
            "attributes": attributes,
            "unsubscribe_url": urls.unsubscribe,
            "preferences_url": urls.preferences,
            "view_in_browser_url": urls.view_in_browser,
            "_open": urls.open_pixel,
        }
        if self._contact_used:
            values["contact"] = {
                key: values[key] for key in ("email", "first_name", "last_name", "full_name")
            } | {"attributes": attributes}
        for spec in self.compiled.variables:
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
        if self._links_used:
            click = urls.click
            for index, name in enumerate(self.compiled.link_names):
                values[name] = click(index)
        return values

    def compose(self, recipients: Sequence[Recipient], *, signed: bool = True) -> Composed:
        """The batch's messages, grouped by plan. ``signed=False`` (the sender has no
        DKIM key of its own) leaves out the organization id that makes the signer look
        one up for every message."""
        org_id = self.org_id if signed else None
        out = Composed()
        groups: dict[int, tuple[Message, list[tuple[int, Personalization]]]] = {}
        analysis = self.analysis
        # A template that decides on nearly unique values (a name) would make a group
        # per recipient: past this many groups the rest of the batch renders in full.
        most = max(16, len(recipients) // 10)
        originals = self.compiled.links
        for recipient in recipients:
            rid = recipient.id
            urls = self.links.for_recipient(rid, originals)
            headers = {"List-Unsubscribe": list_unsubscribe(urls.unsubscribe, self.mailto)}
            metadata = {"recipient_id": str(rid)}
            name = recipient.full_name or None
            try:
                if analysis is not None:
                    try:
                        values = self._values(recipient, urls)
                        entry = analysis.entry(analysis.key(values))
                        if entry is None:
                            raise substitution.Unsupported("this group renders in full")
                        plan, fill = entry
                        if id(plan) not in groups and len(groups) >= most:
                            raise substitution.Unsupported("too many groups in this batch")
                        subs = fill(values)
                    except substitution.Unsupported:
                        pass  # this recipient is rendered in full below
                    else:
                        group = groups.get(id(plan))
                        if group is None:
                            group = groups[id(plan)] = (self._template_of(plan, signed), [])
                        group[1].append(
                            (
                                rid,
                                Personalization(
                                    to_email=recipient.email,
                                    to_name=name,
                                    substitutions=subs,
                                    headers=headers,
                                    metadata=metadata,
                                    message_id=self.message_id(rid),
                                ),
                            )
                        )
                        continue
                rendered = render(
                    self.compiled,
                    recipient_context(self.shared, self._person(recipient)),
                    RecipientLinks(
                        click=urls.click,
                        unsubscribe=urls.unsubscribe,
                        preferences=urls.preferences,
                        view_in_browser=urls.view_in_browser,
                        open_pixel=urls.open_pixel,
                    ),
                )
            except RenderFailed as exc:
                out.failures[rid] = (exc.code, exc.message)
                continue
            out.messages.append(
                (
                    rid,
                    replace(
                        self.base,
                        organization_id=org_id,
                        to_email=recipient.email,
                        to_name=name,
                        subject=rendered.subject,
                        html=rendered.html,
                        text=rendered.text,
                        headers={**self.headers, **headers},
                        metadata={**self.metadata, **metadata},
                        message_id=self.message_id(rid),
                    ),
                )
            )
        for template, people in groups.values():
            if len(people) == 1:  # alone: the expanded message is the same request
                rid, personalization = people[0]
                out.messages.append((rid, expand(template, personalization)))
            else:
                out.groups.append((template, people))
        return out


# --- the per-process cache -------------------------------------------------------------

_CACHE_SIZE = 16
_cache: OrderedDict[tuple[Any, ...], Composer] = OrderedDict()
_lock = threading.Lock()


def cached(key: tuple[Any, ...]) -> Composer | None:
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


def remember(key: tuple[Any, ...], composer: Composer) -> Composer:
    with _lock:
        _cache[key] = composer
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return composer
