"""The URLs a campaign message carries: tracking, unsubscribe, web version.

This module is the contract with the analytics domain, which serves these routes:

| URL | token |
|---|---|
| ``{ENGAGEX_BASE_URL}/t/o/<token>`` (open pixel) | ``sign(SECRET_KEY, "open", recipient_id)`` |
| ``{ENGAGEX_BASE_URL}/t/c/<token>`` (tracked link) | ``sign(SECRET_KEY, "click", recipient_id, link_index)`` |
| ``{ENGAGEX_BASE_URL}/u/<token>`` (unsubscribe page; POST = RFC 8058 one-click) | ``sign(SECRET_KEY, "unsubscribe", recipient_id)`` |
| ``{ENGAGEX_BASE_URL}/u/<token>?view=preferences`` (preferences) | the unsubscribe token |
| ``{ENGAGEX_BASE_URL}/v/<token>`` (view in browser) | ``sign(SECRET_KEY, "view", recipient_id)`` |

``recipient_id`` is ``campaign_recipients.id`` (globally unique); ``link_index`` indexes
``campaigns.links``, the click table pinned when the campaign starts sending, so a click
is resolved to its URL on the server and a token can never redirect anywhere else.
``verify`` (``engagex.tokens.verify``) gives the ids back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engagex.tokens import MAC_BYTES, sign

OPEN = "open"
CLICK = "click"
UNSUBSCRIBE = "unsubscribe"
VIEW = "view"


@dataclass(frozen=True, slots=True)
class RecipientUrls:
    unsubscribe: str
    preferences: str
    view_in_browser: str
    open_pixel: str
    click: Callable[[int], str]


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class _Mac:
    """HMAC-SHA256 under one key with the keyed inner and outer states computed once:
    a token then costs two hash-state copies instead of a full HMAC set-up (RFC 2104;
    tests assert equality with ``hmac.digest`` and ``engagex.tokens.sign``)."""

    __slots__ = ("inner", "outer")

    def __init__(self, key: bytes, inner: Any = None) -> None:
        if inner is not None:  # a copy extended with a prefix
            self.inner, self.outer = inner, key
            return
        block = (
            key.ljust(64, b"\0")
            if len(key) <= 64
            else hashlib.sha256(key).digest().ljust(64, b"\0")
        )
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def prefixed(self, prefix: bytes) -> _Mac:
        inner = self.inner.copy()
        inner.update(prefix)
        return _Mac(self.outer, inner)  # type: ignore[arg-type]

    def digest(self, data: bytes) -> bytes:
        inner = self.inner.copy()
        inner.update(data)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.digest()


def _purpose_key(secret: str, purpose: str) -> bytes:
    # The key derivation of engagex.tokens (tests assert the tokens are identical).
    return hmac.digest(secret.encode(), b"engagex-token:" + purpose.encode(), "sha256")


def _encode(payload: bytes, mac: bytes) -> str:
    return base64.urlsafe_b64encode(payload + mac[:MAC_BYTES]).rstrip(b"=").decode("ascii")


class LinkBuilder:
    """Builds one campaign's URLs; cheap per recipient (one HMAC per URL).

    The tokens are exactly ``engagex.tokens.sign``'s; the per-purpose keys and the
    encoded link indexes are computed once per campaign instead of once per URL.
    """

    def __init__(self, secret: str, base_url: str, *, track_opens: bool, track_clicks: bool):
        self.secret = secret
        self.base = base_url.rstrip("/")
        self.track_opens = track_opens
        self.track_clicks = track_clicks
        self._macs = {p: _Mac(_purpose_key(secret, p)) for p in (OPEN, CLICK, UNSUBSCRIBE, VIEW)}
        self._indexes: list[bytes] = []

    def _index(self, index: int) -> bytes:
        while len(self._indexes) <= index:
            self._indexes.append(_varint(len(self._indexes)))
        return self._indexes[index]

    def unsubscribe(self, recipient_id: int) -> str:
        return f"{self.base}/u/{sign(self.secret, UNSUBSCRIBE, recipient_id)}"

    def click(self, recipient_id: int, index: int) -> str:
        return f"{self.base}/t/c/{sign(self.secret, CLICK, recipient_id, index)}"

    def open_pixel(self, recipient_id: int) -> str:
        return f"{self.base}/t/o/{sign(self.secret, OPEN, recipient_id)}"

    def view(self, recipient_id: int) -> str:
        return f"{self.base}/v/{sign(self.secret, VIEW, recipient_id)}"

    def for_recipient(self, recipient_id: int, originals: tuple[str, ...]) -> RecipientUrls:
        """Every URL of one recipient; ``click(i)`` is the tracked URL of link ``i``
        (the original URL when click tracking is off)."""
        rid = _varint(recipient_id)
        macs, base = self._macs, self.base
        unsubscribe = f"{base}/u/{_encode(rid, macs[UNSUBSCRIBE].digest(rid))}"
        if self.track_clicks:
            # The recipient id starts every click payload: hashed once per recipient.
            per_recipient, index_of = macs[CLICK].prefixed(rid), self._index

            def click(index: int) -> str:
                suffix = index_of(index)
                return f"{base}/t/c/{_encode(rid + suffix, per_recipient.digest(suffix))}"

        else:
            click = originals.__getitem__
        return RecipientUrls(
            unsubscribe=unsubscribe,
            preferences=f"{unsubscribe}?view=preferences",
            view_in_browser=f"{base}/v/{_encode(rid, macs[VIEW].digest(rid))}",
            open_pixel=f"{base}/t/o/{_encode(rid, macs[OPEN].digest(rid))}"
            if self.track_opens
            else "",
            click=click,
        )


def list_unsubscribe(url: str, mailto: str | None) -> str:
    """The ``List-Unsubscribe`` value: the HTTPS one-click URL (RFC 8058), plus a
    ``mailto:`` when an address is configured, whose subject is ``unsubscribe-<token>``
    (the same signed token, so a forged mail cannot unsubscribe someone else)."""
    value = f"<{url}>"
    if mailto:
        token = url.rpartition("/u/")[2]
        value += f", <mailto:{mailto}?subject=unsubscribe-{token}>"
    return value
