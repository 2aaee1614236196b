"""Verification against a real DNS server on loopback: each record, each failure mode."""

from __future__ import annotations

import pytest
from blinker import ANY

from blueprints.domains.signals import domain_status_changed
from tests.domains.conftest import SENDGRID_TARGETS, publish, record


def test_all_records_correct_verifies_an_smtp_domain(zone, add_domain, verify):
    domain = add_domain("example.com", "smtp")
    assert domain.status == "pending"
    assert [(r["purpose"], r["type"], r["name"]) for r in domain.records] == [
        ("ownership", "TXT", "_engagex.example.com"),
        ("spf", "TXT", "example.com"),
        ("dkim", "TXT", f"{domain.dkim_selector}._domainkey.example.com"),
        ("dmarc", "TXT", "_dmarc.example.com"),
    ]
    assert {r["status"] for r in domain.records} == {"pending"}
    publish(zone, domain)
    seen = []
    with domain_status_changed.connected_to(lambda sender, **kw: seen.append(kw), ANY):
        domain = verify(domain)
    assert domain.status == "verified", domain.records
    assert all(r["status"] == "verified" for r in domain.records)
    assert domain.verified_at is not None and domain.last_checked_at is not None
    assert "1 of 10 DNS lookups" in record(domain, "spf")["detail"]
    assert seen and seen[0]["old_status"] == "pending" and seen[0]["new_status"] == "verified"
    assert seen[0]["organization_id"] == domain.organization_id


def test_all_records_correct_verifies_a_sendgrid_domain(zone, add_domain, verify):
    domain = add_domain("news.example.org", "sendgrid")
    cnames = [r for r in domain.records if r["type"] == "CNAME"]
    assert [(r["name"], r["value"]) for r in cnames] == [
        ("s1._domainkey.news.example.org", SENDGRID_TARGETS[0]),
        ("s2._domainkey.news.example.org", SENDGRID_TARGETS[1]),
    ]
    assert record(domain, "spf")["value"] == "v=spf1 include:sendgrid.net ~all"
    assert domain.dkim_private_key is None
    publish(zone, domain)
    # CNAME targets compare ignoring case and the trailing dot.
    zone.cname("s1._domainkey.news.example.org", SENDGRID_TARGETS[0].upper() + ".")
    assert verify(domain).status == "verified", domain.records


def test_missing_token_fails_with_what_was_expected_where(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain, ownership=True)
    domain = verify(domain)
    assert domain.status == "failed"
    ownership = record(domain, "ownership")
    assert ownership["status"] == "failed"
    assert ownership["detail"] == (
        f'expected TXT "engagex-verification={domain.verification_token}" at '
        "_engagex.example.com, found nothing (NXDOMAIN: the name does not exist)"
    )
    assert {r["status"] for r in domain.records if r["purpose"] != "ownership"} == {"verified"}


def test_wrong_token_shows_what_was_found(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("_engagex.example.com", "engagex-verification=0123", "other=1")
    detail = record(verify(domain), "ownership")["detail"]
    assert detail.endswith('found "engagex-verification=0123", "other=1"')


def test_two_spf_records_fail(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("example.com", record(domain, "spf")["value"], "v=spf1 include:_spf.google.com ~all")
    domain = verify(domain)
    spf = record(domain, "spf")
    assert domain.status == "failed" and spf["status"] == "failed"
    assert spf["detail"].startswith("expected exactly one SPF record at example.com, found 2:")
    assert "merge them into one that contains include:spf.relay.example.net" in spf["detail"]


def _include_chain(zone, count: int) -> None:
    """``include:l1.example.net`` whose tree needs ``count`` lookups in all."""
    for i in range(1, count):
        zone.txt(f"l{i}.example.net", f"v=spf1 include:l{i + 1}.example.net ~all")
    zone.txt(f"l{count}.example.net", "v=spf1 ip4:198.51.100.0/24 ~all")


def test_eleven_nested_lookups_fail(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    # include:spf.relay.example.net (1) + include:l1..l10 (10) = 11 lookups.
    _include_chain(zone, 10)
    zone.txt("example.com", "v=spf1 include:spf.relay.example.net include:l1.example.net ~all")
    spf = record(verify(domain), "spf")
    assert spf["status"] == "failed"
    assert "needs 11 DNS lookups" in spf["detail"]
    assert "include:l1.example.net → include:l2.example.net" in spf["detail"]
    assert "receivers stop at 10" in spf["detail"]


def test_ten_lookups_are_still_fine(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    _include_chain(zone, 9)
    zone.txt("example.com", "v=spf1 include:spf.relay.example.net include:l1.example.net ~all")
    spf = record(verify(domain), "spf")
    assert spf["status"] == "verified", spf
    assert "10 of 10 DNS lookups" in spf["detail"]


def test_plus_all_fails_even_in_an_include(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("example.com", "v=spf1 include:spf.relay.example.net +all")
    spf = record(verify(domain), "spf")
    assert spf["status"] == "failed" and "'+all'" in spf["detail"]
    zone.txt("example.com", "v=spf1 include:spf.relay.example.net include:open.example.net -all")
    zone.txt("open.example.net", "v=spf1 all")
    spf = record(verify(domain), "spf")
    assert spf["status"] == "failed"
    assert "the SPF record of open.example.net" in spf["detail"] and "'all'" in spf["detail"]


def test_spf_without_the_providers_include_says_what_to_add(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("example.com", "v=spf1 mx ~all")
    spf = record(verify(domain), "spf")
    assert spf["status"] == "failed"
    assert spf["detail"] == (
        "expected the SPF record at example.com to contain include:spf.relay.example.net, "
        'found "v=spf1 mx ~all"; add include:spf.relay.example.net before the final '
        "'all' term"
    )


def test_spf_include_nested_in_an_own_include_counts(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("example.com", "v=spf1 include:_spf.example.com -all")
    zone.txt("_spf.example.com", "v=spf1 include:spf.relay.example.net ~all")
    assert record(verify(domain), "spf")["status"] == "verified"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("v=spf1 include: ~all", "needs a domain"),
        ("v=spf1 ip4:300.1.1.1 include:spf.relay.example.net ~all", "not a valid ip4"),
        ("v=spf1 include:spf.relay.example.net foo ~all", "unknown term 'foo'"),
        ("v=spf1 redirect=a.example.net redirect=b.example.net", "only once"),
    ],
)
def test_spf_syntax_errors(zone, add_domain, verify, value, fragment):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("example.com", value)
    spf = record(verify(domain), "spf")
    assert spf["status"] == "failed"
    assert "the SPF record is invalid" in spf["detail"] and fragment in spf["detail"]


def test_include_of_a_domain_without_spf_fails(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("example.com", "v=spf1 include:spf.relay.example.net include:gone.example.net ~all")
    spf = record(verify(domain), "spf")
    assert spf["status"] == "failed"
    assert (
        "'include:gone.example.net' points to gone.example.net, which has no SPF record"
        in (spf["detail"])
    )


def test_missing_dmarc_fails(zone, add_domain, verify):
    domain = add_domain("mail.example.com")
    publish(zone, domain, dmarc=True)
    dmarc = record(verify(domain), "dmarc")
    assert dmarc["status"] == "failed"
    assert dmarc["detail"].startswith(
        'expected TXT "v=DMARC1; p=none; adkim=r; aspf=r" at _dmarc.mail.example.com, found nothing'
    )


def test_dmarc_falls_back_to_the_organizational_domain(zone, add_domain, verify):
    domain = add_domain("mail.example.com")
    publish(zone, domain, dmarc=True)
    zone.txt("_dmarc.example.com", "v=DMARC1; p=quarantine; rua=mailto:d@example.com")
    domain = verify(domain)
    dmarc = record(domain, "dmarc")
    assert domain.status == "verified", dmarc
    assert "at _dmarc.example.com (the organizational domain's record" in dmarc["detail"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (
            "v=DMARC1; rua=mailto:d@example.com",
            "the 'p=' tag (none, quarantine or reject) is missing",
        ),
        ("p=none; v=DMARC1", "must start with 'v=DMARC1'"),
        ("v=DMARC1; p=block", "'p=block' must be none, quarantine or reject"),
    ],
)
def test_bad_dmarc_records_fail(zone, add_domain, verify, value, fragment):
    domain = add_domain()
    publish(zone, domain)
    zone.txt("_dmarc.example.com", value)
    dmarc = record(verify(domain), "dmarc")
    assert dmarc["status"] == "failed"
    assert f'found "{value}"' in dmarc["detail"] and fragment in dmarc["detail"]


def test_wrong_dkim_target_fails(zone, add_domain, verify):
    domain = add_domain("example.org", "sendgrid")
    publish(zone, domain)
    zone.cname("s2._domainkey.example.org", "s2.domainkey.u1.wl1.sendgrid.net.")
    domain = verify(domain)
    s2 = next(r for r in domain.records if r["name"] == "s2._domainkey.example.org")
    assert domain.status == "failed" and s2["status"] == "failed"
    assert s2["detail"] == (
        f"expected CNAME {SENDGRID_TARGETS[1]} at s2._domainkey.example.org, "
        "found s2.domainkey.u1.wl1.sendgrid.net"
    )


def test_wrong_dkim_key_fails(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.txt(record(domain, "dkim")["name"], "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A")
    dkim = record(verify(domain), "dkim")
    assert dkim["status"] == "failed" and "found a different key" in dkim["detail"]


def test_timeout_leaves_the_domain_pending(zone, add_domain, verify, app, monkeypatch):
    monkeypatch.setitem(app.config, "ENGAGEX_DNS_TIMEOUT", 1.5)
    domain = add_domain()
    publish(zone, domain)
    zone.fail("_engagex.example.com", "timeout")
    domain = verify(domain)
    ownership = record(domain, "ownership")
    assert domain.status == "pending" and domain.verified_at is None
    assert ownership["status"] == "pending"
    assert "the DNS query timed out" in ownership["detail"]
    assert {r["status"] for r in domain.records if r["purpose"] != "ownership"} == {"verified"}


def test_servfail_leaves_the_domain_pending(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    zone.fail("example.com", "servfail")
    domain = verify(domain)
    assert domain.status == "pending"
    assert "SERVFAIL" in record(domain, "spf")["detail"]


def test_unanswered_queries_do_not_downgrade_a_verified_domain(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain)
    assert verify(domain).status == "verified"
    zone.fail("_dmarc.example.com", "servfail")
    domain = verify(domain)
    assert domain.status == "verified"
    assert record(domain, "dmarc")["status"] == "pending"


def test_a_definite_failure_wins_over_an_unanswered_query(zone, add_domain, verify):
    domain = add_domain()
    publish(zone, domain, ownership=True)
    zone.fail("_dmarc.example.com", "servfail")
    assert verify(domain).status == "failed"
