"""The wire form of a message, checked with the standard library's parser."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import idna
import pytest

from engagex.mail import Message, Personalization, build_mime, expand, render
from engagex.mail.message import (
    AddressError,
    BatchRenderer,
    needs_smtputf8,
    substitute,
    wire_address,
)


def message(**fields: object) -> Message:
    values: dict[str, object] = {
        "to_email": "ana@example.com",
        "from_email": "news@example.org",
        "subject": "Hello",
        "html": "<p>Hello</p>",
        "text": "Hello",
    }
    values.update(fields)
    return Message(**values)  # type: ignore[arg-type]


def parse(raw: bytes) -> EmailMessage:
    # As a mailbox stores it: LF line ends. The bytes parser reads headers as ASCII,
    # so RFC 6532 (UTF-8) headers are parsed as text.
    text = raw.decode("utf-8").replace("\r\n", "\n")
    parsed = email.message_from_string(text, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_non_ascii_subject_names_and_idn_domains_round_trip() -> None:
    subject = "Grüße aus Köln — ein Betreff, lang genug, um gefaltet zu werden ✓ 日本語のテキスト"
    raw = render(
        message(
            to_email="ana@bücher.example",
            to_name="Müller, Jürgen",
            from_email="news@exämple.org",
            from_name='Zoë "Z" Ünal',
            subject=subject,
        )
    )
    assert raw.isascii()  # ASCII on the wire: encoded-words and punycode only
    assert all(len(line) <= 78 for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"))
    parsed = parse(raw)
    assert parsed["Subject"] == subject
    (to,) = parsed["To"].addresses
    assert to.display_name == "Müller, Jürgen"
    assert to.domain == "xn--bcher-kva.example"
    assert idna.decode(to.domain) == "bücher.example"
    (sender,) = parsed["From"].addresses
    assert sender.display_name == 'Zoë "Z" Ünal'
    assert sender.addr_spec == "news@xn--exmple-cua.org"
    # The Message-ID is on the sending domain, in its ASCII form.
    assert parsed["Message-ID"].endswith("@xn--exmple-cua.org>")


def test_multipart_alternative_with_text_first_and_headers() -> None:
    raw = render(
        message(
            text="Line one\n.\nÜmlaut and a very long line " + "x" * 200,
            html="<p>Ünïcode</p>\r\n<p>second</p>",
            reply_to="help@example.org",
            headers={
                "List-Unsubscribe": "<https://app.example/u/tok>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    )
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    parsed = parse(raw)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content() == "Line one\n.\nÜmlaut and a very long line " + "x" * 200
    assert parts[1].get_content() == "<p>Ünïcode</p>\n<p>second</p>"
    assert parsed["Reply-To"] == "help@example.org"
    assert parsed["List-Unsubscribe"] == "<https://app.example/u/tok>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["MIME-Version"] == "1.0"
    assert parsed["Date"].datetime is not None


def test_long_single_line_bodies_get_crlf_soft_breaks() -> None:
    html = "<div>" + "Ünïcode and a long line without any break. " * 200 + "</div>"
    raw = render(message(html=html, text="x" * 3000))
    assert raw.count(b"\n") == raw.count(b"\r\n")  # no bare LF anywhere
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    parsed = parse(raw)
    assert parsed.get_body(("html",)).get_content() == html  # type: ignore[union-attr]
    assert parsed.get_body(("plain",)).get_content() == "x" * 3000  # type: ignore[union-attr]


def test_single_part_when_there_is_only_text() -> None:
    parsed = parse(render(message(html="", text="just text")))
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content() == "just text\n"


def test_line_breaks_in_subject_and_names_cannot_add_headers() -> None:
    raw = render(message(subject="Hi\r\nBcc: victim@example.com", to_name="Eve\nX-Evil: 1"))
    parsed = parse(raw)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Hi Bcc: victim@example.com"


def test_caller_headers_are_checked() -> None:
    with pytest.raises(AddressError):
        render(message(headers={"X-Tag": "a\r\nBcc: x@example.com"}))
    with pytest.raises(AddressError):
        render(message(headers={"From": "someone@example.com"}))


def test_encoded_word_lookalike_in_a_name_is_quoted_not_decoded() -> None:
    parsed = parse(render(message(to_name="=?utf-8?b?QWRtaW4=?=")))
    assert parsed["To"].addresses[0].display_name == "=?utf-8?b?QWRtaW4=?="


def test_invalid_addresses_are_refused() -> None:
    for bad in ("no-at-sign", "a@", "@example.com", "a..b@example.com", "a@exa mple.com"):
        with pytest.raises(AddressError):
            wire_address(bad)


def test_non_ascii_local_part_needs_smtputf8() -> None:
    utf8 = message(to_email="jürgen@bücher.example")
    assert needs_smtputf8(utf8)
    assert not needs_smtputf8(message(to_email="ana@bücher.example"))
    assert wire_address("jürgen@bücher.example") == "jürgen@xn--bcher-kva.example"
    raw = render(utf8)
    assert not raw.isascii()  # RFC 6532 header
    assert parse(raw)["To"].addresses[0].username == "jürgen"


def test_build_mime_is_an_email_message() -> None:
    mime = build_mime(message(subject="Ça va"))
    assert isinstance(mime, EmailMessage)
    assert mime["Subject"] == "Ça va"
    assert mime.get_body(("plain",)).get_content().strip() == "Hello"  # type: ignore[union-attr]


def test_message_id_is_kept_when_given_and_unique_otherwise() -> None:
    assert parse(render(message(message_id="<fixed@example.org>")))["Message-ID"] == (
        "<fixed@example.org>"
    )
    ids = {parse(render(message()))["Message-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_substitute_is_one_pass_and_prefers_the_longest_key() -> None:
    subs = {"-name-": "-name_full-", "-name_full-": "Ana Lima"}
    assert substitute("-name- / -name_full-", subs) == "-name_full- / Ana Lima"
    assert substitute("nothing", {}) == "nothing"


def test_expand_merges_headers_and_metadata() -> None:
    template = message(
        to_email="",
        subject="Hi -first-",
        text="Hi -first-",
        html="<p>Hi -first_html-</p>",
        headers={"List-Id": "<news.example.org>"},
        metadata={"organization_id": "1", "campaign_id": "2"},
    )
    result = expand(
        template,
        Personalization(
            to_email="ana@example.com",
            to_name="Ana",
            substitutions={"-first-": "Ana & Bo", "-first_html-": "Ana &amp; Bo"},
            headers={"List-Unsubscribe": "<https://x/u/1>"},
            metadata={"recipient_id": "3"},
        ),
    )
    assert (result.subject, result.text, result.html) == (
        "Hi Ana & Bo",
        "Hi Ana & Bo",
        "<p>Hi Ana &amp; Bo</p>",
    )
    assert result.headers == {
        "List-Id": "<news.example.org>",
        "List-Unsubscribe": "<https://x/u/1>",
    }
    assert result.metadata == {"organization_id": "1", "campaign_id": "2", "recipient_id": "3"}
    assert result.message_id.endswith("@example.org>")


SHORT_VALUES = [
    {"-a-": "", "-name-": "Zoë {x} %s", "-code-": "=3D", "-link-": "https://x/u?a=1&b=2"},
    {"-a-": "trailing  ", "-name-": "Ünïcode", "-code-": "", "-link-": ".dot"},
]
ODD_VALUES = [
    *SHORT_VALUES,
    {"-a-": "x", "-name-": "a\nb", "-code-": "  ", "-link-": "é" * 100},
    {"-a-": "y", "-name-": "Ünïcode " * 20, "-code-": "\r\n", "-link-": "\n.dot"},
]


@pytest.mark.parametrize("values", [SHORT_VALUES, ODD_VALUES], ids=["compact", "safe"])
def test_batch_renderer_gives_the_bodies_of_render_expand(values: list[dict[str, str]]) -> None:
    text = (
        "-a-Hello -name-, {0} 100%s\nyour code: -code--code-\n" + "long line " * 30 + "-name-\n-a-"
    )
    html = "<p style='x'>-name-</p>" + "<span>filler</span>" * 80 + "-link-</a>\r\n.-a-"
    template = message(to_email="", subject="For -name-", text=text, html=html)
    people = [Personalization(f"p{i}@example.com", substitutions=v) for i, v in enumerate(values)]
    renderer = BatchRenderer(template, people)
    for person in people:
        expanded, raw = renderer.render(person)
        assert raw.count(b"\n") == raw.count(b"\r\n")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 78
        full_raw = render(expanded)
        fast, full = parse(raw), parse(full_raw)
        assert fast["Subject"] == full["Subject"] == " ".join(expanded.subject.split("\n")).strip()
        for kind in ("plain", "html"):
            assert fast.get_body((kind,)).get_content() == full.get_body((kind,)).get_content()  # type: ignore[union-attr]
        if values is SHORT_VALUES:
            # Soft breaks only where needed: not many more lines than a full render.
            assert raw.count(b"\r\n") <= full_raw.count(b"\r\n") * 1.2


def test_batch_renderer_falls_back_for_a_recipient_with_other_keys() -> None:
    template = message(to_email="", text="Hi -n-! -m-", html="<p>-n-</p>")
    people = [
        Personalization("a@example.com", substitutions={"-n-": "A", "-m-": "M"}),
        Personalization("b@example.com", substitutions={"-n-": "B"}),
    ]
    renderer = BatchRenderer(template, people)
    _, raw = renderer.render(people[1])
    assert parse(raw).get_body(("plain",)).get_content() == "Hi B! -m-"  # type: ignore[union-attr]
