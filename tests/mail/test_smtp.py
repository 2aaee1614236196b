"""The SMTP backend against a real aiosmtpd server on loopback."""

from __future__ import annotations

import email
import email.policy
import smtplib
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engagex import mail, metrics
from engagex.mail import Message, Personalization
from engagex.mail.smtp import SmtpBackend
from tests.mail.smtp_server import SmtpServer, free_port, self_signed, server_tls_context


def msg(to: str = "ana@example.com", **fields: object) -> Message:
    values: dict[str, object] = {
        "to_email": to,
        "from_email": "news@example.org",
        "subject": "Hello",
        "html": "<p>Hello</p>",
        "text": "Hello",
    }
    values.update(fields)
    return Message(**values)  # type: ignore[arg-type]


def many(n: int, start: int = 0) -> list[Message]:
    return [msg(f"user{i}@example.com", subject=f"Message {i}") for i in range(start, start + n)]


@pytest.fixture(params=[False, True], ids=["classic", "pipelining"])
def server(request: pytest.FixtureRequest) -> Iterator[SmtpServer]:
    with SmtpServer(pipelining=request.param) as srv:
        yield srv


@pytest.fixture
def backend(server: SmtpServer) -> Iterator[SmtpBackend]:
    b = SmtpBackend(server.host, server.port, starttls=False)
    yield b
    b.close()


def subjects(server: SmtpServer) -> list[str]:
    return [
        email.message_from_bytes(r.data, policy=email.policy.default)["Subject"]
        for r in server.received
    ]


def test_one_connection_is_reused_across_sends(server: SmtpServer, backend: SmtpBackend) -> None:
    first = backend.send(many(5))
    second = backend.send(many(5, start=5))
    assert all(r.ok and r.code == 250 for r in first + second)
    assert subjects(server) == [f"Message {i}" for i in range(10)]
    assert [r.rcpt_tos for r in server.received] == [[f"user{i}@example.com"] for i in range(10)]
    assert server.connections == 1
    assert backend.connections_opened == 1
    assert first[0].provider_id == "2.0.0 Ok: queued as Q1"


def test_pipelining_needs_one_write_per_message(monkeypatch: pytest.MonkeyPatch) -> None:
    writes = 0
    original = smtplib.SMTP.send

    def counting(self: smtplib.SMTP, data: bytes | str) -> None:
        nonlocal writes
        writes += 1
        original(self, data)

    with SmtpServer(pipelining=True) as server:
        backend = SmtpBackend(server.host, server.port, starttls=False)
        backend.send(many(1))  # connect and EHLO outside the count
        monkeypatch.setattr(smtplib.SMTP, "send", counting)
        results = backend.send(many(20))
        used = writes
        backend.close()
    assert all(r.ok for r in results)
    assert used == 21  # the first envelope, then data + next envelope per message


def test_550_is_permanent_451_temporary_and_the_rest_still_go(
    server: SmtpServer, backend: SmtpBackend
) -> None:
    server.handler.rules["gone@example.com"] = "550 5.1.1 <gone@example.com>: user unknown"
    server.handler.rules["busy@example.com"] = "451 4.3.0 try again later"
    batch = [*many(2), msg("gone@example.com"), *many(2, 2), msg("busy@example.com"), *many(2, 4)]
    results = backend.send(batch)
    assert [(r.ok, r.permanent, r.code) for r in results] == [
        (True, False, 250),
        (True, False, 250),
        (False, True, 550),
        (True, False, 250),
        (True, False, 250),
        (False, False, 451),
        (True, False, 250),
        (True, False, 250),
    ]
    assert results[2].error == "RCPT TO: 550 5.1.1 <gone@example.com>: user unknown"
    assert subjects(server) == [f"Message {i}" for i in range(6)]
    assert server.connections == 1  # RSET recovered the transaction, no reconnect


def test_server_dropping_the_connection_mid_batch_loses_nothing(
    server: SmtpServer, backend: SmtpBackend
) -> None:
    server.handler.drop_at_mail.add(4)
    results = backend.send(many(8))
    assert all(r.ok for r in results)
    assert subjects(server) == [f"Message {i}" for i in range(8)]  # each exactly once
    assert server.connections == 2


def test_connection_closed_between_sends_is_replaced(
    server: SmtpServer, backend: SmtpBackend
) -> None:
    backend.send(many(2))
    server.drop_all()  # as an idle timeout on the server would
    results = backend.send(many(3, start=2))
    assert all(r.ok for r in results)
    assert subjects(server) == [f"Message {i}" for i in range(5)]
    assert server.connections == 2


def test_idle_connection_is_checked_with_noop(server: SmtpServer) -> None:
    now = [0.0]
    backend = SmtpBackend(
        server.host, server.port, starttls=False, health_check_after=5, clock=lambda: now[0]
    )
    backend.send(many(1))
    now[0] = 10.0  # idle past the health check: NOOP, still fine, reused
    backend.send(many(1, start=1))
    server.drop_all()
    now[0] = 20.0  # NOOP fails on the dropped connection: a new one, no failure
    results = backend.send(many(1, start=2))
    backend.close()
    assert results[0].ok
    assert server.connections == 2
    assert len(server.received) == 3


def test_threads_share_the_pool_without_sharing_a_connection(server: SmtpServer) -> None:
    backend = SmtpBackend(server.host, server.port, starttls=False, pool_size=3)
    results: list[bool] = []

    def worker(n: int) -> None:
        ok = [r.ok for r in backend.send(many(10, start=n * 10))]
        results.extend(ok)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    backend.close()
    assert results == [True] * 60
    assert sorted(subjects(server), key=lambda s: int(s.split()[1])) == [
        f"Message {i}" for i in range(60)
    ]
    assert server.connections <= 3


def test_rotation_after_max_messages_per_connection(server: SmtpServer) -> None:
    backend = SmtpBackend(server.host, server.port, starttls=False, max_messages_per_connection=3)
    results = backend.send(many(7))
    backend.close()
    assert all(r.ok for r in results)
    assert len(server.received) == 7
    assert server.connections == 3


def test_starttls_and_auth(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    client_tls = ssl.create_default_context(cafile=str(cert))
    with SmtpServer(tls_context=server_tls_context(cert, key), users={"app": "s3cret"}) as server:
        good = SmtpBackend(
            server.host, server.port, username="app", password="s3cret", tls_context=client_tls
        )
        assert all(r.ok for r in good.send(many(3)))
        good.close()
        assert len(server.received) == 3
        assert server.connections == 1

        wrong = SmtpBackend(
            server.host, server.port, username="app", password="nope", tls_context=client_tls
        )
        (refused,) = wrong.send(many(1))
        assert not refused.ok and not refused.permanent
        assert "refused the credentials of 'app'" in (refused.error or "")

        untrusted = SmtpBackend(server.host, server.port, username="app", password="s3cret")
        (unverified,) = untrusted.send(many(1))
        assert not unverified.ok and "CERTIFICATE_VERIFY_FAILED" in (unverified.error or "")
    assert len(server.received) == 3


def test_starttls_required_but_not_offered(server: SmtpServer) -> None:
    backend = SmtpBackend(server.host, server.port, starttls=True)
    (result,) = backend.send(many(1))
    assert not result.ok and "does not offer STARTTLS" in (result.error or "")
    assert server.received == []


def test_unreachable_server_is_a_temporary_failure() -> None:
    backend = SmtpBackend("127.0.0.1", free_port(), starttls=False, timeout=5)
    results = backend.send(many(2))
    assert [(r.ok, r.permanent) for r in results] == [(False, False), (False, False)]
    assert "cannot connect to SMTP server" in (results[0].error or "")


def test_utf8_local_part_goes_with_smtputf8() -> None:
    with SmtpServer(smtputf8=True) as server:
        backend = SmtpBackend(server.host, server.port, starttls=False)
        (result,) = backend.send([msg("jürgen@bücher.example", to_name="Jürgen")])
        backend.close()
    assert result.ok
    (received,) = server.received
    assert received.rcpt_tos == ["jürgen@xn--bcher-kva.example"]
    assert "SMTPUTF8" in received.mail_options
    parsed = email.message_from_string(received.data.decode("utf-8"), policy=email.policy.default)
    assert parsed["To"].addresses[0].username == "jürgen"


def test_utf8_local_part_is_refused_clearly_without_smtputf8() -> None:
    with SmtpServer(smtputf8=False) as server:
        backend = SmtpBackend(server.host, server.port, starttls=False)
        results = backend.send([msg("jürgen@example.com"), msg("ana@bücher.example")])
        backend.close()
    assert results[0].permanent and "SMTPUTF8" in (results[0].error or "")
    assert results[1].ok  # an IDN domain alone needs nothing: it is punycode
    assert [r.rcpt_tos for r in server.received] == [["ana@xn--bcher-kva.example"]]


def test_long_lines_arrive_intact(server: SmtpServer, backend: SmtpBackend) -> None:
    html = "<p>" + "A long paragraph on one line, as editors write HTML. " * 100 + "</p>"
    (result,) = backend.send([msg(html=html)])
    assert result.ok
    parsed = email.message_from_bytes(server.received[0].data, policy=email.policy.default)
    assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == html  # type: ignore[union-attr]


def test_invalid_address_fails_alone(server: SmtpServer, backend: SmtpBackend) -> None:
    results = backend.send([msg("not-an-address"), msg("ana@example.com")])
    assert results[0].permanent and "invalid address" in (results[0].error or "")
    assert results[1].ok


def test_raw_bytes_pass_through_the_signing_hook(server: SmtpServer, backend: SmtpBackend) -> None:
    seen: list[str] = []

    def signer(raw: bytes, message: Message) -> bytes:
        seen.append(message.message_id)
        return b"DKIM-Signature: v=1; d=example.org; b=test\r\n" + raw

    mail.register_signer(signer)
    try:
        (result,) = backend.send([msg()])
    finally:
        mail._signers.remove(signer)
    assert seen == [result.message_id]
    assert server.received[0].data.startswith(b"DKIM-Signature: v=1; d=example.org; b=test\r\n")


def test_send_batch_expands_each_recipient(server: SmtpServer, backend: SmtpBackend) -> None:
    template = msg("", subject="Hi -name-", text="Dear -name-", html="<p>Dear -name-</p>")
    people = [
        Personalization(f"p{i}@example.com", substitutions={"-name-": f"P{i}"}) for i in range(3)
    ]
    results = backend.send_batch(template, people)
    assert all(r.ok for r in results)
    assert subjects(server) == ["Hi P0", "Hi P1", "Hi P2"]


def test_results_are_counted_by_backend_and_result(
    server: SmtpServer, backend: SmtpBackend
) -> None:
    def value(result: str) -> float:
        return metrics.EMAILS_SENT.labels(backend="smtp", result=result)._value.get()

    before = {k: value(k) for k in ("sent", "failed_permanent", "failed_temporary")}
    server.handler.rules["gone@example.com"] = "550 5.1.1 user unknown"
    server.handler.rules["busy@example.com"] = "452 4.2.2 mailbox full"
    backend.send([*many(2), msg("gone@example.com"), msg("busy@example.com")])
    assert value("sent") - before["sent"] == 2
    assert value("failed_permanent") - before["failed_permanent"] == 1
    assert value("failed_temporary") - before["failed_temporary"] == 1


def test_from_config() -> None:
    backend = SmtpBackend.from_config(
        {"SMTP_HOST": "mail.example.org", "SMTP_PORT": "2525", "SMTP_STARTTLS": "0"}
    )
    assert (backend.host, backend.port, backend.starttls) == ("mail.example.org", 2525, False)
    assert SmtpBackend.from_config({"SMTP_HOST": "h", "SMTP_PORT": 465}).implicit_tls
    with pytest.raises(ValueError, match="SMTP_HOST"):
        SmtpBackend.from_config({"SMTP_HOST": None})
