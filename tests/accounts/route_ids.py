"""Real object ids of an organization for the URL-map tests (tests/test_route_matrix.py).

``ID_FACTORIES`` maps a URL variable name to a function that creates such an object in
the given organization (the tenant context is already open) and returns its id.
``REQUEST_BODIES`` gives, per ``(METHOD, rule)``, a body that would pass validation, so
that the cross-tenant check reaches the object lookup.
"""

from __future__ import annotations

import uuid

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Membership, Organization
from engagex.db import db


def member_id(org: Organization) -> int:
    user = accounts.get_or_create_user(f"member-{uuid.uuid4().hex[:8]}@example.com")
    member = Membership(user_id=user.id, role="editor")
    db.session.add(member)
    db.session.flush()
    return member.id


def key_id(org: Organization) -> int:
    key, _token = accounts.create_api_key(None, name="route ids", role="analyst")
    return key.id


def invitation_id(org: Organization) -> int:
    invitation, _token = accounts.create_invitation(
        None, email=f"invitee-{uuid.uuid4().hex[:8]}@example.com", role="editor"
    )
    return invitation.id


ID_FACTORIES = {
    "member_id": member_id,
    "key_id": key_id,
    "invitation_id": invitation_id,
    "org_id": lambda org: org.id,
}

REQUEST_BODIES = {
    ("PATCH", "/api/v1/members/<id:member_id>"): {"role": "analyst"},
}
