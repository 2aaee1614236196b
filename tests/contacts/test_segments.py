"""The segment language: validation with paths, every operator, safety, extension."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from blueprints.contacts import audience, segments, services
from blueprints.contacts.models import Contact, GroupMember
from blueprints.contacts.segments import SegmentInvalid


@pytest.fixture
def people(org):
    services.create_field(None, name="plan", type="text")
    services.create_field(None, name="score", type="number")
    services.create_field(None, name="joined", type="date")
    services.create_field(None, name="vip", type="boolean")
    vips = services.create_group(None, name="VIP")
    rows = [
        ("ann@gmail.com", "Ann", {"plan": "pro", "score": 90, "joined": "2024-01-10", "vip": True}),
        ("bob@work.example", "Bob", {"plan": "free", "score": 10, "joined": "2023-06-01"}),
        ("cy@gmail.com", None, {"plan": "Pro 100%_", "score": 50.5}),
        ("dee@work.example", "Dee", {}),
    ]
    made = {}
    for email, first, attributes in rows:
        made[email] = services.create_contact(
            None, {"email": email, "first_name": first, "attributes": attributes}
        )
    services.add_to_group(None, vips.id, emails=["ann@gmail.com", "dee@work.example"])
    services.update_contact(None, made["dee@work.example"].id, {"status": "unsubscribed"})
    return {"group": vips.id, **made}


def match(definition: Any) -> list[str]:
    condition = audience.condition_for(audience.check_definition(definition))
    stmt = sa.select(Contact.email).where(condition).order_by(Contact.email)
    from engagex.db import db

    return list(db.session.scalars(stmt))


def f(field: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    node = {"field": field, "op": op, **extra}
    if value is not None:
        node["value"] = value
    return node


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (f("email", "eq", "ANN@Gmail.com"), ["ann@gmail.com"]),
        (f("email", "contains", "@GMAIL"), ["ann@gmail.com", "cy@gmail.com"]),
        (f("email", "starts_with", "b"), ["bob@work.example"]),
        (f("first_name", "neq", "Ann"), ["bob@work.example", "cy@gmail.com", "dee@work.example"]),
        (f("first_name", "exists", False), ["cy@gmail.com"]),
        (f("status", "in", ["unsubscribed", "bounced"]), ["dee@work.example"]),
        (f("attributes.plan", "eq", "pro"), ["ann@gmail.com"]),
        (f("attributes.plan", "contains", "100%_"), ["cy@gmail.com"]),
        (f("attributes.plan", "starts_with", "pro"), ["ann@gmail.com", "cy@gmail.com"]),
        (f("attributes.plan", "in", ["free", "pro"]), ["ann@gmail.com", "bob@work.example"]),
        (
            f("attributes.plan", "neq", "pro"),
            ["bob@work.example", "cy@gmail.com", "dee@work.example"],
        ),
        (f("attributes.score", "gt", 50), ["ann@gmail.com", "cy@gmail.com"]),
        (f("attributes.score", "lt", 50.5), ["bob@work.example"]),
        (f("attributes.score", "between", [10, 50.5]), ["bob@work.example", "cy@gmail.com"]),
        (f("attributes.score", "eq", 90), ["ann@gmail.com"]),
        (f("attributes.joined", "before", "2024-01-01"), ["bob@work.example"]),
        (f("attributes.joined", "after", "2024-01-01"), ["ann@gmail.com"]),
        (
            f("attributes.joined", "between", ["2023-01-01", "2024-01-10"]),
            ["ann@gmail.com", "bob@work.example"],
        ),
        (f("attributes.joined", "exists"), ["ann@gmail.com", "bob@work.example"]),
        (f("attributes.vip", "eq", True), ["ann@gmail.com"]),
        (
            f("attributes.vip", "neq", True),
            ["bob@work.example", "cy@gmail.com", "dee@work.example"],
        ),
        (
            f("created_at", "within_last_days", 1),
            ["ann@gmail.com", "bob@work.example", "cy@gmail.com", "dee@work.example"],
        ),
        (f("created_at", "before", "2000-01-01"), []),
        (f("consent_at", "exists"), []),
        (
            {"and": [f("email", "contains", "gmail"), {"not": f("attributes.score", "lt", 60)}]},
            ["ann@gmail.com"],
        ),
        (
            {"or": [f("attributes.vip", "eq", True), f("first_name", "eq", "Bob")]},
            ["ann@gmail.com", "bob@work.example"],
        ),
    ],
)
def test_operators(people, definition, expected):
    assert match(definition) == expected


def test_group_membership(people):
    group = people["group"]
    assert match(f("group", "eq", group)) == ["ann@gmail.com", "dee@work.example"]
    assert match(f("group", "neq", group)) == ["bob@work.example", "cy@gmail.com"]
    assert match(f("group", "in", [group])) == ["ann@gmail.com", "dee@work.example"]


def test_date_attribute_within_last_days(people):
    from engagex.db import utcnow

    today = utcnow().date().isoformat()
    services.update_contact(None, people["dee@work.example"].id, {"attributes": {"joined": today}})
    assert match(f("attributes.joined", "within_last_days", 7)) == ["dee@work.example"]


@pytest.mark.parametrize(
    ("definition", "path", "reason"),
    [
        ([], "$", "a condition must be a JSON object"),
        ({}, "$", "expected one of: and, or, not, field, condition"),
        ({"and": []}, "$.and", "must be a non-empty list"),
        ({"and": [f("email", "eq", "a@b.co")], "or": []}, "$.or", "unexpected key"),
        (
            {"or": [f("email", "eq", "a@b.co"), f("nope", "eq", 1)]},
            "$.or[1].field",
            "unknown field 'nope'",
        ),
        ({"not": f("attributes.ghost", "eq", 1)}, "$.not.field", "no custom field named 'ghost'"),
        (
            f("email", "gt", 1),
            "$.op",
            "operator 'gt' does not apply to email (contains, eq, exists, in, neq, starts_with)",
        ),
        (
            f("attributes.score", "gt", "many"),
            "$.value",
            "attributes.score: 'many' is not a number",
        ),
        (
            f("attributes.score", "between", [1]),
            "$.value",
            "must be a list of two values [low, high]",
        ),
        (f("attributes.score", "in", []), "$.value", "must list 1 to 1000 values"),
        (
            f("attributes.joined", "after", "yesterday"),
            "$.value",
            "attributes.joined: 'yesterday' is not a date (YYYY-MM-DD)",
        ),
        (
            f("created_at", "within_last_days", 0),
            "$.value",
            "must be a whole number of days from 1 to 36500",
        ),
        (f("created_at", "after", "soon"), "$.value", "must be an ISO 8601 date or date-time"),
        (
            f("status", "eq", "gone"),
            "$.value",
            "must be one of subscribed, unsubscribed, bounced, complained",
        ),
        (f("group", "eq", "1; DROP TABLE contacts"), "$.value", "must be a group id"),
        (f("group", "eq", 987654321), "$", "no group with id 987654321"),
        (f("email", "eq"), "$.value", "is required"),
        (f("email", "exists", "yes"), "$.value", "must be true or false"),
        (
            {"field": "email", "op": "eq", "value": "a@b.co", "sql": "1=1"},
            "$.sql",
            "unexpected key",
        ),
        ({"condition": "bogus"}, "$.condition", "unknown condition 'bogus' (clicked, opened)"),
        (
            f("attributes.vip", "contains", True),
            "$.op",
            "operator 'contains' does not apply to attributes.vip (eq, exists, neq)",
        ),
    ],
)
def test_invalid_trees_name_the_bad_node(people, definition, path, reason):
    with pytest.raises(SegmentInvalid) as caught:
        audience.check_definition(definition)
    assert caught.value.details == {"path": path, "reason": reason}
    assert caught.value.code == "invalid_segment"


def test_depth_and_size_are_bounded(people):
    deep: dict[str, Any] = f("email", "exists")
    for _ in range(segments.MAX_DEPTH + 1):
        deep = {"not": deep}
    with pytest.raises(SegmentInvalid, match="nested at most"):
        audience.check_definition(deep)
    wide = {"or": [f("email", "exists")] * (segments.MAX_NODES + 1)}
    with pytest.raises(SegmentInvalid, match="at most 200 conditions"):
        audience.check_definition(wide)


def test_user_text_is_only_ever_a_parameter(people):
    hostile = "x' OR '1'='1"
    assert match(f("email", "eq", hostile)) == []
    assert match(f("attributes.plan", "contains", "o%1")) == []  # a literal %, not a wildcard
    assert match(f("first_name", "starts_with", "_")) == []
    condition = audience.condition_for(
        audience.check_definition(f("attributes.plan", "eq", hostile))
    )
    from engagex.db import db

    sql = str(condition.compile(dialect=db.session.get_bind().dialect))
    assert hostile not in sql and "OR '1'" not in sql


def test_registered_condition_types_extend_the_language(people):
    class InAnyGroup:
        def validate(self, node, path, ctx):
            if set(node) != {"condition"}:
                raise SegmentInvalid(path, "takes no options")
            return dict(node)

        def compile(self, node, ctx):
            return (
                sa.select(GroupMember.contact_id)
                .where(GroupMember.contact_id == Contact.id)
                .exists()
            )

    segments.register_condition("in_any_group", InAnyGroup())
    try:
        assert match({"condition": "in_any_group"}) == ["ann@gmail.com", "dee@work.example"]
        assert match({"not": {"condition": "in_any_group"}}) == ["bob@work.example", "cy@gmail.com"]
        with pytest.raises(SegmentInvalid, match="takes no options"):
            audience.check_definition({"condition": "in_any_group", "x": 1})
    finally:
        segments._CONDITIONS.pop("in_any_group")


def test_saved_segments_count_preview_and_protect_their_fields(people):
    saved = audience.create_segment(
        None, name="Engaged", definition=f("attributes.score", "gt", 40)
    )
    assert saved.definition == {"field": "attributes.score", "op": "gt", "value": 40}
    assert audience.count_matching(None, saved.definition) == 2
    page = audience.preview_matching(None, saved.definition, limit=1)
    assert [c.email for c in page.items] == ["cy@gmail.com"] and page.next_cursor
    rest = audience.preview_matching(None, saved.definition, limit=1, cursor=page.next_cursor)
    assert [c.email for c in rest.items] == ["ann@gmail.com"]
    assert services.count_contacts(None, segment_id=saved.id) == 2
    score = next(x for x in services.list_fields(None) if x.name == "score")
    from engagex.errors import Conflict

    with pytest.raises(Conflict, match="used by the segment"):
        services.delete_field(None, score.id)
    audience.delete_segment(None, saved.id)
    services.delete_field(None, score.id)
    assert all("score" not in c.attributes for c in services.list_contacts(None).items)


def test_audience_excludes_unsubscribed_and_suppressed(people):
    group = people["group"]
    vip = audience.create_segment(None, name="Gmail", definition=f("email", "contains", "gmail"))
    from engagex.db import db

    def sendable(**kwargs: Any) -> list[str]:
        rows = db.session.execute(audience.audience_select(**kwargs)).all()
        return sorted(email for _, email in rows)

    assert sendable(group_ids=[group]) == ["ann@gmail.com"]  # dee is unsubscribed
    assert sendable(group_ids=[group], segment_ids=[vip.id]) == ["ann@gmail.com", "cy@gmail.com"]
    audience.add_suppression(None, "gmail.com")
    assert sendable(group_ids=[group], segment_ids=[vip.id]) == []
