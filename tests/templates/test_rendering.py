"""Compile once, render per recipient: CSS, links, pixel, text part, variables, MJML."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from blueprints.templates import markup
from blueprints.templates.rendering import (
    RecipientLinks,
    RenderFailed,
    TemplateInvalid,
    TemplateSource,
    VariableSpec,
    compile_template,
    recipient_context,
    render,
    shared_context,
)
from blueprints.templates.sandbox import Limits
from engagex.mail.message import Message, build_mime

BASE = "https://app.example"

DOCUMENT = """<!DOCTYPE html>
<html><head><title>{{ campaign.name }}</title>
<style>
  .btn { background: #4f46e5; color: #ffffff; }
  p { margin: 0 0 12px 0; }
  @media (max-width: 600px) { .col { width: 100% !important; } }
</style></head>
<body>
<table role="presentation" width="600"><tr><td class="col">
  <p>Hello {{ first_name }} from {{ city }}!</p>
  <a class="btn" href="https://shop.example/sale?a=1&amp;b=2">Shop the sale</a>
  <a href="https://shop.example/sale?a=1&amp;b=2">Same link again</a>
  <a href="https://shop.example/u/{{ email|urlencode }}">Personal link</a>
  <a data-notrack href="https://shop.example/private">Not tracked</a>
  <a href="mailto:help@shop.example">Mail us</a>
  <img src="/static/logo.png" alt="Logo">
</td></tr>
{% for item in attributes.cart %}<tr><td>{{ loop.index }}. {{ item }}
  <a href="https://shop.example/cart">Cart</a></td></tr>{% endfor %}
</table>
<!--[if mso]><v:roundrect href="https://shop.example/sale?a=1&amp;b=2"></v:roundrect><![endif]-->
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a> - <a href="{{ view_in_browser_url }}">Web version</a></p>
</body></html>
"""


def signer(recipient_id: int):
    """A cheap per-recipient click signer, as the tracking domain will provide."""
    key = hmac.new(b"k", recipient_id.to_bytes(8, "big"), hashlib.sha256)

    def click(index: int) -> str:
        mac = key.copy()
        mac.update(index.to_bytes(2, "big"))
        return f"https://t.example/t/c/{recipient_id}.{index}.{mac.hexdigest()[:16]}"

    return click


def links_for(recipient_id: int = 7) -> RecipientLinks:
    return RecipientLinks(
        click=signer(recipient_id),
        unsubscribe=f"https://t.example/u/{recipient_id}",
        preferences=f"https://t.example/p/{recipient_id}",
        view_in_browser=f"https://t.example/v/{recipient_id}",
        open_pixel=f"https://t.example/t/o/{recipient_id}",
    )


def context(**contact):
    contact.setdefault("email", "zoë@exämple.com")
    contact.setdefault("first_name", "Zoë")
    shared = shared_context(organization={"name": "Acmé"}, campaign={"name": "Été"})
    return recipient_context(shared, contact)


@pytest.fixture(scope="module")
def compiled():
    source = TemplateSource(
        subject="{{ first_name }}, soldes d'été à {{ city }}",
        html=DOCUMENT,
        preheader="Only for {{ first_name }}",
        variables=(VariableSpec("city", "Paris"),),
    )
    return compile_template(source, base_url=BASE)


def test_css_is_inlined_once_and_media_queries_are_kept(compiled):
    assert 'style="background: #4f46e5;color: #ffffff;"' in compiled.html_source
    assert "@media (max-width: 600px)" in compiled.html_source
    assert ".btn {" not in compiled.html_source


def test_static_links_become_a_table_and_dynamic_ones_stay(compiled):
    assert compiled.links == (
        "https://shop.example/sale?a=1&b=2",
        "https://shop.example/cart",
    )
    html = render(compiled, context(attributes={"cart": ["Hat", "Scarf"]}), links_for(7)).html
    tracked = signer(7)
    # Both anchors and Outlook's VML button share the link's one index.
    assert html.count(f'href="{tracked(0)}"') == 3
    assert f'<v:roundrect href="{tracked(0)}">' in html
    assert html.count(f'href="{tracked(1)}"') == 2  # once per loop iteration
    assert 'href="https://shop.example/u/zo%C3%AB%40ex%C3%A4mple.com"' in html
    assert 'href="https://shop.example/private"' in html and "notrack" not in html
    assert 'href="mailto:help@shop.example"' in html
    assert 'src="https://app.example/static/logo.png"' in html
    assert 'href="https://t.example/u/7"' in html and 'href="https://t.example/v/7"' in html


def test_the_open_pixel_is_the_last_thing_in_the_body(compiled):
    html = render(compiled, context(), links_for(3)).html
    pixel = '<img src="https://t.example/t/o/3" width="1" height="1" alt=""'
    assert pixel in html
    assert html.index(pixel) < html.index("</body>")
    assert html.rindex("<img") == html.index(pixel)


def test_variables_preheader_subject_and_escaping(compiled):
    message = render(
        compiled,
        context(first_name="Zoë <b>", attributes={"city": "Zürich"}),
        links_for(),
    )
    assert message.subject == "Zoë <b>, soldes d'été à Zürich"
    assert "Hello Zoë &lt;b&gt; from Zürich!" in message.html
    assert "Only for Zoë &lt;b&gt;" in message.html
    assert "<title>Été</title>" in message.html
    default = render(compiled, context(), links_for())
    assert "from Paris!" in default.html


def test_text_part_is_derived_with_links_loops_and_no_markup(compiled):
    text = render(compiled, context(attributes={"cart": ["Hat", "Scarf"]}), links_for(7)).text
    tracked = signer(7)
    assert "Hello Zoë from Paris!" in text
    assert f"Shop the sale ({tracked(0)})" in text
    assert f"1. Hat\n  Cart ({tracked(1)})" in text or f"1. Hat Cart ({tracked(1)})" in text
    assert "2. Scarf" in text
    assert "Unsubscribe (https://t.example/u/7)" in text
    assert "<" not in text and "{{" not in text and "\n\n\n" not in text
    assert "Only for" not in text  # the hidden preheader is not part of the text


def test_given_text_part_is_used_and_its_urls_are_tracked():
    source = TemplateSource(
        subject="Hi",
        html="<p>Hi</p><a href='{{ unsubscribe_url }}'>Unsubscribe</a>",
        text="Hello {{ first_name }}, see https://shop.example/sale?a=1&b=2.\n"
        "Stop: {{ unsubscribe_url }}\n",
    )
    compiled = compile_template(source, base_url=BASE)
    text = render(compiled, context(), links_for(1)).text
    assert text == f"Hello Zoë, see {signer(1)(0)}.\nStop: https://t.example/u/1\n"
    assert compiled.links == ("https://shop.example/sale?a=1&b=2",)


def test_tracking_can_be_turned_off():
    source = TemplateSource(subject="Hi", html=DOCUMENT, variables=(VariableSpec("city"),))
    compiled = compile_template(source, base_url=BASE, track_clicks=False, track_opens=False)
    html = render(compiled, context(), RecipientLinks(click=str, unsubscribe="u")).html
    assert compiled.links == ()
    assert 'href="https://shop.example/sale?a=1&amp;b=2"' in html
    assert 'width="1" height="1"' not in html


def test_required_variable_without_value_fails_the_message():
    source = TemplateSource(
        subject="Hi",
        html="<p>{{ plan }}</p>{{ unsubscribe_url }}",
        variables=(VariableSpec("plan", None, required=True),),
    )
    compiled = compile_template(source, base_url=BASE)
    with pytest.raises(RenderFailed) as failure:
        render(compiled, context(), links_for())
    assert failure.value.code == "missing_variable"
    ok = render(compiled, context(attributes={"plan": "Pro"}), links_for())
    assert "<p>Pro</p>" in ok.html


def test_auto_footer_is_added_to_both_parts_when_the_link_is_missing():
    source = TemplateSource(subject="Hi", html="<html><body><p>News</p></body></html>", text="News")
    compiled = compile_template(source, base_url=BASE, auto_footer=True)
    shared = shared_context(organization={"name": "Acme", "address": "1 Rue de la Paix, Paris"})
    message = render(compiled, recipient_context(shared, {"email": "a@b.c"}), links_for(5))
    assert 'href="https://t.example/u/5"' in message.html
    assert "1 Rue de la Paix, Paris" in message.html
    assert "Unsubscribe: https://t.example/u/5" in message.text


def test_literal_braces_and_statements_in_tables_survive_html_parsing():
    html = (
        "<table>{% for row in attributes.rows %}<tr><td>{{ row }}</td></tr>{% endfor %}</table>"
        "<p>Use &#123;&#123; name }} in your own templates</p>{{ unsubscribe_url }}"
    )
    compiled = compile_template(TemplateSource(subject="Hi", html=html), base_url=BASE)
    message = render(compiled, context(attributes={"rows": ["a", "b"]}), links_for())
    assert "<table><tbody><tr><td>a</td></tr><tr><td>b</td></tr></tbody></table>" in message.html
    assert "Use {{ name }} in your own templates" in message.html


def test_mjml_compiles_and_keeps_variables():
    html = markup.mjml_to_html(
        "<mjml><mj-body><mj-section><mj-column>"
        "<mj-text>Hallo {{ first_name }}</mj-text>"
        '<mj-button href="https://shop.example/">Los</mj-button>'
        '<mj-text><a href="{{ unsubscribe_url }}">Abmelden</a></mj-text>'
        "</mj-column></mj-section></mj-body></mjml>"
    )
    compiled = compile_template(TemplateSource(subject="Hi", html=html), base_url=BASE)
    message = render(compiled, context(), links_for(2))
    assert "Hallo Zoë" in message.html
    assert compiled.links == ("https://shop.example/",)
    assert "@media only screen and (min-width:480px)" in message.html


def test_mjml_errors_and_includes_are_refused():
    with pytest.raises(markup.MarkupError):
        markup.mjml_to_html("<mjml><mj-body><mj-section>")
    with pytest.raises(markup.MarkupError) as failure:
        markup.mjml_to_html('<mjml><mj-body><mj-include path="/etc/passwd" /></mj-body></mjml>')
    assert "root" not in str(failure.value).lower().replace("root template", "")


def test_output_size_cap_per_message():
    source = TemplateSource(
        subject="Hi",
        html="{% for i in range(900) %}" + "x" * 100 + "{% endfor %}{{ unsubscribe_url }}",
    )
    compiled = compile_template(source, base_url=BASE, track_opens=False)
    assert len(render(compiled, context(), links_for()).html) > 90_000
    with pytest.raises(RenderFailed) as failure:
        render(compiled, context(), links_for(), limits=Limits(max_output=50_000))
    assert failure.value.code == "render_limit_exceeded"


def test_non_ascii_survives_into_mime_with_rfc2047_subject(compiled):
    message = render(compiled, context(attributes={"city": "Köln"}), links_for())
    mime = build_mime(
        Message(
            to_email="zoe@xn--exmple-cua.com",
            from_email="news@acme.example",
            from_name="Acmé Ünïcode",
            subject=message.subject,
            html=message.html,
            text=message.text,
        )
    )
    raw = bytes(mime)
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]  # encoded-words in the headers
    assert mime["Subject"] == "Zoë, soldes d'été à Köln"
    assert "Hello Zoë from Köln!" in mime.get_body(("html",)).get_content()


def test_compile_rejects_what_validation_would_reject():
    with pytest.raises(TemplateInvalid):
        compile_template(TemplateSource(subject="Hi", html="{% include 'x' %}"), base_url=BASE)
    with pytest.raises(TemplateInvalid):
        compile_template(TemplateSource(subject="Hi", html="{{ _l0 }}"), base_url=BASE)
