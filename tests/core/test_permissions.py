"""The role -> permission matrix: data, documentation and checks agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from engagex.permissions import (
    MATRIX,
    Actor,
    PermissionDenied,
    Role,
    matrix_markdown,
    permissions_of,
    require,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_docs_show_the_matrix_exactly():
    assert matrix_markdown() in DOC.read_text(), "run: engagex roles --markdown"


def test_owner_holds_everything_and_roles_narrow_down():
    assert permissions_of(Role.OWNER) == frozenset(MATRIX)
    assert permissions_of(Role.ADMIN) < permissions_of(Role.OWNER)
    assert "campaigns:send" not in permissions_of(Role.ANALYST)
    assert "campaigns:send" not in permissions_of(Role.EDITOR)
    assert "templates:write" in permissions_of(Role.EDITOR)
    assert all(p.endswith(":read") for p in permissions_of(Role.ANALYST) - {"contacts:export"})


def test_require_checks_the_actor_role():
    analyst = Actor(kind="user", role=Role.ANALYST, user_id=1, organization_id=1)
    require(analyst, "campaigns:read")
    with pytest.raises(PermissionDenied):
        require(analyst, "campaigns:send")
    require(None, "billing:manage")  # system work
    require(Actor.system(), "billing:manage")
    with pytest.raises(KeyError):
        require(analyst, "no:such")
