"""Known Jinja sandbox escapes fail at save time (422) and again at render time."""

from __future__ import annotations

import jinja2
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from blueprints.templates.hardening import harden
from blueprints.templates.rendering import (
    RecipientLinks,
    RenderFailed,
    TemplateInvalid,
    TemplateSource,
    compile_template,
    recipient_context,
    render,
    shared_context,
)
from blueprints.templates.sandbox import (
    Budget,
    EmailSandbox,
    Limits,
    RenderLimitExceeded,
    run,
)
from blueprints.templates.validation import HTML_ENV, TEXT_ENV
from tests.templates.conftest import page

ESCAPES = {
    "class_mro_subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "class_via_item": "{{ ''['__class__'] }}",
    "dict_class": "{{ attributes.__class__ }}",
    "method_globals": "{{ attributes.get.__self__ }}",
    "cycler_globals": "{{ cycler.__init__.__globals__ }}",
    "joiner_globals": "{{ joiner.__init__.__globals__.os }}",
    "namespace_globals": "{{ namespace.__init__.__globals__ }}",
    "lipsum_globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "attr_filter": "{{ ''|attr('__class__') }}",
    "attr_filter_chain": "{{ (''|attr('\\x5f\\x5fclass\\x5f\\x5f'))|attr('mro') }}",
    "str_format": "{{ '{0.__class__.__mro__}'.format(first_name) }}",
    "str_format_map": "{{ '{x.__class__}'.format_map({'x': first_name}) }}",
    "format_filter": "{{ '%s'|format(first_name) }}",
    "percent_format": "{{ '%s and %s' % (first_name, email) }}",
    "self": "{{ self }}",
    "self_context": "{{ self._TemplateReference__context }}",
    "config": "{{ config }}",
    "config_items": "{{ config.items() }}",
    "request": "{{ request.environ }}",
    "range_globals": "{{ range.__globals__ }}",
    "loop_class": "{% for x in [1] %}{{ loop.__class__ }}{% endfor %}",
    "include": "{% include '/etc/passwd' %}",
    "import": "{% import 'x' as x %}",
    "extends": "{% extends 'base' %}",
    "autoescape_off": "{% autoescape false %}{{ first_name }}{% endautoescape %}",
    "reserved_name": "{% set _open = 'x' %}{{ _open }}",
}


@pytest.fixture
def editor_headers(headers):
    return headers


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_each_escape_is_rejected_at_save_time(client, editor_headers, payload):
    response = client.post(
        "/api/v1/templates",
        json={"name": "escape", "subject": "Hi", "html": page(f"<p>\n{payload}\n</p>")},
        headers=editor_headers,
    )
    assert response.status_code == 422, response.json
    body = response.json
    assert body["code"] == "template_invalid"
    errors = body["details"]["errors"]
    assert errors and all(e["field"] == "html" for e in errors)
    # The error points at the payload's line (line 2 of the document).
    assert any(e.get("line") == 2 for e in errors), errors
    assert client.get("/api/v1/templates", headers=editor_headers).json["items"] == []


def _render_unvalidated(html: str) -> str:
    """Compile and render without the save-time checks: only the sandbox stands."""
    source = TemplateSource(subject="Hi", html=page(html))
    compiled = compile_template(source, base_url="https://app.example")
    context = recipient_context(
        shared_context(organization={"name": "Acme"}),
        {"email": "a@example.com", "first_name": "Ann", "attributes": {}},
    )
    links = RecipientLinks(click=str, unsubscribe="https://app.example/u/x")
    return render(compiled, context, links).html


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_each_escape_is_rejected_at_render_time(payload):
    with pytest.raises((TemplateInvalid, RenderFailed)) as failure:
        _render_unvalidated(payload)
    assert failure.value.status == 422


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_each_escape_fails_in_the_bare_sandbox(payload):
    """Even a template compiled by hand in the environment cannot escape."""
    env = EmailSandbox(autoescape=True)
    with pytest.raises(jinja2.TemplateError):
        tree = harden(env.parse(payload))
        template = env.template_class.from_code(env, env.compile(tree), env.make_globals(None))
        run(template, {"first_name": "Ann", "email": "a@x", "attributes": {}}, Budget(Limits()))


def test_the_environment_is_the_immutable_sandbox_of_a_patched_jinja():
    assert tuple(int(part) for part in jinja2.__version__.split(".")[:3]) >= (3, 1, 6)
    for env in (HTML_ENV, TEXT_ENV):
        assert isinstance(env, ImmutableSandboxedEnvironment)
        assert set(env.globals) == {"range"}
    assert HTML_ENV.autoescape is True


def test_no_secret_is_reachable(app, client, editor_headers):
    secret = app.config["SECRET_KEY"]
    probes = [
        "{{ config }}",
        "{{ environ }}",
        "{{ g }}",
        "{{ session }}",
        "{{ current_app }}",
        "{{ url_for }}",
        "{{ get_flashed_messages }}",
        "{{ attributes.keys()|list }}",
        "{{ organization }}",
        "{% for k, v in contact.items() %}{{ k }}={{ v }};{% endfor %}",
    ]
    for probe in probes:
        try:
            html = _render_unvalidated(probe)
        except (TemplateInvalid, RenderFailed) as exc:
            html = exc.message + repr(exc.details)
        assert secret not in html
        assert "SECRET_KEY" not in html


def test_contact_data_is_escaped_and_cannot_inject_template_code():
    source = TemplateSource(subject="{{ first_name }}", html=page("<p>{{ first_name }}</p>"))
    compiled = compile_template(source, base_url="https://app.example")
    context = recipient_context(
        shared_context(organization={"name": "Acme"}),
        {"email": "a@example.com", "first_name": "<script>{{ config }}</script>"},
    )
    message = render(compiled, context, RecipientLinks(click=str, unsubscribe="u"))
    assert "&lt;script&gt;{{ config }}&lt;/script&gt;" in message.html
    assert message.subject == "<script>{{ config }}</script>"  # text, never evaluated


HOSTILE = {
    "nested_ranges": "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
    "huge_range": "{% for a in range(10**9) %}{% endfor %}",
    "string_doubling": "{% set s = 'xxxxxxxxxx' %}" + "{% set s = s ~ s %}" * 40,
    "list_doubling": "{% set l = [1] %}" + "{% set l = [l, l] %}" * 60 + "{{ l|length }}",
    "string_multiply": "{{ 'x' * 100000000 }}",
    "big_power": "{{ 999 ** 999999 }}",
    "output_flood": "{% for a in range(1000) %}{% for b in range(9) %}"
    + "y" * 200
    + "{% endfor %}{% endfor %}",
    "macro_bomb": "{% macro m(n) %}{% for i in range(9) %}{{ m(n) }}{% endfor %}{% endmacro %}"
    "{{ m(1) }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
}


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_runaway_templates_hit_the_caps_at_save_and_render(client, editor_headers, payload):
    response = client.post(
        "/api/v1/templates",
        json={"name": "bomb", "subject": "Hi", "html": page(payload)},
        headers=editor_headers,
    )
    assert response.status_code == 422, response.json
    codes = {e["code"] for e in response.json["details"]["errors"]}
    assert codes == {"render_limit_exceeded"}, response.json
    with pytest.raises(RenderFailed) as failure:
        _render_unvalidated(payload)
    assert failure.value.code == "render_limit_exceeded"


def test_the_time_cap_stops_work_that_no_other_cap_sees():
    # Each iteration is cheap and within every count; only the clock can stop it.
    env = EmailSandbox(autoescape=True)
    tree = harden(
        env.parse("{% for a in range(1000) %}{% for b in range(9) %}{% endfor %}{% endfor %}")
    )
    template = env.template_class.from_code(env, env.compile(tree), env.make_globals(None))
    budget = Budget(Limits(timeout=0.0, max_iterations=10**9))
    with pytest.raises(RenderLimitExceeded) as failure:
        run(template, {}, budget)
    assert "time" in failure.value.what


def test_rendering_outside_the_budget_is_refused():
    env = EmailSandbox(autoescape=True)
    tree = harden(env.parse("{% for a in range(3) %}{{ a }}{% endfor %}"))
    template = env.template_class.from_code(env, env.compile(tree), env.make_globals(None))
    with pytest.raises(jinja2.exceptions.SecurityError):
        template.render()
