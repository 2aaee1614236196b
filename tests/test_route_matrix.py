"""Every /api/v1 route, found by walking the URL map, against the permission matrix and
against another organization's ids. New domains are covered without editing this file.

For a route with object ids, a domain registers in ``tests/<domain>/route_ids.py``:

- ``ID_FACTORIES = {"<url variable>": factory}``: ``factory(org) -> int`` creates such an
  object in ``org`` (its tenant context is open) and returns the id;
- optionally ``REQUEST_BODIES = {("PATCH", "<rule>"): {...}}``: a body that passes
  validation, so the cross-tenant request reaches the object lookup.

A route without a factory fails the test with the line to add (see docs/auth.md).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import tests
from blueprints.accounts.models import Membership, Organization
from blueprints.auth.services import sessions
from engagex.api import CSRF_HEADER, PUBLIC, SESSION_COOKIE, SIGNED_IN
from engagex.db import db
from engagex.permissions import MATRIX, Role, role_has
from engagex.tenancy import sync_connection, system_scope, tenant_context
from tests.factories import auth, make_key, make_org

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
MISSING_ID = 4_000_000_000_000_000_000  # a valid id that exists nowhere
_VARIABLE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    permission: str | None
    variables: tuple[tuple[str, str], ...]  # (converter, name)
    people_only: bool = False

    @property
    def for_people(self) -> bool:
        """Called with a session cookie (a person), not an API key."""
        return self.people_only or self.permission == SIGNED_IN

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"

    def path(self, values: dict[str, Any]) -> str:
        return _VARIABLE.sub(lambda m: str(values[m.group("name")]), self.rule)


def api_routes(app) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1":
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        variables = tuple(
            (m.group("converter") or "default", m.group("name"))
            for m in _VARIABLE.finditer(rule.rule)
        )
        for method in sorted(set(rule.methods or ()) & set(METHODS)):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            found.append(
                Route(
                    method,
                    rule.rule,
                    getattr(handler, "engagex_permission", None),
                    variables,
                    bool(getattr(handler, "engagex_people_only", False)),
                )
            )
    return sorted(found, key=lambda r: (r.rule, r.method))


def _route_id_modules() -> list[Any]:
    modules = []
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg and (Path(tests.__path__[0]) / info.name / "route_ids.py").exists():
            modules.append(importlib.import_module(f"tests.{info.name}.route_ids"))
    return modules


def registry() -> tuple[dict[str, Callable[[Organization], int]], dict[tuple[str, str], dict]]:
    factories: dict[str, Callable[[Organization], int]] = {}
    owners: dict[str, str] = {}
    bodies: dict[tuple[str, str], dict] = {}
    for module in _route_id_modules():
        for name, factory in getattr(module, "ID_FACTORIES", {}).items():
            assert name not in factories, (
                f"URL variable {name!r} has factories in {owners[name]} and {module.__name__}: "
                "name URL variables after their object (<id:campaign_id>) so they stay unique"
            )
            factories[name], owners[name] = factory, module.__name__
        bodies.update(getattr(module, "REQUEST_BODIES", {}))
    return factories, bodies


def sample_path(route: Route) -> str:
    return route.path({name: MISSING_ID if conv == "id" else "x" for conv, name in route.variables})


def call(client, route: Route, path: str, body: dict | None, headers: dict[str, str]):
    kwargs: dict[str, Any] = {"headers": headers}
    if route.method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = body if body is not None else {}
    response = client.open(path, method=route.method, **kwargs)
    # Read and close: a streamed body (exports) holds its context until closed.
    response.get_data()
    response.close()
    return response


def session_client(app, user_id: int, org_id: int):
    """A browser signed in as ``user_id`` in ``org_id`` (a fresh session each time)."""
    from blueprints.accounts.models import User

    user = db.session.get(User, user_id)
    row, token = sessions.create_session(user, method="password", organization_id=org_id)
    db.session.commit()
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, token)
    return client, {CSRF_HEADER: sessions.csrf_token(row)}


# --- every route declares who may call it ------------------------------------------------


def test_every_api_route_declares_a_permission(app):
    routes = api_routes(app)
    assert routes, "no /api/v1 routes found"
    missing = [str(r) for r in routes if r.permission is None]
    assert not missing, (
        "these API views declare no permission; put @requires('<perm>') (or @signed_in / "
        "@public from engagex.api) directly under the route method:\n  " + "\n  ".join(missing)
    )
    unknown = [
        f"{r}: {r.permission!r}"
        for r in routes
        if r.permission not in MATRIX and r.permission not in (PUBLIC, SIGNED_IN)
    ]
    assert not unknown, "unknown permissions:\n  " + "\n  ".join(unknown)


def test_public_routes_take_no_object_ids(app):
    offenders = [str(r) for r in api_routes(app) if r.permission == PUBLIC and r.variables]
    assert not offenders, (
        "public routes must take the tenant from signed data, never from ids in the URL:\n  "
        + "\n  ".join(offenders)
    )


def test_without_credentials_everything_but_public_routes_is_401(app, client, session):
    wrong = []
    for route in api_routes(app):
        response = call(client, route, sample_path(route), {}, {})
        expected_401 = route.permission != PUBLIC
        if (response.status_code == 401) != expected_401 or response.status_code >= 500:
            wrong.append(f"{route} ({route.permission}): {response.status_code}")
    assert not wrong, "\n  ".join(["unexpected answers without credentials:", *wrong])


# --- the role x route matrix -------------------------------------------------------------


def member_of(org: Organization, role: Role) -> int:
    from tests.factories import add_member

    return add_member(org, f"{role.value}@{org.slug}.example.com", role.value).user_id


def test_role_matrix(app, client, session):
    """Each role on each route: 403 exactly when the role lacks the permission, and the 403
    comes before validation and lookups (empty bodies, ids that do not exist). API keys
    carry the role, except on people-only routes, where a member's session does."""
    org = make_org()
    keys = {role: make_key(org, role.value) for role in Role}
    people = {
        role: session_client(
            app,
            member_of(org, role) if role != Role.OWNER else _owner_id(org),
            org.id,
        )
        for role in Role
    }
    wrong = []
    for route in api_routes(app):
        if route.permission in (PUBLIC, SIGNED_IN, None):
            continue
        for role in Role:
            if route.people_only:
                browser, headers = people[role]
                response = call(browser, route, sample_path(route), {}, headers)
                by_key = call(client, route, sample_path(route), {}, auth(keys[role]))
                if by_key.status_code != 403 or by_key.get_json()["code"] != "session_required":
                    wrong.append(f"{route} is people-only but a key got {by_key.status_code}")
            else:
                response = call(client, route, sample_path(route), {}, auth(keys[role]))
            allowed = role_has(role, route.permission)
            status = response.status_code
            if allowed and (status in (401, 403) or status >= 500):
                body = response.get_json(silent=True) or {}
                wrong.append(
                    f"{role.value} may {route} ({route.permission}) but got {status} {body.get('code')}"
                )
            if not allowed:
                body = response.get_json(silent=True) or {}
                if status != 403 or body.get("details", {}).get("permission") != route.permission:
                    wrong.append(
                        f"{role.value} may not {route} ({route.permission}) but got {status} "
                        f"{body.get('code')} (the permission check must come before validation)"
                    )
    assert not wrong, "\n  ".join(["role matrix violations:", *wrong])


def _owner_id(org: Organization) -> int:
    with tenant_context(org.id):
        return db.session.scalars(
            sa.select(Membership.user_id).where(Membership.role == Role.OWNER.value)
        ).one()


def test_signed_in_routes_need_a_person_not_a_key(app, client, session):
    org = make_org()
    key = make_key(org, "owner")
    owner_id = _owner_id(org)
    wrong = []
    for route in api_routes(app):
        if route.permission != SIGNED_IN:
            continue
        response = call(client, route, sample_path(route), {}, auth(key))
        if response.status_code != 403 or response.get_json()["code"] != "session_required":
            wrong.append(f"{route} with an API key: {response.status_code}")
        browser, headers = session_client(app, owner_id, org.id)
        response = call(browser, route, sample_path(route), {}, headers)
        if response.status_code in (401, 403) or response.status_code >= 500:
            wrong.append(f"{route} signed in: {response.status_code} {response.get_json()}")
    assert not wrong, "\n  ".join(["signed-in routes:", *wrong])


# --- another organization's ids ----------------------------------------------------------


def snapshot(org_id: int) -> dict[str, list]:
    """Every row that belongs to organization ``org_id`` (and its people and sessions)."""
    state: dict[str, list] = {}
    db.session.commit()  # a new transaction: its tenant settings are applied afresh
    with system_scope():
        connection = sync_connection(db.session())
        member_ids = [
            row[0]
            for row in connection.execute(
                sa.text("SELECT user_id FROM memberships WHERE organization_id = :o"), {"o": org_id}
            )
        ]
        for table in db.metadata.sorted_tables:
            if "organization_id" in table.c:
                stmt = sa.select(table).where(table.c.organization_id == org_id)
            elif table.name == "organizations":
                stmt = sa.select(table).where(table.c.id == org_id)
            elif "user_id" in table.c and member_ids:
                stmt = sa.select(table).where(table.c.user_id.in_(member_ids))
            elif table.name == "users" and member_ids:
                stmt = sa.select(table).where(table.c.id.in_(member_ids))
            else:
                continue
            state[table.name] = sorted(map(repr, connection.execute(stmt).all()))
    return state


def test_other_organizations_ids_are_404_and_change_nothing(app, client, session):
    factories, bodies = registry()
    routes = [r for r in api_routes(app) if r.variables and r.permission not in (PUBLIC, None)]
    names = sorted({name for r in routes for _conv, name in r.variables})
    missing = [n for n in names if n not in factories]
    assert not missing, "\n  ".join(
        [
            "no id factory for these URL variables; add to tests/<domain>/route_ids.py",
            "ID_FACTORIES = {'<name>': make_one}  # make_one(org) -> int, creates it in org:",
            *[
                f"{n!r} (used by {', '.join(str(r) for r in routes if n in dict(map(reversed, r.variables)))})"
                for n in missing
            ],
        ]
    )
    org_a, org_b = make_org(), make_org()
    key_a = make_key(org_a, "owner")
    owner_a = _owner_id(org_a)
    with tenant_context(org_b.id):
        ids_b = {name: factories[name](org_b) for name in names}
        db.session.commit()
    before = snapshot(org_b.id)
    assert before["memberships"] and before["organizations"], "the snapshot must see B's rows"
    wrong = []
    for route in routes:
        path = route.path({name: ids_b[name] for _conv, name in route.variables})
        body = bodies.get((route.method, route.rule), {})
        if route.for_people:
            browser, headers = session_client(app, owner_a, org_a.id)
            response = call(browser, route, path, body, headers)
        else:
            response = call(client, route, path, body, auth(key_a))
        if response.status_code != 404:
            hint = (
                f" (validation ran first: add a valid body for ({route.method!r}, {route.rule!r}) "
                "to REQUEST_BODIES in tests/<domain>/route_ids.py)"
                if response.status_code == 422
                else ""
            )
            wrong.append(f"{route} with B's ids: {response.status_code}{hint}")
    assert not wrong, "\n  ".join(["another organization's objects must be 404:", *wrong])
    assert snapshot(org_b.id) == before, "a request with org A's credentials changed org B"
