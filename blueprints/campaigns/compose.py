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

from blueprints.campaigns import grouping, substitution
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
        self.plan = (
            substitution.analyse(compiled, shared, safe_urls=safe_urls) if substitute else None
        )
        self._template: Message | None = None
        self._fill: substitution.Filler | None = None
        self._links_used = self._contact_used = False
        self.tagger = grouping.Tagger()
        if self.plan is not None:
            self._fill = substitution.Filler(self.plan)
            roots = self.plan.roots
            self._links_used = any(name in roots for name in compiled.link_names)
            self._contact_used = "contact" in roots
            subject = self.plan.subject_key or substitution.fixed_subject(self.plan)
            self._template = replace(
                self.base, subject=subject, html=self.plan.html, text=self.plan.text
            )

    @property
    def batched(self) -> bool:
        """Whether messages are sent as one template plus substitutions."""
        return self.plan is not None

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

    def compose(
        self, recipients: Sequence[Recipient], *, signed: bool = True, group: bool = False
    ) -> Composed:
        """The batch's messages. ``signed=False`` (the sender has no DKIM key of its
        own) leaves out the organization id that makes the signer look one up for
        every message. ``group`` (for a backend that batches, SendGrid) gathers the
        recipients of a template rendered per recipient by skeleton (``grouping``)."""
        org_id = self.org_id if signed else None
        template = self._template
        if template is not None and not signed:
            template = replace(template, organization_id=None)
        out = Composed()
        batched: list[tuple[int, Personalization]] = []
        shapes: dict[tuple[str, str, str], list[tuple[int, Personalization]]] = {}
        grouping_on = group and self.plan is None
        originals = self.compiled.links
        for recipient in recipients:
            rid = recipient.id
            urls = self.links.for_recipient(rid, originals)
            headers = {"List-Unsubscribe": list_unsubscribe(urls.unsubscribe, self.mailto)}
            metadata = {"recipient_id": str(rid)}
            name = recipient.full_name or None
            try:
                if self._fill is not None:
                    try:
                        subs = self._fill(self._values(recipient, urls))
                    except substitution.Unsupported:
                        pass  # this recipient is rendered in full below
                    else:
                        batched.append(
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
                context = recipient_context(self.shared, self._person(recipient))
                rendered = render(
                    self.compiled,
                    context,
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
            if grouping_on:
                found = grouping.skeleton(self.compiled, context, urls, rendered, self.tagger)
                if found is not None:
                    shape, subs = found
                    shapes.setdefault(shape, []).append(
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
                    # Mostly distinct skeletons: grouping costs a second render for
                    # nothing; the rest of the batch is sent message by message.
                    grouping_on = len(shapes) <= max(8, len(recipients) // 20)
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
        if batched:
            assert template is not None
            out.groups.append((template, batched))
        base = replace(self.base, organization_id=org_id)
        for (subject, html, text), people in shapes.items():
            skeleton_template = replace(base, subject=subject, html=html, text=text)
            if len(people) == 1:  # alone: the expanded message is the same request
                rid, personalization = people[0]
                out.messages.append((rid, expand(skeleton_template, personalization)))
            else:
                out.groups.append((skeleton_template, people))
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
