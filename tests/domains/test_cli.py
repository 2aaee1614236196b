"""``engagex domains`` as a new user runs it, against the loopback DNS server."""

from __future__ import annotations

import json
from pathlib import Path

import dkim
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from blueprints.domains.services import assert_sender_allowed
from cli import cli
from engagex import mail
from engagex.errors import ValidationFailed
from tests.domains.conftest import RELAY_SPF
from tests.domains.test_signing import dns_txt


def run(app, *args: str):
    return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_add_paste_verify_send_signed(app, zone, org, dns_server):
    added = run(app, "domains", "add", "acme.example", "--org", org.slug)
    assert added.exit_code == 0, added.output
    assert "_engagex.acme.example" in added.stdout and "v=spf1" in added.stdout
    assert "engagex domains verify acme.example --org" in added.stdout

    # Before the records exist: exit 1 and a diagnostic per record.
    failed = run(app, "domains", "verify", "acme.example", "--org", org.slug, "--json")
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["status"] == "failed"

    # Paste the printed records into the DNS server's zone file.
    zone_text = run(app, "domains", "records", "acme.example", "--org", org.slug, "--zone")
    assert zone_text.exit_code == 0
    lines = zone_text.stdout.splitlines()
    assert len(lines) == 4 and all(" 3600 IN " in line for line in lines)
    zone.load(zone_text.stdout + f'{RELAY_SPF}. 3600 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n')

    verified = run(app, "domains", "verify", "acme.example", "--org", org.slug)
    assert verified.exit_code == 0, verified.output
    assert "verified" in verified.stdout and "failed" not in verified.stdout

    listed = json.loads(run(app, "domains", "list", "--org", org.slug, "--json").stdout)
    assert [(d["name"], d["status"]) for d in listed] == [("acme.example", "verified")]

    # A message from the domain goes out DKIM-signed with the published key ...
    assert_sender_allowed(org, "news@acme.example")
    message = mail.Message(
        to_email="reader@example.net",
        from_email="news@acme.example",
        subject="Hi",
        html="<p>Hi</p>",
        text="Hi",
        organization_id=org.id,
        headers={
            "List-Unsubscribe": "<https://x.example/u/1>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    result = mail.send_now([message])[0]
    raw = (Path(app.config["ENGAGEX_OUTBOX_DIR"]) / result.provider_id).read_bytes()
    assert dkim.verify(raw, dnsfunc=dns_txt(dns_server))
    # ... and one from a domain that is not verified is refused with a clear message.
    with pytest.raises(ValidationFailed, match=r"other\.example is not a sending domain"):
        assert_sender_allowed(org, "news@other.example")


def test_records_table_and_json(app, zone, org):
    run(app, "domains", "add", "acme.example", "--org", org.slug, "--provider", "sendgrid")
    table = run(app, "domains", "records", "acme.example", "--org", org.slug)
    assert table.exit_code == 0 and "s1._domainkey.acme.example" in table.stdout
    rows = json.loads(
        run(app, "domains", "records", "acme.example", "--org", org.slug, "--json").stdout
    )
    assert {r["purpose"] for r in rows} == {"ownership", "spf", "dkim", "dmarc"}


def test_bad_input_is_one_line_and_nonzero(app, zone, org):
    run(app, "domains", "add", "acme.example", "--org", org.slug)
    for args, fragment in [
        (["domains", "add", "not a domain", "--org", org.slug], "is not a valid domain"),
        (["domains", "add", "acme.example", "--org", org.slug], "already a sending domain"),
        (["domains", "add", "x.example", "--org", "ghost"], "no organization"),
        (["domains", "verify", "missing.example", "--org", org.slug], "is not a sending domain"),
        (["domains", "add", "x.example", "--org", org.slug, "--provider", "mx"], "'mx' is not"),
    ]:
        result = run(app, *args)
        assert result.exit_code != 0, args
        assert result.stderr.count("\n") == 1 and fragment in result.stderr, result.stderr


def test_remove(app, zone, org):
    run(app, "domains", "add", "acme.example", "--org", org.slug)
    result = run(app, "domains", "remove", "ACME.example", "--org", org.slug)
    assert result.exit_code == 0 and result.stdout == "removed acme.example\n"
    assert json.loads(run(app, "domains", "list", "--org", org.slug, "--json").stdout) == []
