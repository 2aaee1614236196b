"""One body plus substitutions gives exactly the messages the full render gives."""

from __future__ import annotations

import pytest

from blueprints.campaigns import substitution
from blueprints.campaigns.compose import Composer, Recipient
from blueprints.campaigns.links import LinkBuilder
from blueprints.templates.rendering import (
    TemplateSource,
    VariableSpec,
    compile_template,
    shared_context,
)
from engagex.mail import expand

BASE = "https://app.example"
FOOTER = '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a> <a href="{{ preferences_url }}">Prefs</a></p>'

PEOPLE = [
    Recipient(1, "ann@example.com", "Ann", "Lee", {"city": "Paris", "points": 12, "vip": True}),
    Recipient(2, "bob@example.com", "Bob & <Co>", None, {"city": 'Zürich "Z"', "points": 0.5}),
    Recipient(3, "cid@example.com", None, None, {}),
    Recipient(4, "dee@example.com", "  Dee  ", "O'Neil", {"city": None, "points": None}),
    Recipient(
        5, "eve@example.com", "Eve\nLine", "X", {"city": "Multi\n\nline", "nested": {"a": 1}}
    ),
    Recipient(6, "fay@example.com", "", "", {"city": "", "tags": ["a", "b"]}),
]


def composer(
    source: TemplateSource, *, track_clicks: bool = True, substitute: bool = True
) -> Composer:
    compiled = compile_template(source, base_url=BASE, auto_footer=False, track_clicks=track_clicks)
    return Composer(
        campaign_id=7,
        org_id=3,
        org_name="Ünïcode & Sons",
        compiled=compiled,
        shared=shared_context(
            organization={
                "name": "Acme & Co",
                "address": "1 Road",
                "website": "",
                "from_name": "A",
            },
            campaign={"name": "Spring"},
        ),
        links=LinkBuilder("secret", BASE, track_opens=True, track_clicks=track_clicks),
        from_email="news@acme.example",
        from_name="Acme",
        reply_to=None,
        salt="abcd1234",
        unsubscribe_mailto="unsub@acme.example",
        substitute=substitute,
    )


def messages(c: Composer) -> dict[int, object]:
    out = c.compose(PEOPLE)
    result: dict[int, object] = {rid: m for rid, m in out.messages}
    for rid, personalization in out.personalized:
        result[rid] = expand(out.template, personalization)
    for rid, failure in out.failures.items():
        result[rid] = failure
    return result


CASES = {
    "plain names and attributes": TemplateSource(
        subject="Hi {{ first_name }} from {{ organization.name }}",
        html="<html><body><p>Hello {{ first_name }} {{ last_name }} ({{ email }}) of "
        "{{ attributes.city }}, {{ contact.attributes.points }} points, "
        '{{ attributes["vip"] }} {{ full_name }}</p>'
        '<a href="https://shop.example/a?x=1&amp;y=2">Shop</a>' + FOOTER + "</body></html>",
    ),
    "filters with constants": TemplateSource(
        subject="{{ first_name|default('friend')|upper }}!",
        html="<html><body><p>{{ attributes.city|d('nowhere') }} {{ first_name|trim|title }} "
        "{{ attributes.missing|default('none', true) }} {{ last_name|e }}</p>"
        + FOOTER
        + "</body></html>",
    ),
    "declared variables": TemplateSource(
        subject="{{ city }} news",
        html="<html><body><p>{{ city }} / {{ greeting }}</p>" + FOOTER + "</body></html>",
        variables=(VariableSpec("city", "Berlin"), VariableSpec("greeting", "Hello")),
    ),
    "explicit text part with blank lines": TemplateSource(
        subject="News",
        html="<html><body><p>{{ first_name }}</p>" + FOOTER + "</body></html>",
        text="Hi {{ first_name }}\n\n{{ attributes.city }}\n\n{% if organization.address %}"
        "{{ organization.address }}{% endif %}\n\n\nBye {{ unsubscribe_url }}\n",
    ),
    "shared conditions and loops": TemplateSource(
        subject="{% if campaign.name %}{{ campaign.name }}: {% endif %}{{ first_name }}",
        html="<html><body>{% for i in range(2) %}<p>{{ i }} {{ first_name }}</p>{% endfor %}"
        + FOOTER
        + "</body></html>",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("track_clicks", [True, False])
def test_substituted_messages_equal_the_full_render(name, track_clicks):
    source = CASES[name]
    batched = composer(source, track_clicks=track_clicks)
    assert batched.batched, f"{name} should be sent as one body plus substitutions"
    full = composer(source, track_clicks=track_clicks, substitute=False)
    assert not full.batched
    assert messages(batched) == messages(full)


@pytest.mark.parametrize(
    "html",
    [
        "{% if first_name %}Hi {{ first_name }}{% endif %}",  # a condition on a recipient value
        "{{ first_name ~ '!' }}",  # an expression
        "{{ attributes.city|truncate(5) }}",  # a filter that is not a plain value filter
        "{% set name = first_name %}{{ name }}",  # an assignment
        "{% for t in attributes.tags %}{{ t }}{% endfor %}",  # a loop over recipient data
        "{{ attributes.get('city') }}",  # a call
        '{% if attributes.vip %}<b>VIP</b>{% endif %}{{ attributes.points|default("-") }}',
    ],
)
def test_templates_that_decide_per_recipient_group_by_what_they_decide_on(html):
    source = TemplateSource(subject="Hi", html=f"<html><body><p>{html}</p>{FOOTER}</body></html>")
    grouped = composer(source)
    assert grouped.analysis is not None and grouped.analysis.decisions
    assert messages(grouped) == messages(composer(source, substitute=False))


def test_a_template_that_assigns_a_recipient_name_renders_per_recipient():
    source = TemplateSource(
        subject="Hi",
        html='<html><body>{% set first_name = "x" %}<p>{{ first_name }}</p>' + FOOTER,
    )
    c = composer(source)
    assert not c.batched
    assert messages(c) == messages(composer(source, substitute=False))


def test_a_marker_never_leaks_and_every_key_is_filled():
    c = composer(CASES["plain names and attributes"])
    out = c.compose(PEOPLE)
    keys = set(substitution.iter_keys(c.plan))
    for _rid, personalization in out.personalized:
        assert set(personalization.substitutions) == keys, "the same keys for everyone"
        message = expand(out.template, personalization)
        assert "-egx" not in message.html + message.text + message.subject


def test_headers_and_ids_of_every_message():
    c = composer(CASES["plain names and attributes"])
    for rid, message in messages(c).items():
        assert message.message_id == f"<r{rid}.abcd1234@acme.example>"
        assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message.headers["List-Unsubscribe"]
        assert unsubscribe.startswith(f"<{BASE}/u/") and "mailto:unsub@acme.example" in unsubscribe
        assert message.headers["Feedback-ID"] == "7:3:campaign:engagex"
        assert message.headers["List-Id"].endswith("<o3.acme.example>")
        assert message.headers["List-Id"].isascii()  # the non-ASCII name is RFC 2047 encoded
        assert message.metadata == {
            "organization_id": "3",
            "campaign_id": "7",
            "recipient_id": str(rid),
        }
        assert all("@" not in value for value in message.metadata.values())
        token = unsubscribe[1:].split(">")[0]
        assert token in message.html and token in message.text


def test_a_missing_required_variable_fails_that_recipient_only():
    source = TemplateSource(
        subject="Hi",
        html="<html><body><p>{{ code }}</p>" + FOOTER + "</body></html>",
        variables=(VariableSpec("code", None, True),),
    )
    people = [
        Recipient(1, "a@example.com", attributes={"code": "X1"}),
        Recipient(2, "b@example.com", attributes={}),
    ]
    out = composer(source).compose(people)
    assert [rid for rid, _ in [*out.personalized, *out.messages]] == [1]
    assert out.failures[2][0] == "missing_variable"


BRANCHING = {
    "a condition on an attribute": "{% if attributes.vip %}<p>VIP {{ first_name }}</p>{% else %}"
    "<p>Hi {{ first_name }}</p>{% endif %}",
    "filters and concatenation": "<p>{{ first_name|upper }} {{ first_name ~ '!' }} "
    "{{ attributes.city|truncate(4) }} {{ email }}</p>",
    "a loop over recipient data": "{% for k in attributes.keys() %}<i>{{ k }}</i>{% endfor %}"
    "<p>{{ last_name|e }}</p>",
}


@pytest.mark.parametrize("name", sorted(BRANCHING))
def test_grouped_skeletons_give_exactly_the_rendered_messages(name):
    source = TemplateSource(
        subject="{% if attributes.vip %}VIP: {% endif %}{{ first_name }}",
        html=f"<html><body>{BRANCHING[name]}"
        '<a href="https://shop.example/?a=1&amp;b=2">Shop</a>' + FOOTER + "</body></html>",
        text="{% if attributes.vip %}VIP{% endif %} {{ first_name }} {{ unsubscribe_url }}\n",
    )
    c = composer(source)
    assert c.analysis.decisions  # decided per recipient: grouped by those values
    grouped = c.compose(PEOPLE)
    plain = composer(source, substitute=False).compose(PEOPLE)
    expected = {rid: m for rid, m in plain.messages} | {rid: f for rid, f in plain.failures.items()}
    got: dict[int, object] = {rid: m for rid, m in grouped.messages}
    for template, people in grouped.groups:
        for rid, personalization in people:
            got[rid] = expand(template, personalization)
    got |= dict(grouped.failures.items())
    assert got == expected


def test_a_branching_template_groups_its_recipients_by_skeleton():
    people = [
        Recipient(i, f"p{i}@example.com", f"P{i}", "Q", {"vip": i % 2 == 0}) for i in range(1, 41)
    ]
    source = TemplateSource(
        subject="Hi {{ first_name }}",
        html="<html><body>" + BRANCHING["a condition on an attribute"] + FOOTER + "</body></html>",
    )
    out = composer(source).compose(people)
    assert sorted(len(group) for _template, group in out.groups) == [20, 20]
    assert out.messages == [] and out.failures == {}
