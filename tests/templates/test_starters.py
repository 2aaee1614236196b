"""The starter templates validate, stay responsive after compiling and read well as text."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from blueprints.templates import services
from blueprints.templates.rendering import (
    RecipientLinks,
    TemplateSource,
    VariableSpec,
    compile_template,
    recipient_context,
    render,
    shared_context,
)
from blueprints.templates.starters import STARTERS
from engagex.mail.message import Message, build_mime


@pytest.mark.parametrize("key", sorted(STARTERS))
def test_starter_compiles_renders_and_is_built_for_email_clients(key):
    starter = STARTERS[key]
    fields = {"kind": "marketing", **starter.fields()}
    assert services.static_problems(fields, fields["variables"], auto_footer=False) == []
    source = TemplateSource(
        subject=starter.subject,
        html=starter.html,
        preheader=starter.preheader,
        variables=tuple(VariableSpec.of(v) for v in starter.variables),
    )
    compiled = compile_template(source, base_url="https://app.example")
    shared = shared_context(organization={"name": "Acme", "address": "1 Main St, Springfield"})
    context = recipient_context(shared, {"email": "zoe@example.com", "first_name": "Zoë"})
    links = RecipientLinks(
        click=lambda i: f"https://t.example/c/{i}",
        unsubscribe="https://t.example/u/1",
        preferences="https://t.example/p/1",
        view_in_browser="https://t.example/v/1",
        open_pixel="https://t.example/o/1",
    )
    message = render(compiled, context, links)
    html = message.html

    # layout tables, a width cap, a phone breakpoint kept after inlining, Outlook fixes
    assert 'role="presentation"' in html
    assert re.search(r"max-width: ?(560|600)px", html)
    assert "@media only screen and (max-width:" in html
    assert "<!--[if mso]>" in html
    assert '<meta name="viewport"' in html
    assert "<style>" in html and ".container" in html
    # every style that could be inlined was
    assert 'class="copy" style=' in html or 'class="px letter" style=' in html
    # compliance: visible unsubscribe link, postal address, the preheader, the pixel
    assert 'href="https://t.example/u/1"' in html
    assert "1 Main St, Springfield" in html
    assert starter.preheader in html
    assert 'src="https://t.example/o/1"' in html
    # every static link is tracked; none points at an unsafe or relative target
    assert compiled.links and all(url.startswith("https://") for url in compiled.links)
    assert "Zoë" in html and "{{" not in html and "{%" not in html
    # the text part: readable, with its links and the unsubscribe URL
    text = message.text
    assert "Zoë" in text and "Unsubscribe (https://t.example/u/1)" in text
    assert "https://t.example/c/0" in text
    assert "<a " not in text and "</" not in text and "  \n" not in text
    assert message.subject and "{{" not in message.subject


@pytest.mark.skipif(
    shutil.which("spamassassin") is None, reason="Debian spamassassin not installed"
)
def test_starters_score_at_most_one_with_spamassassin_local_rules():
    """Rendered as a campaign would send them (headers included), each scores <= 1.0."""
    shared = shared_context(
        organization={"name": "Acme Outdoor", "address": "12 Harbour St, Bristol"}
    )
    base = "https://links.acme-outdoor.example"
    mbox = []
    for key in sorted(STARTERS):
        starter = STARTERS[key]
        source = TemplateSource(
            subject=starter.subject,
            html=starter.html,
            preheader=starter.preheader,
            variables=tuple(VariableSpec.of(v) for v in starter.variables),
        )
        compiled = compile_template(source, base_url="https://app.example")
        message = render(
            compiled,
            recipient_context(shared, {"email": "zoe@example.com", "first_name": "Zoë"}),
            RecipientLinks(
                click=lambda i: f"{base}/t/c/AbC{i}",
                unsubscribe=f"{base}/u/XyZ",
                preferences=f"{base}/u/XyZ#preferences",
                view_in_browser=f"{base}/v/XyZ",
                open_pixel=f"{base}/t/o/XyZ",
            ),
        )
        mime = build_mime(
            Message(
                to_email="zoe@example.com",
                from_email="news@acme-outdoor.example",
                from_name="Acme Outdoor",
                subject=message.subject,
                html=message.html,
                text=message.text,
                headers={
                    "List-Unsubscribe": f"<{base}/u/XyZ>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    "List-Id": "Acme news <news.acme-outdoor.example>",
                },
            )
        )
        mbox.append(
            b"From news@acme-outdoor.example Thu Jan  1 00:00:00 2026\n"
            + bytes(mime).replace(b"\r\n", b"\n")
        )
    result = subprocess.run(
        ["spamassassin", "-L", "--mbox"],
        input=b"\n".join(mbox),
        capture_output=True,
        check=True,
        timeout=120,
    )
    scores = [float(s) for s in re.findall(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", result.stdout)]
    assert len(scores) == len(STARTERS)
    assert max(scores) <= 1.0, scores
