"""Fixtures of the contacts tests: an organization with its tenant context, file paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from blueprints.accounts.models import Organization
from engagex.tenancy import tenant_context
from tests.factories import make_org

FILES = Path(__file__).parent / "files"


@pytest.fixture
def org(session) -> Iterator[Organization]:
    """An organization whose tenant context is open for the whole test."""
    organization = make_org()
    with tenant_context(organization.id):
        yield organization
