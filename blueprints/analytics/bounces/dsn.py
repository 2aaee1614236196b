"""Reading bounce mail: delivery status notifications (RFC 3464), complaint reports
(ARF, RFC 5965) and, as a last resort, the plain-text bounces of older servers.

What identifies the message that bounced is taken from the returned original (its
headers are part of every DSN, as ``message/rfc822`` or ``text/rfc822-headers``):

1. the signed unsubscribe token of its ``List-Unsubscribe`` header (or any
   ``/u/<token>`` URL in the report): HMAC-signed, so a forged bounce cannot name a
   recipient;
2. its ``Message-ID``, ``<r{recipient id}.{campaign salt}@domain>``: the caller checks
   the salt against the campaign's.

Classification of a failed recipient by its status code (RFC 3463): ``5.1.x``
(bad address), ``5.2.1`` (mailbox disabled) and ``5.0.0`` without a policy or spam
reason are **hard** bounces; other ``5.x.x`` (blocked as spam, mailbox full, message
too large...) and ``4.x.x`` failures are **soft**; ``Action: delayed`` is a deferral.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

TOKEN = re.compile(r"/u/([A-Za-z0-9_-]{16,200})")
OUR_MESSAGE_ID = re.compile(r"<r(\d{1,19})\.([A-Za-z0-9_-]{1,32})@[^>]+>")
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
POLICY = re.compile(
    r"spam|block|policy|reputation|blacklist|denylist|rbl|dmarc|spf|dkim|rejected due to content",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (status )?notification|failure notice|returned mail|"
    r"delivery failure|mail delivery failed|non.?delivery",
    re.IGNORECASE,
)
DAEMON = re.compile(r"mailer-daemon|postmaster", re.IGNORECASE)


@dataclass(frozen=True)
class Report:
    """One bounce, deferral or complaint about one of our messages."""

    kind: str  # bounce | deferred | complaint
    hard: bool
    status: str | None
    action: str | None
    recipient: str | None
    diagnostic: str | None
    tokens: tuple[str, ...]
    message_id: tuple[int, str] | None  # (recipient id, salt) from our Message-ID
    key: str  # stable id of the report (its own Message-ID, else a hash)


def _text(value: object, limit: int = 500) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:limit] or None


def _address(value: str | None) -> str | None:
    if not value:
        return None
    kind, _, address = value.partition(";")
    return (address if address else kind).strip().strip("<>").lower() or None


def classify(status: str | None, diagnostic: str | None) -> bool:
    """Whether a failure is hard (the address cannot receive mail)."""
    if not status or not status.startswith("5."):
        return False
    _, subject, detail = status.split(".")
    if subject == "1" or (subject, detail) == ("2", "1"):
        return True
    return (subject, detail) == ("0", "0") and not POLICY.search(diagnostic or "")


def _original_headers(report: Message) -> Message | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
        if kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            return HeaderParser().parsestr(text.decode("utf-8", "replace"))
    return None


def _identity(msg: Message, raw: bytes) -> tuple[tuple[str, ...], tuple[int, str] | None]:
    original = _original_headers(msg)
    tokens: list[str] = []
    message_id = None
    if original is not None:
        tokens += TOKEN.findall(str(original.get("List-Unsubscribe", "")))
        match = OUR_MESSAGE_ID.search(str(original.get("Message-ID", "")))
        if match:
            message_id = (int(match.group(1)), match.group(2))
    # Bodies quoted in plain-text bounces carry the footer's unsubscribe link.
    text = raw.decode("utf-8", "replace")
    tokens += [t for t in TOKEN.findall(text) if t not in tokens]
    if message_id is None:
        match = OUR_MESSAGE_ID.search(text)
        if match:
            message_id = (int(match.group(1)), match.group(2))
    return tuple(dict.fromkeys(tokens)), message_id


def _key(msg: Message, raw: bytes) -> str:
    own = _text(msg.get("Message-ID"), 200)
    if own:
        return "dsn:" + hashlib.sha256(own.encode()).hexdigest()[:40]
    return "dsn:" + hashlib.sha256(raw).hexdigest()[:40]


def _delivery_status(msg: Message) -> list[Message]:
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                return payload
            text = part.get_payload(decode=True) or b""
            blocks = re.split(r"\r?\n\r?\n", text.decode("utf-8", "replace").strip())
            return [HeaderParser().parsestr(block) for block in blocks]
    return []


def _from_dsn(msg: Message, raw: bytes) -> Report | None:
    blocks = _delivery_status(msg)
    tokens, message_id = _identity(msg, raw)
    chosen = None
    for block in blocks[1:] or blocks:
        action = (_text(block.get("Action"), 20) or "").lower()
        if action in ("failed", "delayed"):
            chosen = block
            if action == "failed":
                break
    if chosen is None:
        return None  # delivered, relayed, expanded: nothing to record
    action = (_text(chosen.get("Action"), 20) or "").lower()
    status_match = STATUS.search(str(chosen.get("Status", "")))
    status = status_match.group(0) if status_match else None
    diagnostic = _text(chosen.get("Diagnostic-Code"))
    recipient = _address(
        str(chosen.get("Final-Recipient") or chosen.get("Original-Recipient") or "")
    )
    if action == "delayed":
        return Report(
            "deferred",
            False,
            status,
            action,
            recipient,
            diagnostic,
            tokens,
            message_id,
            _key(msg, raw),
        )
    return Report(
        "bounce",
        classify(status, diagnostic),
        status,
        action,
        recipient,
        diagnostic,
        tokens,
        message_id,
        _key(msg, raw),
    )


def _from_arf(msg: Message, raw: bytes) -> Report | None:
    feedback_type = None
    for part in msg.walk():
        if part.get_content_type() == "message/feedback-report":
            payload = part.get_payload()
            block = payload[0] if isinstance(payload, list) and payload else None
            if block is None:
                text = part.get_payload(decode=True) or b""
                block = HeaderParser().parsestr(text.decode("utf-8", "replace"))
            feedback_type = (_text(block.get("Feedback-Type"), 40) or "").lower()
            recipient = _address(str(block.get("Original-Rcpt-To") or ""))
            break
    else:
        return None
    if feedback_type not in ("abuse", "fraud", "virus", "other"):
        return None
    tokens, message_id = _identity(msg, raw)
    return Report(
        "complaint", False, None, feedback_type, recipient, None, tokens, message_id, _key(msg, raw)
    )


def _from_text(msg: Message, raw: bytes) -> Report | None:
    subject = str(msg.get("Subject", ""))
    sender = str(msg.get("From", ""))
    if not (BOUNCE_SUBJECT.search(subject) or DAEMON.search(sender)):
        return None
    tokens, message_id = _identity(msg, raw)
    if not tokens and message_id is None:
        return None
    body = raw.decode("utf-8", "replace")
    status_match = STATUS.search(body)
    status = status_match.group(0) if status_match else None
    if status is None:
        return None  # no code: too unsure to act on
    kind = (
        "deferred"
        if status.startswith("4.") and re.search(r"delay|will retry|still trying", body, re.I)
        else "bounce"
    )
    return Report(
        kind,
        kind == "bounce" and classify(status, body),
        status,
        None,
        None,
        None,
        tokens,
        message_id,
        _key(msg, raw),
    )


def parse(raw: bytes) -> Report | None:
    """The report in one message of the bounce mailbox, or None if it is not one."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if msg.get_content_type() == "multipart/report":
        report_type = str(msg.get_param("report-type", "") or "").lower()
        if report_type == "delivery-status":
            return _from_dsn(msg, raw)
        if report_type == "feedback-report":
            return _from_arf(msg, raw)
    return _from_text(msg, raw)
