"""The sending gate: only verified domains of the sender's own organization pass."""

from __future__ import annotations

import json

import pytest
from blinker import ANY
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.domains.services import assert_sender_allowed, is_sender_allowed
from blueprints.domains.signals import domain_status_changed
from cli import cli
from engagex.errors import ValidationFailed
from tests.domains.conftest import publish
from tests.factories import make_org


def refused(org, email: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        assert_sender_allowed(org, email)
    assert caught.value.status == 422
    return caught.value


def test_unknown_pending_and_failed_domains_are_refused_with_a_clear_message(
    zone, org, add_domain, verify
):
    error = refused(org, "news@nowhere.example")
    assert error.code == "sender_domain_unverified"
    assert error.message == (
        "cannot send from news@nowhere.example: nowhere.example is not a sending domain of "
        "this organization; add it, publish its DNS records and verify it"
    )
    assert error.details == {
        "from_email": "news@nowhere.example",
        "domain": "nowhere.example",
        "domain_status": "absent",
    }
    domain = add_domain("acme.example")
    assert "is not verified yet" in refused(org.id, "news@Acme.Example").message
    verify(domain)  # nothing published
    error = refused(org, "news@acme.example")
    assert "failed DNS verification" in error.message
    assert error.details["domain_status"] == "failed"


def test_a_verified_domain_passes_and_only_for_its_organization(zone, org, add_domain, verify):
    domain = add_domain("acme.example")
    publish(zone, domain)
    assert verify(domain).status == "verified"
    assert_sender_allowed(org, "news@acme.example")
    assert_sender_allowed(org.id, "News@ACME.example")
    assert is_sender_allowed(org, "news@acme.example")
    other = make_org()
    assert refused(other, "news@acme.example").details["domain_status"] == "absent"
    assert not is_sender_allowed(other, "news@acme.example")
    # A subdomain is a different sender domain.
    assert refused(org, "news@mail.acme.example").details["domain"] == "mail.acme.example"


def test_malformed_sender_is_invalid(zone, org):
    for email in ("no-at-sign", "a@", "a@localhost", "a@exa mple.com"):
        with pytest.raises(ValidationFailed) as caught:
            assert_sender_allowed(org, email)
        assert caught.value.code == "invalid_sender", email


def test_allow_unverified_senders_opens_the_gate(zone, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "ENGAGEX_ALLOW_UNVERIFIED_SENDERS", True)
    assert_sender_allowed(org, "news@anything.example")
    with pytest.raises(ValidationFailed):
        assert_sender_allowed(org, "not an address")


def test_removal_after_verification_downgrades_and_closes_the_gate(
    app, zone, org, add_domain, verify
):
    domain = add_domain("acme.example")
    publish(zone, domain)
    assert verify(domain).status == "verified"
    assert_sender_allowed(org, "news@acme.example")

    zone.txt("acme.example")  # the SPF record disappears
    events = []
    with domain_status_changed.connected_to(lambda sender, **kw: events.append(kw), ANY):
        result = CliRunner().invoke(
            cli, ["domains", "recheck-all", "--json"], obj=ScriptInfo(create_app=lambda: app)
        )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    change = next(c for c in report["changes"] if c["id"] == domain.id)
    assert change == {
        "id": domain.id,
        "organization_id": org.id,
        "name": "acme.example",
        "old_status": "verified",
        "status": "failed",
    }
    mine = [e for e in events if e["domain_id"] == domain.id]
    assert len(mine) == 1 and mine[0]["old_status"] == "verified"
    assert mine[0]["new_status"] == "failed" and mine[0]["organization_id"] == org.id
    spf = next(r for r in mine[0]["records"] if r["purpose"] == "spf")
    assert spf["status"] == "failed" and "found no SPF record" in spf["detail"]

    error = refused(org, "news@acme.example")
    assert error.details["domain_status"] == "failed"

    # Records back: the next daily run verifies the domain again.
    publish(zone, domain)
    result = CliRunner().invoke(
        cli,
        ["domains", "recheck-all", "--org", org.slug],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 0, result.output
    assert "acme.example" in result.stdout and "failed -> verified" in result.stdout
    assert_sender_allowed(org, "news@acme.example")


def test_a_domain_verified_by_one_organization_cannot_be_claimed_by_another(
    zone, org, add_domain, verify
):
    other = make_org()
    claim = add_domain("shared.example", in_org=other)  # claimed first, never verified
    mine = add_domain("shared.example")
    publish(zone, mine)
    assert verify(mine).status == "verified"

    publish(zone, claim)  # even with its own token published
    claim = verify(claim)
    ownership = next(r for r in claim.records if r["purpose"] == "ownership")
    assert claim.status == "failed"
    assert ownership["detail"].startswith(
        "shared.example is already verified by another organization"
    )
    third = make_org()
    from blueprints.domains import services
    from engagex.errors import Conflict
    from engagex.tenancy import tenant_context

    with tenant_context(third.id), pytest.raises(Conflict) as caught:
        services.create_domain(None, name="shared.example")
    assert caught.value.code == "domain_taken"
