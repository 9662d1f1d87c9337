"""Model fields that keep phones and e-mails encrypted in the database (security/crypto.py).

- `EncryptedCharField` / `EncryptedEmailField`: the whole value is a token in a text column; the
  application reads and writes plain text. Exact lookups cannot match (each write draws a new nonce),
  so nothing looks a user up by phone or e-mail (logins are by user name).
- `SealedJSONField`: a JSON value of which only some strings are secret (a phone inside a table of
  contacts). The writer marks those strings as `Sensitive`; they are stored as tokens and come back
  from the database as `Sensitive` again, so a value read and saved again stays encrypted.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import models

from security.crypto import PREFIX, DecryptionError, decrypt, encrypt, is_token

logger = logging.getLogger(__name__)
UNREADABLE = "［无法解密］"


class Sensitive(str):
    """A string that is stored encrypted. Compares and prints as its plain text."""

    __slots__ = ()


def _plain(token: str) -> str:
    try:
        return decrypt(token)
    except DecryptionError:
        # A wrong or missing key must not take every page down; the value shows as unreadable and
        # the log says why (FIELD_ENCRYPTION_KEY / FIELD_ENCRYPTION_OLD_KEYS).
        logger.error("a stored encrypted value does not decrypt with the configured keys")
        return UNREADABLE


def seal(value: Any) -> Any:
    """The structure with every `Sensitive` string replaced by its token."""
    if isinstance(value, Sensitive):
        return encrypt(str(value)) if value else ""
    if isinstance(value, dict):
        return {k: seal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [seal(v) for v in value]
    return value


def unseal(value: Any) -> Any:
    """The structure with every token replaced by its plain text, marked `Sensitive`."""
    if is_token(value):
        return Sensitive(_plain(value))
    if isinstance(value, dict):
        return {k: unseal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unseal(v) for v in value]
    return value


_JSON = json.JSONDecoder()  # json.loads's own decoder, called without json.loads's set-up


def unseal_text(text: str | None) -> Any:
    """A sealed JSON column read as text (a bulk read that skips the ORM's converters): decoded, and
    its tokens opened only when it holds any."""
    if text is None:
        return None
    if text[:1] == '"' and text[-1:] == '"' and "\\" not in text and PREFIX not in text:
        return text[1:-1]  # a plain JSON string (most canonical numbers, "12.5"): nothing to decode
    try:
        value, end = _JSON.raw_decode(text)  # what json.loads returns, when it reads to the end
    except json.JSONDecodeError:
        end = -1
    if end != len(text):
        value = json.loads(text)  # surrounding whitespace, or the error json.loads raises
    return unseal(value) if PREFIX in text else value


class SealedJSONField(models.JSONField):
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return unseal(super().from_db_value(value, expression, connection))

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(seal(value))


class _Encrypted:
    """Mixed into a CharField or EmailField: plain text in Python, a token in a text column."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return _plain(value) if is_token(value) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        if isinstance(value, str) and value and not is_token(value):
            return encrypt(value)
        return value


class EncryptedCharField(_Encrypted, models.CharField):
    pass


class EncryptedEmailField(_Encrypted, models.EmailField):
    pass
