"""Batched personalizations for templates that decide per recipient.

A template whose conditions, loops or filters use recipient values cannot be turned
into one body plus substitutions ahead of time (``substitution``). Its recipients still
fall into few distinct *skeletons* (the ``{% if attributes.tier == "gold" %}`` of a
newsletter makes two), and SendGrid can carry each skeleton's recipients in one request.

Per recipient the template is rendered twice: once for real, and once with the
recipient's string values *tagged*: a ``str`` subclass that compares, tests, filters and
slices as its real value but prints as a key (``__html__`` gives the key of its escaped
form, ``__str__`` the key of its raw form). The tagged output is the skeleton; the keys
filled with the values must give back the real output exactly, or the recipient is sent
its real message alone. So the grouping can only ever save requests, never change a
message. Values that are transformed before printing (``|upper``, concatenations...) are
printed as their real text, which makes that part of the skeleton per recipient: fewer
recipients share a skeleton, nothing else.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from markupsafe import escape

from blueprints.templates.rendering import CompiledTemplate, RecipientLinks, render


class Tagged(str):
    """A recipient value that prints as a substitution key."""

    html_key: str
    text_key: str

    def __new__(cls, value: str, html_key: str, text_key: str) -> Tagged:
        obj = super().__new__(cls, value)
        obj.html_key = html_key
        obj.text_key = text_key
        return obj

    def __html__(self) -> str:
        return self.html_key

    def __str__(self) -> str:
        return self.text_key


class Tagger:
    """Keys per value path, stable across the recipients of a campaign (so that their
    skeletons compare equal), and the reconstruction check."""

    def __init__(self) -> None:
        self.salt = secrets.token_hex(4)
        self._keys: dict[tuple[str, ...], int] = {}
        self.pattern = re.compile(rf"-egq{self.salt}-\d+[ht]-")

    def tag(self, path: tuple[str, ...], value: str, subs: dict[str, str]) -> Tagged:
        number = self._keys.setdefault(path, len(self._keys))
        html_key = f"-egq{self.salt}-{number}h-"
        text_key = f"-egq{self.salt}-{number}t-"
        subs[html_key] = str(escape(value))
        subs[text_key] = str.__str__(value)
        return Tagged(value, html_key, text_key)

    def fill(self, skeleton: str, subs: Mapping[str, str]) -> str:
        return self.pattern.sub(lambda m: subs.get(m.group(0), m.group(0)), skeleton)


def _tag_tree(value: Any, path: tuple[str, ...], tagger: Tagger, subs: dict[str, str]) -> Any:
    if type(value) is str:
        return tagger.tag(path, value, subs)
    if isinstance(value, dict):
        return {k: _tag_tree(v, (*path, str(k)), tagger, subs) for k, v in value.items()}
    return value  # numbers, lists...: printed as they are (a per-recipient skeleton part)


def skeleton(
    compiled: CompiledTemplate,
    context: dict[str, Any],
    urls: Any,
    real: Any,
    tagger: Tagger,
) -> tuple[tuple[str, str, str], dict[str, str]] | None:
    """``((subject, html, text) skeleton, substitutions)`` of one recipient, or None
    when filling the skeleton would not give exactly ``real`` (their rendered message)."""
    subs: dict[str, str] = {}
    tagged = dict(context)
    for name in ("email", "first_name", "last_name", "full_name"):
        tagged[name] = _tag_tree(context.get(name), (name,), tagger, subs)
    tagged["attributes"] = _tag_tree(context.get("attributes") or {}, ("attributes",), tagger, subs)
    contact = dict(context.get("contact") or {})
    for name in ("email", "first_name", "last_name", "full_name"):
        contact[name] = tagged[name]
    contact["attributes"] = tagged["attributes"]
    tagged["contact"] = contact
    click = urls.click
    links = RecipientLinks(
        click=lambda index: tagger.tag(("_l", str(index)), click(index), subs),
        unsubscribe=tagger.tag(("unsubscribe_url",), urls.unsubscribe, subs),
        preferences=tagger.tag(("preferences_url",), urls.preferences, subs),
        view_in_browser=tagger.tag(("view_in_browser_url",), urls.view_in_browser, subs),
        open_pixel=tagger.tag(("_open",), urls.open_pixel, subs) if urls.open_pixel else "",
    )
    try:
        shape = render(compiled, tagged, links)
    except Exception:
        return None
    parts = (shape.subject, shape.html, shape.text)
    if (
        tagger.fill(parts[0], subs) != real.subject
        or tagger.fill(parts[1], subs) != real.html
        or tagger.fill(parts[2], subs) != real.text
    ):
        return None
    used = {m for part in parts for m in tagger.pattern.findall(part)}
    return parts, {key: value for key, value in subs.items() if key in used}
