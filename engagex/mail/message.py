"""The message value and its wire form.

``render`` writes the MIME bytes directly instead of going through ``email.message``:
the standard library's generator costs about a millisecond for a 20 KB message, which
would be most of the CPU a campaign spends per recipient. What it writes is checked
against the standard parser in tests/mail: multipart/alternative with quoted-printable
UTF-8 parts, RFC 2047 encoded-words for non-ASCII display names and subjects, IDNA
(punycode) domains, and RFC 6532 UTF-8 headers only when an address has a non-ASCII
local part (such a message needs an SMTPUTF8 transport; ``needs_smtputf8`` says so).

``Personalization`` and ``expand`` describe batched sends: one template ``Message``
whose subject, text, HTML and reply-to contain substitution keys, plus one
personalization per recipient. SendGrid substitutes server-side; the other backends
call ``expand`` and so produce the very same text.
"""

from __future__ import annotations

import binascii
import re
import uuid
from base64 import b64encode
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime
from functools import lru_cache

import idna

CRLF = "\r\n"

#: Headers the renderer writes itself; ``Message.headers`` may not set them.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "reply-to",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)


class AddressError(ValueError):
    """An address, header or message that cannot be put on the wire as given."""


@dataclass(frozen=True)
class Message:
    """One email to one recipient, backend-neutral.

    ``metadata`` carries correlation ids (organization, campaign, recipient) to the
    provider; it must never hold an email address (values containing ``@`` are dropped
    before they reach a provider). ``headers`` are extra headers such as
    ``List-Unsubscribe``. ``envelope_from`` is the SMTP return path (bounce address)
    when it differs from ``from_email``.
    """

    to_email: str
    from_email: str
    subject: str
    html: str
    text: str
    organization_id: int | None = None
    to_name: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    category: str = "transactional"
    message_id: str = ""
    envelope_from: str | None = None

    def with_message_id(self) -> Message:
        """This message with a Message-ID on the sender's domain (kept if already set)."""
        if self.message_id:
            return self
        return replace(self, message_id=make_message_id(self.from_email))


@dataclass(frozen=True)
class Personalization:
    """One recipient of a batched send (see ``expand``).

    ``substitutions`` map keys that occur literally in the template's subject, text,
    HTML and reply-to to this recipient's values. One value serves every part, so
    where the HTML needs an escaped form use a separate key for it. ``headers`` and
    ``metadata`` are added to (and override) the template's.
    """

    to_email: str
    to_name: str | None = None
    substitutions: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    message_id: str = ""


def make_message_id(from_email: str) -> str:
    """A unique ``<id@domain>`` on the sender's domain (punycode for IDN domains)."""
    try:
        domain = idna_domain(from_email.rpartition("@")[2])
    except AddressError:
        domain = ""
    return f"<{uuid.uuid4().hex}@{domain or 'engagex.invalid'}>"


# --------------------------------------------------------------------------- addresses

_ASCII_DOMAIN = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$")
# RFC 5322 atext plus dots (dot-atom); anything beyond ASCII is RFC 6531 UTF-8 atext.
_DOT_ATOM = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]+)*$"
)


@lru_cache(maxsize=4096)
def idna_domain(domain: str) -> str:
    """The ASCII (A-label) form of ``domain``; raises ``AddressError`` if invalid."""
    if domain.isascii():
        if not _ASCII_DOMAIN.match(domain) or ".." in domain or len(domain) > 253:
            raise AddressError(f"invalid domain {domain!r}")
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise AddressError(f"invalid internationalized domain {domain!r}: {exc}") from None


@lru_cache(maxsize=4096)
def _split(email: str) -> tuple[str, str]:
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"invalid address {email!r}: expected local@domain")
    if len(local.encode("utf-8")) > 64 or not _DOT_ATOM.match(local):
        raise AddressError(f"invalid local part in {email!r}")
    return local, idna_domain(domain)


def wire_address(email: str) -> str:
    """``email`` as it goes into an SMTP envelope or an API: IDNA domain, local part
    unchanged. Raises ``AddressError``."""
    local, domain = _split(email)
    return f"{local}@{domain}"


def is_utf8_address(email: str) -> bool:
    """True when the local part is non-ASCII (deliverable only over SMTPUTF8)."""
    return not email.rpartition("@")[0].isascii()


def needs_smtputf8(message: Message) -> bool:
    """True when an address of ``message`` has a non-ASCII local part (RFC 6531)."""
    return any(
        address and is_utf8_address(address)
        for address in (
            message.to_email,
            message.from_email,
            message.reply_to,
            message.envelope_from,
        )
    )


# ----------------------------------------------------------------------------- headers

_SPECIALS = frozenset('()<>[]:;@\\,."')
_LINE_BREAKS = re.compile(r"[\r\n\x00]+")
_HEADER_NAME = re.compile(r"^[!-9;-~]+$")
# 42 bytes of UTF-8 -> 56 base64 characters; with "=?utf-8?b?" and "?=" and the
# longest header name the renderer uses, a line stays under the 78-character mark.
_WORD_BYTES = 42


def _one_line(value: str) -> str:
    # Display names and subjects come from user data: a line break would let them
    # add headers, so it becomes a space.
    return _LINE_BREAKS.sub(" ", value).strip()


def _encoded_words(value: str) -> str:
    words, chunk, size = [], [], 0
    for char in value:
        width = len(char.encode("utf-8"))
        if size + width > _WORD_BYTES:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += width
    words.append("".join(chunk))
    return (CRLF + " ").join(
        "=?utf-8?b?" + b64encode(word.encode("utf-8")).decode("ascii") + "?=" for word in words
    )


def _fold(value: str, room: int) -> str:
    """Fold ASCII ``value`` at spaces so lines stay near 78 characters."""
    if len(value) <= room:
        return value
    lines, line = [], ""
    for word in value.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and len(candidate) > room:
            lines.append(line)
            line, room = word, 77
        else:
            line = candidate
    lines.append(line)
    return (CRLF + " ").join(lines)


@lru_cache(maxsize=1024)
def encode_text(value: str, name: str = "Subject") -> str:
    """An unstructured header value (RFC 5322 folding, RFC 2047 when not ASCII)."""
    value = _one_line(value)
    if value.isascii() and "=?" not in value and max(map(len, value.split(" ")), default=0) < 900:
        return _fold(value, 76 - len(name))
    return _encoded_words(value)


@lru_cache(maxsize=4096)
def _phrase(name: str) -> str:
    name = _one_line(name)
    if not name.isascii() or "=?" in name:
        # Encoding an encoded-word look-alike makes readers show it literally
        # (many decode encoded-words even inside quoted strings).
        return _encoded_words(name)
    if any(char in _SPECIALS for char in name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return name


def encode_mailbox(email: str, name: str | None = None, room: int = 72) -> str:
    """``Name <local@domain>`` for a header: RFC 2047 name, IDNA domain; the address
    goes on a folded line of its own when the whole would not fit in ``room``."""
    address = wire_address(email)
    phrase = _phrase(name) if name else ""
    if not phrase:
        return address
    last_line = phrase.rpartition(CRLF)[2]
    space = " " if len(last_line) + len(address) + 3 <= room else CRLF + " "
    return f"{phrase}{space}<{address}>"


def _extra_header(name: str, value: str) -> str:
    if not _HEADER_NAME.match(name) or name.lower() in RESERVED_HEADERS:
        raise AddressError(f"header {name!r} cannot be set by the caller")
    if "\r" in value or "\n" in value:
        raise AddressError(f"header {name} contains a line break")
    return f"{name}: {encode_text(value, name)}"


# -------------------------------------------------------------------------------- body


def _qp(text: str) -> bytes:
    """Quoted-printable UTF-8 with CRLF line ends (binascii does it in C)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    data = text.replace("\n", CRLF).encode("utf-8")
    encoded = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    if b"\r\n" not in data:
        # b2a_qp takes its line end from the data's first one; with none it writes
        # soft breaks as a bare LF (the only LFs it can have produced here).
        encoded = encoded.replace(b"\n", b"\r\n")
    return encoded


def _part_headers(subtype: str) -> bytes:
    return (
        f"Content-Type: text/{subtype}; charset=utf-8{CRLF}"
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
    ).encode("ascii")


_TEXT_HEADERS = _part_headers("plain")
_HTML_HEADERS = _part_headers("html")


def render(message: Message) -> bytes:
    """The complete message as bytes with CRLF line ends, ready for SMTP DATA.

    Raises ``AddressError`` for an address, header or name that cannot be written.
    Sets a Message-ID if the message has none (``with_message_id`` first to know it).
    """
    message = message.with_message_id()
    return _assemble(
        message,
        _qp(message.text) if message.text else b"",
        _qp(message.html) if message.html else b"",
    )


def _assemble(message: Message, text: bytes, html: bytes) -> bytes:
    """Headers of ``message`` around its already encoded bodies."""
    utf8 = needs_smtputf8(message)
    head = [
        "From: " + encode_mailbox(message.from_email, message.from_name),
        "To: " + encode_mailbox(message.to_email, message.to_name, room=74),
    ]
    if message.reply_to:
        head.append("Reply-To: " + encode_mailbox(message.reply_to))
    head.append("Subject: " + encode_text(message.subject))
    head.append("Date: " + format_datetime(datetime.now(UTC)))
    if not message.message_id.isascii() or _LINE_BREAKS.search(message.message_id):
        raise AddressError(f"invalid Message-ID {message.message_id!r}")
    head.append("Message-ID: " + message.message_id)
    head.append("MIME-Version: 1.0")
    for name, value in message.headers.items():
        head.append(_extra_header(name, value))

    if message.text and message.html:
        boundary = f"=_{uuid.uuid4().hex}"  # "=_" never occurs in quoted-printable
        head.append(f'Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"')
        delimiter = f"--{boundary}{CRLF}".encode("ascii")
        body = b"".join(
            (
                delimiter,
                _TEXT_HEADERS,
                text,
                CRLF.encode("ascii"),
                delimiter,
                _HTML_HEADERS,
                html,
                f"{CRLF}--{boundary}--{CRLF}".encode("ascii"),
            )
        )
        header_block = CRLF.join(head) + CRLF + CRLF
    else:
        # A single part: its Content-Type and encoding are the message's own.
        subtype, content = ("html", html) if message.html else ("plain", text)
        header_block = CRLF.join(head) + CRLF
        body = _part_headers(subtype) + content + CRLF.encode("ascii")
    return header_block.encode("utf-8" if utf8 else "ascii") + body


def build_mime(message: Message) -> EmailMessage:
    """The message as an ``email.message.EmailMessage`` (parsed from ``render``)."""
    policy = SMTPUTF8 if needs_smtputf8(message) else SMTP
    parsed = BytesParser(policy=policy).parsebytes(render(message))
    assert isinstance(parsed, EmailMessage)
    return parsed


# ---------------------------------------------------------------------- batched sends


@lru_cache(maxsize=256)
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "-name_full-" wins over "-name-"; one pass, so a substituted
    # value is never substituted again.
    return re.compile("|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True)))


def substitute(value: str, substitutions: Mapping[str, str]) -> str:
    """Replace every occurrence of each key of ``substitutions`` in ``value``."""
    if not substitutions or not value:
        return value
    pattern = _pattern(tuple(substitutions))
    return pattern.sub(lambda match: substitutions[match.group(0)], value)


def expand(template: Message, personalization: Personalization) -> Message:
    """The message ``personalization``'s recipient gets from a batched ``template``."""
    subs = personalization.substitutions
    return replace(
        template,
        to_email=personalization.to_email,
        to_name=personalization.to_name,
        subject=substitute(template.subject, subs),
        text=substitute(template.text, subs),
        html=substitute(template.html, subs),
        reply_to=substitute(template.reply_to, subs) if template.reply_to else None,
        headers={**template.headers, **personalization.headers},
        metadata={**template.metadata, **personalization.metadata},
        message_id=personalization.message_id,
    ).with_message_id()


class BatchRenderer:
    """Renders the recipients of one batched template, encoding its bodies once.

    Quoted-printable encoding and substitution are most of the cost of a large
    message. The template's text and HTML are split once at the substitution keys
    into format strings: one of the text (for the ``Message``) and two of its
    quoted-printable form, whose fixed pieces are encoded here. The *compact* form
    reserves the width of the batch's longest encoded value at each key and breaks
    lines (soft breaks, ``=`` CRLF) only where that could exceed 76 columns; the
    *safe* form breaks at every key, for a value with line breaks of its own. Per
    recipient only the values are encoded and the formats filled in C; the decoded
    bodies are exactly those of ``render(expand(template, p))``. A recipient whose
    keys differ from the batch's is rendered in full.
    """

    def __init__(self, template: Message, personalizations: Sequence[Personalization]) -> None:
        self.template = template
        self._bare = replace(template, text="", html="")
        self.keys = frozenset(k for p in personalizations for k in p.substitutions)
        #: Key -> its name in the formats.
        self._names = {key: f"k{i}" for i, key in enumerate(sorted(self.keys))}
        self._width = max(
            (
                len(_qp(v))
                for p in personalizations
                for v in p.substitutions.values()
                if "\n" not in v and "\r" not in v
            ),
            default=0,
        )
        pattern = _pattern(tuple(self.keys)) if self.keys else None
        self._text = self._formats(template.text, pattern)
        self._html = self._formats(template.html, pattern)

    def _formats(
        self, value: str, pattern: re.Pattern[str] | None
    ) -> tuple[str, bytes, bytes] | None:
        """``(str.format_map format, compact and safe bytes %-formats)``."""
        if not value:
            return None
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        pieces: list[str] = []  # fixed text and keys alternate; keys at odd positions
        position = 0
        for match in pattern.finditer(value) if pattern else ():
            pieces.append(value[position : match.start()])
            pieces.append(match.group(0))
            position = match.end()
        pieces.append(value[position:])
        text_format: list[str] = []
        compact: list[bytes] = []
        safe: list[bytes] = []
        column = 0  # of the compact form, counting each value at the reserved width
        for i, piece in enumerate(pieces):
            if i % 2:
                name = self._names[piece]
                text_format.append("{" + name + "}")
                slot = b"%(" + name.encode("ascii") + b")s"
                safe.append(slot)
                if column + self._width > 76:
                    compact.append(b"=\r\n")
                    column = 0
                compact.append(slot)
                column += self._width
                continue
            text_format.append(piece.replace("{", "{{").replace("}", "}}"))
            if not piece:
                continue
            encoded = _qp(piece).replace(b"%", b"%%")
            safe.append(encoded)
            first, line_end, _ = encoded.partition(b"\r\n")
            if column + len(first) > 76:
                compact.append(b"=\r\n")
                column = 0
            compact.append(encoded)
            if line_end:
                column = len(encoded.rpartition(b"\r\n")[2])
            else:
                column += len(first)
        # In the safe form every boundary gets a soft break; one after a hard line end
        # (or around an empty value) is a line holding a lone "=", which decodes to
        # nothing.
        return "".join(text_format), b"".join(compact), b"=\r\n".join(safe)

    def render(self, personalization: Personalization) -> tuple[Message, bytes]:
        """The recipient's message (as ``expand`` gives it) and its bytes."""
        subs = personalization.substitutions
        if subs.keys() != self.keys:
            message = expand(self.template, personalization)
            return message, render(message)
        values = {self._names[key]: value for key, value in subs.items()}
        encoded = {name.encode("ascii"): _qp(value) for name, value in values.items()}
        fits = all(len(e) <= self._width and b"\n" not in e for e in encoded.values())
        form = 1 if fits else 2
        text = self._text[0].format_map(values) if self._text else ""
        html = self._html[0].format_map(values) if self._html else ""
        message = replace(expand(self._bare, personalization), text=text, html=html)
        return message, _assemble(
            message,
            self._text[form] % encoded if text and self._text else b"",
            self._html[form] % encoded if html and self._html else b"",
        )
