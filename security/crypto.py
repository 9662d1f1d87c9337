"""Encryption at rest for personal contact data (phones and e-mails): AES-256-GCM by default, SM4-GCM
(GB/T 32907) as the option 等保 assessors may ask for; both from the `cryptography` package.

The key is FIELD_ENCRYPTION_KEY from the environment (at least 32 characters); each algorithm uses
its own key derived from it with HKDF-SHA256, so switching FIELD_ENCRYPTION_ALGORITHM needs no new
secret. A stored value is a token `enc1:<algorithm>:<key id>:<base64url(nonce | ciphertext | tag)>`:
it names its algorithm and key, so values written before a switch of algorithm, or under a key
listed in FIELD_ENCRYPTION_OLD_KEYS, still decrypt. Each encryption draws a fresh 96-bit nonce.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "enc1:"
ALGORITHMS = ("aes-gcm", "sm4-gcm")
NONCE_BYTES = 12
TAG_BYTES = 16
# Binds every token to this system's purpose: a ciphertext from another application using the
# same key would not decrypt here.
AAD = b"sfjd-field-v1"


class DecryptionError(Exception):
    """A token that does not decrypt: wrong or missing key, or an altered value."""


@cache
def _subkey(secret: str, algorithm: str) -> bytes:
    length = 32 if algorithm == "aes-gcm" else 16
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"sfjd-field-encryption", info=algorithm.encode()
    ).derive(secret.encode())


@cache
def key_id(secret: str) -> str:
    return hashlib.sha256(b"sfjd-key-id:" + secret.encode()).hexdigest()[:8]


def _secrets() -> dict[str, str]:
    # Read from the settings on every call (tests and key rotation change them), hashed once per key set:
    # an export opens thousands of values.
    return _secrets_of(
        (str(settings.FIELD_ENCRYPTION_KEY), *[str(k) for k in settings.FIELD_ENCRYPTION_OLD_KEYS])
    )


@cache
def _secrets_of(keys: tuple[str, ...]) -> dict[str, str]:
    return {key_id(k): k for k in keys if k}


def _seal(algorithm: str, key: bytes, nonce: bytes, plaintext: bytes) -> bytes:
    if algorithm == "aes-gcm":
        return AESGCM(key).encrypt(nonce, plaintext, AAD)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(AAD)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(algorithm: str, key: bytes, nonce: bytes, sealed: bytes) -> bytes:
    if algorithm == "aes-gcm":
        return AESGCM(key).decrypt(nonce, sealed, AAD)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(AAD)
    return decryptor.update(body) + decryptor.finalize()


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(plaintext: str, *, algorithm: str | None = None) -> str:
    algorithm = algorithm or str(settings.FIELD_ENCRYPTION_ALGORITHM)
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown field encryption algorithm {algorithm!r}")
    secret = str(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(algorithm, _subkey(secret, algorithm), nonce, plaintext.encode())
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}{algorithm}:{key_id(secret)}:{body}"


def decrypt(token: str) -> str:
    try:
        algorithm, kid, body = token.removeprefix(PREFIX).split(":", 2)
        secret = _secrets()[kid]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, KeyError):
        raise DecryptionError("加密数据无法解密：密钥不符或数据损坏。") from None
    if algorithm not in ALGORITHMS or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("加密数据格式不正确。")
    try:
        return _open(algorithm, _subkey(secret, algorithm), raw[:NONCE_BYTES], raw[NONCE_BYTES:]).decode()
    except (InvalidTag, ValueError):
        raise DecryptionError("加密数据无法解密：密钥不符或数据被改动。") from None


# --- masking -------------------------------------------------------------------------------------


def mask_phone(text: str) -> str:
    """138****5678 / 0731-****5678: the last four digits stay, so a person can tell which number."""
    text = str(text or "")
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(text)
    keep = set(digits[:3] if len(digits) >= 11 else []) | set(digits[-4:])
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(text))


def mask_email(text: str) -> str:
    """z***@example.com: the first letter and the domain stay."""
    text = str(text or "")
    local, at, domain = text.partition("@")
    if not at:
        return "*" * len(text)
    return (local[:1] + "***" if local else "***") + "@" + domain
