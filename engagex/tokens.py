"""Compact signed tokens for URLs: tracking pixels, tracked links, one-click unsubscribe.

A token carries a few non-negative integers (ids, a link index) and a truncated
HMAC-SHA256 under a key derived from ``SECRET_KEY`` and the token's *purpose*, so a
click token can never be replayed as an unsubscribe token. They are short (a click
token for a 64-bit recipient id is about 30 characters) and cheap to make: rendering
signs every link of every message.

Tokens do not expire by themselves; what they point to (a recipient of a campaign)
decides what a late hit means.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from functools import lru_cache

MAC_BYTES = 12  # 96 bits: forging one token takes ~2**95 tries
_MAX = 2**64 - 1


class BadToken(ValueError):
    """The token is malformed, tampered with, or made for another purpose."""


@lru_cache(maxsize=64)
def _key(secret: str, purpose: str) -> bytes:
    return hmac.digest(secret.encode(), b"engagex-token:" + purpose.encode(), "sha256")


def _varint(value: int, out: bytearray) -> None:
    if not 0 <= value <= _MAX:
        raise ValueError(f"token values must be 0..2**64-1, got {value}")
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return


def sign(secret: str, purpose: str, *values: int) -> str:
    payload = bytearray()
    for value in values:
        _varint(value, payload)
    mac = hmac.digest(_key(secret, purpose), bytes(payload), "sha256")[:MAC_BYTES]
    return base64.urlsafe_b64encode(bytes(payload) + mac).rstrip(b"=").decode()


def verify(secret: str, purpose: str, token: str, count: int) -> tuple[int, ...]:
    """The ``count`` values of a valid token; ``BadToken`` for anything else."""
    if not token or len(token) > 200:
        raise BadToken("bad token length")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadToken("not base64") from exc
    payload, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if len(mac) != MAC_BYTES:
        raise BadToken("too short")
    expected = hmac.digest(_key(secret, purpose), payload, "sha256")[:MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        raise BadToken("bad signature")
    values: list[int] = []
    value = shift = 0
    for byte in payload:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            values.append(value)
            value = shift = 0
        elif shift > 63:
            raise BadToken("value too large")
    if shift or len(values) != count:
        raise BadToken("wrong number of values")
    return tuple(values)
