"""Seed the demo organization: owner credentials, an audience and a template.

Idempotent: the first run creates everything; every run rotates the owner's password and
API key (only the last printed ones work) and leaves the rest as it is.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Organization, User
from blueprints.auth.services.passwords import set_password
from blueprints.contacts import services as contacts
from blueprints.templates import services as templates
from engagex.db import db
from engagex.errors import NotFound
from engagex.permissions import Role
from engagex.tenancy import tenant_context

SLUG = "demo"
OWNER = "owner@demo.example.com"
SENDER = "news@demo.example.com"
GROUP = "Newsletter"
KEY_NAME = "demo (make run)"

_PEOPLE = [
    ("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Katherine", "Johnson"),
    ("Edsger", "Dijkstra"), ("Barbara", "Liskov"), ("Donald", "Knuth"), ("Margaret", "Hamilton"),
    ("Tim", "Berners-Lee"), ("Radia", "Perlman"), ("Ken", "Thompson"), ("Frances", "Allen"),
    ("Dennis", "Ritchie"), ("Hedy", "Lamarr"), ("John", "McCarthy"), ("Sophie", "Wilson"),
    ("Linus", "Torvalds"), ("Annie", "Easley"), ("Guido", "van Rossum"), ("Zoë", "Müller"),
]  # fmt: skip


@dataclass(frozen=True)
class DemoCredentials:
    organization: str
    owner: str
    password: str
    api_key: str


def _organization() -> tuple[Organization, bool]:
    try:
        return accounts.get_organization(SLUG), False
    except NotFound:
        org = accounts.create_organization(None, slug=SLUG, name="Demo Company", owner_email=OWNER)
        return org, True


def _address(first: str, last: str) -> str:
    # ASCII local parts: every backend can deliver them (no SMTPUTF8 needed).
    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "") + "@example.com"


def _audience_and_template(org: Organization) -> None:
    accounts.update_organization(
        org,
        None,
        {
            "default_from_email": SENDER,
            "default_from_name": "Demo Company",
            "postal_address": "1 Example Street, 75001 Paris",
        },
    )
    group = contacts.create_group(None, name=GROUP, description="People who asked for news")
    ids = [
        contacts.create_contact(
            None,
            {
                "email": _address(first, last),
                "first_name": first,
                "last_name": last,
            },
            source="demo",
        ).id
        for first, last in _PEOPLE
    ]
    contacts.add_to_group(None, group.id, contact_ids=ids)
    templates.create_template(None, {"name": "Monthly newsletter", "starter": "newsletter"})


def seed_demo() -> DemoCredentials:
    """Create the demo organization when missing; issue fresh owner credentials."""
    org, created = _organization()
    password = secrets.token_urlsafe(12)
    owner = db.session.scalars(sa.select(User).where(User.email == OWNER)).one()
    set_password(owner, password)
    with tenant_context(org.id):
        if created:
            _audience_and_template(org)
        for key in accounts.list_api_keys(None, limit=200).items:
            if key.name == KEY_NAME:
                accounts.revoke_api_key(None, key.id)
        _key, token = accounts.create_api_key(None, name=KEY_NAME, role=Role.OWNER.value)
    return DemoCredentials(org.slug, OWNER, password, token)
