"""DKIM key pairs and the encryption of their private keys at rest.

The private key is encrypted with AES-256-GCM under a key derived from ``SECRET_KEY``
by HKDF-SHA256 (its own ``info`` label, so it is never the signing key itself). The
associated data binds a ciphertext to its organization and domain: a key copied to
another row does not decrypt. Rotating ``SECRET_KEY`` makes stored keys unreadable:
signing then stops (logged) until the domain gets a new key.
"""

from __future__ import annotations

import base64
import functools
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BITS = 2048
_VERSION = "v1"
_INFO = b"engagex/domains/dkim-private-key/v1"


class KeyUnavailable(Exception):
    """A stored private key cannot be decrypted (``SECRET_KEY`` changed, or corrupt)."""


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes  # PKCS#1 PEM, what dkimpy signs with
    public_b64: str  # base64 DER SubjectPublicKeyInfo, the p= of the DNS record


def generate() -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem, base64.b64encode(public_der).decode())


@functools.lru_cache(maxsize=8)
def _data_key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())


def _aad(organization_id: int, domain: str) -> bytes:
    return f"{organization_id}:{domain}".encode()


def encrypt(private_pem: bytes, *, secret: str, organization_id: int, domain: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_data_key(secret)).encrypt(nonce, private_pem, _aad(organization_id, domain))
    return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, secret: str, organization_id: int, domain: str) -> bytes:
    """The PEM private key; raises ``KeyUnavailable`` (never with key material)."""
    return _decrypt_cached(token, secret, organization_id, domain)


@functools.lru_cache(maxsize=256)
def _decrypt_cached(token: str, secret: str, organization_id: int, domain: str) -> bytes:
    # The cache saves an AES-GCM open per message of a campaign; its key is the
    # ciphertext, so a new key (new row, new ciphertext) never hits a stale entry.
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise KeyUnavailable(f"unknown key format {version!r}")
    try:
        raw = base64.b64decode(payload, validate=True)
        return AESGCM(_data_key(secret)).decrypt(raw[:12], raw[12:], _aad(organization_id, domain))
    except (InvalidTag, ValueError) as exc:
        raise KeyUnavailable("the DKIM private key cannot be decrypted with SECRET_KEY") from exc


@functools.lru_cache(maxsize=256)
def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """The key object of a PEM (parsed once per process and key)."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyUnavailable("the DKIM private key is not an RSA key")
    return key
