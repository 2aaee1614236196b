"""Per-recipient rendering throughput of a compiled template (the campaign send path).

A 20 KB HTML template with 10 variables, a stylesheet inlined at compile time and 15
tracked links is compiled once, then rendered for 100,000 synthetic contacts: subject,
HTML and text, with every link signed (HMAC-SHA256, truncated) per recipient and the
unsubscribe, preferences, web-version and open-pixel URLs signed too.

The same run renders the same pre-compiled body with plain ``str.format`` (values
escaped and links signed the same way): the practical ceiling for Python string
substitution. Target: at least 5,000 messages per second per core.

    python bench/render.py [--contacts N]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import platform
import re
import sys
import time
from pathlib import Path

from markupsafe import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blueprints.templates.rendering import (
    RecipientLinks,
    TemplateSource,
    VariableSpec,
    compile_template,
    recipient_context,
    render,
    shared_context,
)

TARGET = 5_000
KEY = b"bench-campaign-key-0123456789abcdef"
TRACKING = "https://t.example.com"

STYLE = """
body { margin: 0; padding: 0; background: #f2f4f7; }
table { border-collapse: collapse; }
td { font-family: Arial, Helvetica, sans-serif; }
.card { background: #ffffff; border-radius: 8px; }
.headline { font-size: 26px; line-height: 34px; color: #111827; font-weight: bold; }
.copy { font-size: 16px; line-height: 26px; color: #374151; margin: 0 0 16px 0; }
.link { color: #4f46e5; font-weight: bold; text-decoration: none; }
.button a { display: inline-block; padding: 14px 28px; background: #4f46e5; color: #fff; }
.footer { font-size: 12px; line-height: 18px; color: #6b7280; }
@media only screen and (max-width: 620px) { .container { width: 100% !important; } }
"""

PARAGRAPH = (
    "Our team spent the month on the details you asked for: faster pages, clearer "
    "reports and fewer clicks between an idea and a sent campaign. Here is what changed "
    "and how to make the most of it in your own work this season. "
)


def build_template() -> TemplateSource:
    """About 20 KB of HTML: 10 variables, 15 distinct links, a stylesheet to inline."""
    rows = []
    for i in range(15):
        rows.append(
            f'<tr><td class="card" style="padding:24px 32px;">'
            f'<p class="headline">Story {i + 1} for {{{{ first_name }}}}</p>'
            f'<p class="copy">{PARAGRAPH * 4}</p>'
            f'<p class="copy">As a {{{{ attributes.plan }}}} customer in {{{{ attributes.city }}}}, '
            f"you already have it.</p>"
            f'<p><a class="link" href="https://www.example.com/stories/{i}?utm_source=news'
            f'&amp;utm_medium=email">Read story {i + 1}</a></p></td></tr>'
        )
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>{{ campaign.name }}</title>"
        f"<style>{STYLE}</style></head><body>"
        '<table role="presentation" class="container" width="600"><tr><td class="card">'
        '<p class="headline">Hello {{ first_name }} {{ last_name }}</p>'
        '<p class="copy">{{ attributes.company }} has {{ attributes.points }} points, '
        "renewing on {{ attributes.renewal }} ({{ attributes.tier }}), "
        "account manager {{ attributes.manager }}.</p></td></tr>"
        + "".join(rows)
        + '<tr><td class="footer">{{ organization.name }} - sent to {{ email }} - '
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a> - '
        '<a href="{{ preferences_url }}">Preferences</a> - '
        '<a href="{{ view_in_browser_url }}">View online</a></td></tr>'
        "</table></body></html>"
    )
    return TemplateSource(
        subject="{{ first_name }}, your {{ attributes.plan }} update",
        html=html,
        variables=(VariableSpec("greeting", "Hello"),),
    )


def contacts(n: int) -> list[dict]:
    plans = ["Starter", "Growth", "Scale", "Entreprise"]
    cities = ["Paris", "Zürich", "São Paulo", "Kraków", "Osaka"]
    return [
        {
            "id": i,
            "email": f"user{i}@example.com",
            "first_name": f"Zoë{i % 97}",
            "last_name": f"Müller{i % 89}",
            "attributes": {
                "plan": plans[i % 4],
                "city": cities[i % 5],
                "company": f"Company <{i % 1000}> & Co",
                "points": i * 7 % 10_000,
                "renewal": f"2026-{i % 12 + 1:02d}-15",
                "tier": "gold" if i % 3 else "silver",
                "manager": "Ana",
            },
        }
        for i in range(n)
    ]


# The campaign key's HMAC state is computed once; per recipient and per URL only the
# message bytes are hashed (a copy of the keyed state, one update, one digest).
_CAMPAIGN_MAC = hmac.new(KEY, b"campaign:42|", hashlib.sha256)
_b64 = base64.urlsafe_b64encode


def links_for(recipient_id: int) -> RecipientLinks:
    """What the tracking domain hands the renderer for one recipient.

    Tokens: ``base64url(recipient id, purpose/link index, HMAC-SHA256[:12])``.
    """
    rid = recipient_id.to_bytes(8, "big")
    per_recipient = _CAMPAIGN_MAC.copy()
    per_recipient.update(rid)

    def token(purpose: bytes) -> str:
        mac = per_recipient.copy()
        mac.update(purpose)
        return _b64(rid + purpose + mac.digest()[:12]).decode()

    def click(index: int) -> str:
        return f"{TRACKING}/t/c/{token(index.to_bytes(2, 'big'))}"

    return RecipientLinks(
        click=click,
        unsubscribe=f"{TRACKING}/u/{token(b'un')}",
        preferences=f"{TRACKING}/u/{token(b'pr')}#preferences",
        view_in_browser=f"{TRACKING}/v/{token(b'vb')}",
        open_pixel=f"{TRACKING}/t/o/{token(b'op')}",
    )


# --- the str.format ceiling ------------------------------------------------------------

_EXPR = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


def to_format(jinja_source: str) -> str:
    """The compiled Jinja body as a ``str.format`` string (simple ``{{ a.b }}`` only)."""
    parts = []
    pos = 0
    for match in _EXPR.finditer(jinja_source):
        literal = jinja_source[pos : match.start()]
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        name, *keys = match.group(1).split(".")
        parts.append("{" + name + "".join(f"[{k}]" for k in keys) + "}")
        pos = match.end()
    parts.append(jinja_source[pos:].replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


def run_format(compiled, shared, people) -> tuple[float, str]:
    subject_f = to_format(compiled.subject_source)
    html_f = to_format(compiled.html_source)
    text_f = to_format(compiled.text_source)
    names = compiled.link_names
    organization = {k: escape(v) for k, v in shared["organization"].items()}
    campaign = {k: escape(v) for k, v in shared["campaign"].items()}
    first = ""
    started = time.process_time()
    for person in people:
        links = links_for(person["id"])
        click = links.click
        attrs = person["attributes"]
        values = {name: click(i) for i, name in enumerate(names)}
        values.update(
            _open=links.open_pixel,
            unsubscribe_url=links.unsubscribe,
            preferences_url=escape(links.preferences),
            view_in_browser_url=links.view_in_browser,
            email=escape(person["email"]),
            first_name=escape(person["first_name"]),
            last_name=escape(person["last_name"]),
            attributes={k: escape(v) for k, v in attrs.items()},
            organization=organization,
            campaign=campaign,
        )
        subject_f.format(first_name=person["first_name"], attributes=attrs)
        html = html_f.format(**values)
        text_f.format(**{**values, "attributes": attrs})
        if not first:
            first = html
    return time.process_time() - started, first


def run_jinja(compiled, shared, people) -> tuple[float, str]:
    first = ""
    started = time.process_time()
    for person in people:
        message = render(compiled, recipient_context(shared, person), links_for(person["id"]))
        if not first:
            first = message.html
    return time.process_time() - started, first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()

    source = build_template()
    started = time.perf_counter()
    compiled = compile_template(source, base_url="https://app.example.com")
    compile_ms = (time.perf_counter() - started) * 1000
    shared = shared_context(organization={"name": "Acmé & Co"}, campaign={"name": "Spring news"})
    people = contacts(args.contacts)

    wall = time.perf_counter()
    format_seconds, format_html = run_format(compiled, shared, people)
    jinja_seconds, jinja_html = run_jinja(compiled, shared, people)
    wall = time.perf_counter() - wall

    n = len(people)
    rate = n / jinja_seconds
    ceiling = n / format_seconds
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} ({os.cpu_count()} cores), "
        f"Python {platform.python_version()}, one process, one core"
    )
    print(
        f"template: {len(source.html):,} bytes of HTML, 10 variables, {len(compiled.links)} "
        f"tracked links; compiled once in {compile_ms:.0f} ms to {len(compiled.html_source):,} "
        "bytes with CSS inlined"
    )
    print(
        f"contacts: {n:,}; each message: subject + HTML + text, {len(compiled.links)} links "
        "+ 4 URLs signed with HMAC-SHA256"
    )
    print(f"sandboxed Jinja render : {rate:10,.0f} messages/s per core  ({jinja_seconds:.2f} s)")
    print(
        f"str.format ceiling     : {ceiling:10,.0f} messages/s per core  ({format_seconds:.2f} s)"
        f"  -> the renderer runs at {rate / ceiling:.0%} of it"
    )
    print(
        f"target                 : {TARGET:10,} messages/s per core  -> "
        f"{'met' if rate >= TARGET else 'NOT met'}"
    )
    print(f"same HTML from both paths: {'yes' if jinja_html == format_html else 'no'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"rates use this process's CPU time (wall {wall:.1f} s for both runs, load "
        f"average {load:.1f} on {os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
