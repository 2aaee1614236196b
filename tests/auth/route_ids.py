"""Real object ids for the URL-map tests (see tests/accounts/route_ids.py)."""

from __future__ import annotations

import uuid

from blueprints.accounts import services as accounts
from blueprints.accounts.models import Membership, Organization
from blueprints.auth.services import sessions
from engagex.db import db


def session_id(org: Organization) -> int:
    """A session of a member of ``org``."""
    user = accounts.get_or_create_user(f"session-{uuid.uuid4().hex[:8]}@example.com")
    db.session.add(Membership(user_id=user.id, role="analyst"))
    db.session.flush()
    row, _token = sessions.create_session(user, method="password", organization_id=org.id)
    return row.id


ID_FACTORIES = {"session_id": session_id}
