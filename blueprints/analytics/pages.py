"""The server-rendered pages recipients see: unsubscribe and preferences, link errors.

Plain HTML forms (no JavaScript), one column, system fonts, large targets, labels on
every control, visible focus, ``lang`` and a ``<main>`` landmark; branded with the
organization's name. Kept in Python so the package needs no template files.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, Template

_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

_LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{ title }}{% if org %} · {{ org }}{% endif %}</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         background: Canvas; color: CanvasText; }
  main { max-width: 34rem; margin: 3rem auto; padding: 0 1.25rem; }
  .brand { font-weight: 600; letter-spacing: .02em; opacity: .75; margin: 0 0 1.5rem; }
  h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 1rem; }
  fieldset { border: 1px solid GrayText; border-radius: .5rem; padding: .75rem 1rem; margin: 1.25rem 0; }
  legend { padding: 0 .35rem; font-weight: 600; }
  label { display: flex; gap: .6rem; align-items: flex-start; padding: .45rem 0; cursor: pointer; }
  input[type=radio] { width: 1.2rem; height: 1.2rem; margin-top: .2rem; flex: none; }
  button { font: inherit; font-weight: 600; padding: .7rem 1.4rem; border-radius: .5rem;
           border: 2px solid #1f4fd1; background: #1f4fd1; color: #fff; cursor: pointer; }
  button.secondary { background: transparent; color: LinkText; border-color: currentColor; }
  button:focus-visible, input:focus-visible { outline: 3px solid #f5a300; outline-offset: 2px; }
  .note { font-size: .95rem; opacity: .85; }
  .status { padding: .75rem 1rem; border-radius: .5rem; border: 1px solid GrayText; }
</style>
</head>
<body>
<main>
{% if org %}<p class="brand">{{ org }}</p>{% endif %}
{{ body }}
</main>
</body>
</html>
"""

_CONFIRM = """<h1>{{ heading }}</h1>
<p>This will stop emails from <strong>{{ org }}</strong> to <strong>{{ address }}</strong>.</p>
<form method="post" action="{{ action }}">
{% if has_lists %}
<fieldset>
  <legend>What would you like to stop?</legend>
  <label><input type="radio" name="action" value="all" {% if not prefer_lists %}checked{% endif %}>
    <span>All emails from {{ org }}</span></label>
  <label><input type="radio" name="action" value="lists" {% if prefer_lists %}checked{% endif %}>
    <span>Only emails sent to the list this message came from</span></label>
</fieldset>
{% else %}
<input type="hidden" name="action" value="all">
{% endif %}
<button type="submit">Unsubscribe</button>
</form>
<p class="note">Nothing changes until you press the button.</p>
"""

_DONE = """<h1>{{ heading }}</h1>
<p class="status" role="status">{{ message }}</p>
{% if can_resubscribe %}
<form method="post" action="{{ action }}">
  <input type="hidden" name="action" value="resubscribe">
  <p>Unsubscribed by mistake?</p>
  <button type="submit" class="secondary">Subscribe again</button>
</form>
{% endif %}
"""

_ERROR = """<h1>{{ heading }}</h1>
<p>{{ message }}</p>
"""


@lru_cache(maxsize=8)
def _template(body_template: str) -> Template:
    return _env.from_string(_LAYOUT.replace("{{ body }}", body_template))


def _page(title: str, org: str | None, body_template: str, **context: Any) -> str:
    return _template(body_template).render(title=title, org=org, **context)


def mask(address: str) -> str:
    """``a***@example.com``: enough to recognise one's address in a forwarded mail."""
    local, _, domain = address.partition("@")
    if not domain:
        return "your address"
    return f"{local[:1]}***@{domain}"


def confirm(org: str, address: str, action: str, *, has_lists: bool, preferences: bool) -> str:
    heading = "Email preferences" if preferences else "Unsubscribe"
    return _page(
        heading,
        org,
        _CONFIRM,
        heading=heading,
        address=mask(address),
        action=action,
        has_lists=has_lists,
        prefer_lists=preferences and has_lists,
    )


def done(org: str, heading: str, message: str, action: str, *, can_resubscribe: bool) -> str:
    return _page(
        heading,
        org,
        _DONE,
        heading=heading,
        message=message,
        action=action,
        can_resubscribe=can_resubscribe,
    )


def error(heading: str, message: str) -> str:
    return _page(heading, None, _ERROR, heading=heading, message=message)
