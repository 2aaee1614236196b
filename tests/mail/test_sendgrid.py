"""The SendGrid backend against the in-repo fake of /v3/mail/send."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from engagex.mail import Message, Personalization, expand
from engagex.mail.sendgrid import SendGridBackend
from tests.mail.smtp_server import free_port
from tests.support.sendgrid_fake import Reply, SendGridFake

KEY = "SG.test-key"
NOW = 1_800_000_000.0


def msg(to: str = "ana@example.com", **fields: object) -> Message:
    values: dict[str, object] = {
        "to_email": to,
        "from_email": "news@example.org",
        "from_name": "Example News",
        "subject": "Hello",
        "html": "<p>Hello</p>",
        "text": "Hello",
    }
    values.update(fields)
    return Message(**values)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> Iterator[SendGridFake]:
    with SendGridFake(api_key=KEY) as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def backend(fake: SendGridFake, sleeps: list[float]) -> Iterator[SendGridBackend]:
    b = SendGridBackend(KEY, fake.url, sleep=sleeps.append, clock=lambda: NOW)
    yield b
    b.close()


def test_request_shape_and_custom_args_without_addresses(
    fake: SendGridFake, backend: SendGridBackend
) -> None:
    message = msg(
        to_name="Ana Lima",
        reply_to="help@example.org",
        category="campaign",
        headers={"List-Unsubscribe": "<https://app.example/u/t1>"},
        metadata={
            "organization_id": 7,  # type: ignore[dict-item]
            "campaign_id": "42",
            "recipient_id": "1001",
            "contact": "ana@example.com",  # must never reach the provider
        },
    )
    (result,) = backend.send([message])
    assert result.ok and result.code == 202
    assert fake.attempts[0].authorization == f"Bearer {KEY}"
    (body,) = fake.requests
    assert body["from"] == {"email": "news@example.org", "name": "Example News"}
    assert body["reply_to"] == {"email": "help@example.org"}
    assert body["content"] == [
        {"type": "text/plain", "value": "Hello"},
        {"type": "text/html", "value": "<p>Hello</p>"},
    ]
    assert body["categories"] == ["campaign"]
    assert body["tracking_settings"]["click_tracking"]["enable"] is False
    (p,) = body["personalizations"]
    assert p["to"] == [{"email": "ana@example.com", "name": "Ana Lima"}]
    assert p["headers"] == {
        "List-Unsubscribe": "<https://app.example/u/t1>",
        "Message-ID": result.message_id,
    }
    assert p["custom_args"] == {"organization_id": "7", "campaign_id": "42", "recipient_id": "1001"}
    assert "@" not in json.dumps(p["custom_args"])
    assert result.provider_id == fake.deliveries[0]["x_message_id"]


def test_idn_domain_is_sent_as_punycode_and_utf8_local_part_refused(
    fake: SendGridFake, backend: SendGridBackend
) -> None:
    ok, refused = backend.send([msg("ana@bücher.example"), msg("jürgen@example.com")])
    assert ok.ok
    assert fake.recipients() == ["ana@xn--bcher-kva.example"]
    assert refused.permanent and "SMTPUTF8" in (refused.error or "")


def test_same_content_shares_a_request_and_different_content_does_not(
    fake: SendGridFake, backend: SendGridBackend
) -> None:
    batch = [msg(f"u{i}@example.com") for i in range(3)] + [msg("x@example.com", subject="Other")]
    results = backend.send(batch)
    assert all(r.ok for r in results)
    assert sorted(len(b["personalizations"]) for b in fake.requests) == [1, 3]
    assert len({r.message_id for r in results}) == 4


def test_send_batch_uses_up_to_1000_personalizations_per_request(
    fake: SendGridFake, backend: SendGridBackend
) -> None:
    template = msg(
        "",
        subject="Hi -first-",
        text="Dear -first-, bye: -unsub-",
        html="<p>Dear -first_html-</p><a href='-unsub-'>unsubscribe</a>",
        headers={"List-Id": "<news.example.org>"},
        metadata={"organization_id": "7", "campaign_id": "42"},
    )
    people = [
        Personalization(
            to_email=f"p{i}@example.com",
            substitutions={
                "-first-": f"Ana {i}",
                "-first_html-": f"Ana&nbsp;{i}",
                "-unsub-": f"https://app.example/u/{i}",
            },
            headers={"List-Unsubscribe": f"<https://app.example/u/{i}>"},
            metadata={"recipient_id": str(i)},
        )
        for i in range(2500)
    ]
    results = backend.send_batch(template, people)
    assert all(r.ok for r in results)
    assert sorted(len(b["personalizations"]) for b in fake.requests) == [500, 1000, 1000]
    assert fake.connections <= backend.concurrency
    by_to = {d["to"]: d for d in fake.deliveries}
    assert len(by_to) == 2500
    for i in (0, 999, 1000, 2499):
        expected = expand(template, people[i])
        got = by_to[f"p{i}@example.com"]
        # SendGrid's substitution gives exactly what the other backends render.
        assert (got["subject"], got["text"], got["html"]) == (
            expected.subject,
            expected.text,
            expected.html,
        )
        assert got["custom_args"] == {
            "organization_id": "7",
            "campaign_id": "42",
            "recipient_id": str(i),
        }
        assert got["headers"]["List-Unsubscribe"] == f"<https://app.example/u/{i}>"
        assert got["headers"]["List-Id"] == "<news.example.org>"
        assert got["headers"]["Message-ID"] == results[i].message_id


def test_keep_alive_one_connection_for_sequential_requests(fake: SendGridFake) -> None:
    backend = SendGridBackend(KEY, fake.url, concurrency=1)
    for i in range(5):
        assert backend.send([msg(f"u{i}@example.com", subject=f"S{i}")])[0].ok
    backend.close()
    assert len(fake.attempts) == 5
    assert fake.connections == 1
    assert backend.connections.opened == 1


def test_429_waits_until_the_reset_then_5xx_backs_off_then_202(
    fake: SendGridFake, backend: SendGridBackend, sleeps: list[float]
) -> None:
    fake.script(Reply.rate_limited(reset=NOW + 7), Reply(503))
    (result,) = backend.send([msg()])
    assert result.ok
    assert [a.status for a in fake.attempts] == [429, 503, 202]
    assert sleeps[0] == 7.0  # X-RateLimit-Reset honoured exactly
    assert 0 < sleeps[1] <= backend.backoff * 2
    assert fake.recipients() == ["ana@example.com"]  # delivered once


def test_retry_after_header_is_honoured(
    fake: SendGridFake, backend: SendGridBackend, sleeps: list[float]
) -> None:
    fake.script(Reply(503, {"Retry-After": "3"}))
    assert backend.send([msg()])[0].ok
    assert sleeps == [3.0]


def test_retries_are_bounded_and_end_as_temporary_failures(fake: SendGridFake) -> None:
    sleeps: list[float] = []
    backend = SendGridBackend(
        KEY, fake.url, max_attempts=3, max_wait=30, sleep=sleeps.append, clock=lambda: NOW
    )
    fake.script(*[Reply.rate_limited(reset=NOW + 3600)] * 3)
    (result,) = backend.send([msg()])
    assert not result.ok and not result.permanent
    assert result.code == 429 and result.retry_after == 30
    assert sleeps == [30, 30]  # capped by max_wait, not an hour
    assert fake.deliveries == []


def test_400_naming_a_recipient_fails_it_and_sends_the_rest(
    fake: SendGridFake, backend: SendGridBackend
) -> None:
    fake.reject["bad@example.com"] = "Does not contain a valid address."
    template = msg("", subject="Hi -n-", text="Hi -n-", html="<p>Hi -n-</p>")
    people = [
        Personalization(to, substitutions={"-n-": to})
        for to in ("a@example.com", "bad@example.com", "c@example.com")
    ]
    results = backend.send_batch(template, people)
    assert [(r.ok, r.permanent, r.code) for r in results] == [
        (True, False, 202),
        (False, True, 400),
        (True, False, 202),
    ]
    assert results[1].error == (
        "SendGrid refused: personalizations.1.to.0.email: Does not contain a valid address."
    )
    assert [a.status for a in fake.attempts] == [400, 202]
    assert fake.recipients() == ["a@example.com", "c@example.com"]


def test_400_about_the_whole_request_fails_every_message_permanently(
    fake: SendGridFake, backend: SendGridBackend
) -> None:
    results = backend.send(
        [
            msg("a@example.com", from_email="news@localhost"),
            msg("b@example.com", from_email="news@localhost"),
        ]
    )
    assert all(r.permanent and r.code == 400 for r in results)
    assert "from.email: Does not contain a valid address." in (results[0].error or "")


def test_wrong_api_key_is_a_temporary_failure_that_says_so(fake: SendGridFake) -> None:
    backend = SendGridBackend("SG.wrong", fake.url)
    (result,) = backend.send([msg()])
    assert not result.ok and not result.permanent and result.code == 401
    assert "API key" in (result.error or "")


def test_unreachable_api_is_retried_then_temporary() -> None:
    sleeps: list[float] = []
    backend = SendGridBackend(
        KEY, f"http://127.0.0.1:{free_port()}", max_attempts=3, sleep=sleeps.append
    )
    (result,) = backend.send([msg()])
    assert not result.ok and not result.permanent
    assert "cannot reach SendGrid" in (result.error or "")
    assert len(sleeps) == 2


def test_fake_enforces_the_documented_limits(fake: SendGridFake) -> None:
    import urllib.request

    body = {
        "personalizations": [{"to": [{"email": f"u{i}@example.com"}]} for i in range(1001)],
        "from": {"email": "news@example.org"},
        "subject": "s",
        "content": [{"type": "text/html", "value": "h"}, {"type": "text/plain", "value": "t"}],
        "custom_args": {"n": 1},
    }
    request = urllib.request.Request(
        f"{fake.url}/v3/mail/send",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 400
    fields = {e["field"] for e in json.loads(error.value.read())["errors"]}
    assert {"personalizations", "content.0.type", "custom_args.n"} <= fields


def test_from_config() -> None:
    backend = SendGridBackend.from_config(
        {"SENDGRID_API_KEY": KEY, "SENDGRID_API_HOST": "http://127.0.0.1:9"}
    )
    assert backend.host == "http://127.0.0.1:9"
    with pytest.raises(ValueError, match="SENDGRID_API_KEY"):
        SendGridBackend.from_config({"SENDGRID_API_KEY": None})
