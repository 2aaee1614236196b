"""Builders of test data through the real services."""

from __future__ import annotations

import uuid

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Membership, Organization
from engagex.db import db
from engagex.tenancy import tenant_context


def make_org(slug: str | None = None, owner: str | None = None) -> Organization:
    slug = slug or f"org-{uuid.uuid4().hex[:8]}"
    org = accounts.create_organization(
        None, slug=slug, name=slug.title(), owner_email=owner or f"owner@{slug}.example.com"
    )
    db.session.commit()
    return org


def add_member(org: Organization, email: str, role: str = "analyst") -> Membership:
    with tenant_context(org.id):
        user = accounts.get_or_create_user(email)
        member = Membership(user_id=user.id, role=role)
        db.session.add(member)
        db.session.commit()
        db.session.refresh(member)  # load it while the tenant context allows it
        return member


def make_key(org: Organization, role: str = "admin") -> str:
    with tenant_context(org.id):
        _key, token = accounts.create_api_key(None, name=f"{role} key", role=role)
        db.session.commit()
    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
