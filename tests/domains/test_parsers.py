"""SPF and DMARC syntax, settings fallbacks, name-server parsing (no database)."""

from __future__ import annotations

import pytest

from blueprints.domains import dmarc, settings, spf
from blueprints.domains.resolver import parse_nameserver


@pytest.mark.parametrize(
    "record",
    [
        "v=spf1 -all",
        "V=SPF1 include:_spf.google.com ~all",
        "v=spf1 a mx/24 a:mail.example.com/28//64 ptr ip4:192.0.2.1 ip6:2001:db8::/32 ?all",
        "v=spf1 exists:%{i}._spf.example.com redirect=_spf.example.com",
        "v=spf1 include:example.com exp=explain.example.com unknown-mod=whatever -all",
    ],
)
def test_valid_spf(record):
    spf.parse(record)


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        ("spf1 -all", "must start with 'v=spf1'"),
        ("v=spf1 include:example -all", "does not name a valid domain"),
        ("v=spf1 all:example.com", "takes no argument"),
        ("v=spf1 ip4:2001:db8::1 -all", "not an IPv4"),
        ("v=spf1 ip4:192.0.2.300 -all", "not a valid ip4"),
        ("v=spf1 ip6:192.0.2.1 -all", "not an IPv6"),
        ("v=spf1 ptr/24", "no prefix length"),
        ("v=spf1 mx/abc", "bad prefix length"),
        ("v=spf1 exists:%{z}.example.com", "malformed macro"),
        ("v=spf1 exp=a.example.com exp=b.example.com", "only once"),
    ],
)
def test_invalid_spf(record, fragment):
    with pytest.raises(spf.SpfSyntaxError, match=fragment):
        spf.parse(record)


def test_is_spf():
    assert spf.is_spf("v=spf1 -all") and spf.is_spf("v=spf1") and spf.is_spf("V=SPF1 mx")
    assert not spf.is_spf("v=spf10 -all") and not spf.is_spf("google-site-verification=x")


def test_dmarc_parse():
    assert (
        dmarc.parse("v=DMARC1; p=reject; pct=50; rua=mailto:a@example.com,mailto:b@x.org;")["pct"]
        == "50"
    )
    for record, fragment in [
        ("v=DMARC1", "'p=' tag"),
        ("v=DMARC1; p=none; pct=150", "from 0 to 100"),
        ("v=DMARC1; p=none; adkim=x", "r or s"),
        ("v=DMARC1; p=none; rua=a@example.com", "not a mailto"),
        ("v=DMARC1; p=none; p=reject", "appears twice"),
        ("v=DMARC1 p=none", "must start with"),
        ("v=DMARC1; junk", "not a tag=value"),
    ]:
        with pytest.raises(dmarc.DmarcSyntaxError, match=fragment):
            dmarc.parse(record)


def test_dmarc_tree_walk_stops_before_the_tld():
    assert dmarc.candidate_names("a.b.example.com") == [
        "_dmarc.a.b.example.com",
        "_dmarc.b.example.com",
        "_dmarc.example.com",
    ]
    assert dmarc.candidate_names("example.com") == ["_dmarc.example.com"]


def test_spf_mechanism_fallbacks(app, monkeypatch):
    with app.app_context():
        monkeypatch.setitem(app.config, "ENGAGEX_SPF_INCLUDE_SMTP", None)
        monkeypatch.setitem(app.config, "SMTP_HOST", "Relay.Example.net.")
        assert str(settings.spf_mechanism("smtp")) == "a:relay.example.net"
        monkeypatch.setitem(app.config, "SMTP_HOST", None)
        monkeypatch.setitem(app.config, "ENGAGEX_BASE_URL", "http://127.0.0.1:5000")
        assert str(settings.spf_mechanism("smtp")) == "ip4:127.0.0.1"
        monkeypatch.setitem(app.config, "ENGAGEX_BASE_URL", "https://[2001:db8::5]/")
        assert str(settings.spf_mechanism("smtp")) == "ip6:2001:db8::5"
        monkeypatch.setitem(app.config, "ENGAGEX_SPF_INCLUDE_SMTP", "mailgun.org")
        assert str(settings.spf_mechanism("smtp")) == "include:mailgun.org"
        monkeypatch.setitem(app.config, "ENGAGEX_SPF_INCLUDE_SENDGRID", None)
        assert str(settings.spf_mechanism("sendgrid")) == "include:sendgrid.net"
        monkeypatch.setitem(app.config, "ENGAGEX_DKIM_SENDGRID_TARGETS", "s1.{domain}.sg.net")
        with pytest.raises(ValueError, match="exactly two"):
            settings.sendgrid_dkim_targets("example.com")
        monkeypatch.setitem(
            app.config,
            "ENGAGEX_DKIM_SENDGRID_TARGETS",
            ["S1.{domain}.sg.net.", "s2.{domain}.sg.net"],
        )
        assert settings.sendgrid_dkim_targets("example.com") == (
            "s1.example.com.sg.net",
            "s2.example.com.sg.net",
        )


def test_parse_nameserver():
    assert (
        parse_nameserver("127.0.0.1:5353").address,
        parse_nameserver("127.0.0.1:5353").port,
    ) == (
        "127.0.0.1",
        5353,
    )
    assert parse_nameserver("192.0.2.53").port == 53
    assert parse_nameserver("[::1]:5300").address == "::1"
    assert parse_nameserver("[::1]:5300").port == 5300
    assert parse_nameserver("2001:db8::53").port == 53
