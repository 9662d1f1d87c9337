"""Phones and e-mails are encrypted in the database (AES-256-GCM by default, SM4-GCM as the option),
read back as plain text by the application, and masked for people who do not need them."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from audit.models import Event
from security.crypto import DecryptionError, decrypt, encrypt, is_token, mask_email, mask_phone
from security.fields import UNREADABLE, Sensitive, seal, unseal, unseal_text


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("algorithm", ["aes-gcm", "sm4-gcm"])
def test_each_algorithm_round_trips_with_a_fresh_nonce(settings, algorithm):
    settings.FIELD_ENCRYPTION_ALGORITHM = algorithm
    first, second = encrypt("13812345678"), encrypt("13812345678")
    assert first.startswith(f"enc1:{algorithm}:") and first != second
    assert decrypt(first) == decrypt(second) == "13812345678"


def test_a_changed_algorithm_still_reads_older_values(settings):
    old = encrypt("a@example.com", algorithm="aes-gcm")
    settings.FIELD_ENCRYPTION_ALGORITHM = "sm4-gcm"
    assert decrypt(old) == "a@example.com"


def test_an_altered_token_or_another_key_does_not_decrypt(settings):
    token = encrypt("13812345678")
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with pytest.raises(DecryptionError):
        decrypt(flipped)
    settings.FIELD_ENCRYPTION_KEY = "another-field-key-that-is-long-enough-00"
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_an_old_key_listed_after_a_rotation_still_decrypts(settings):
    token = encrypt("13812345678")
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = "the-new-field-key-that-is-long-enough-01"
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old_key]
    assert decrypt(token) == "13812345678"


def test_a_users_phone_and_email_are_ciphertext_in_the_table(filler):
    filler.phone, filler.email = "13812345678", "zhang@example.com"
    filler.save(update_fields=["phone", "email"])
    phone, email = stored("accounts_user", "phone", filler.pk), stored("accounts_user", "email", filler.pk)
    assert is_token(phone) and is_token(email)
    assert "13812345678" not in phone and "zhang" not in email
    fresh = User.objects.get(pk=filler.pk)
    assert (fresh.phone, fresh.email) == ("13812345678", "zhang@example.com")


def test_a_value_the_key_cannot_open_shows_as_unreadable_not_an_error(filler, settings):
    filler.phone = "13812345678"
    filler.save(update_fields=["phone"])
    settings.FIELD_ENCRYPTION_KEY = "another-field-key-that-is-long-enough-00"
    assert User.objects.get(pk=filler.pk).phone == UNREADABLE


def test_only_marked_strings_in_json_are_sealed():
    data = [{"name": "张三", "mobile": Sensitive("13812345678")}]
    sealed = seal(data)
    assert sealed[0]["name"] == "张三" and is_token(sealed[0]["mobile"])
    opened = unseal(sealed)
    assert opened == data and isinstance(opened[0]["mobile"], Sensitive)


def test_masks_keep_just_enough_to_recognise_the_value():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_email("zhang@example.com") == "z***@example.com"


def test_the_rotation_command_re_encrypts_under_the_new_key(filler, settings):
    filler.phone = "13812345678"
    filler.save(update_fields=["phone"])
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = "the-new-field-key-that-is-long-enough-01"
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old_key]
    call_command("encrypt_contacts", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert User.objects.get(pk=filler.pk).phone == "13812345678"
    assert Event.objects.filter(action="settings.reencrypt").exists()


def test_a_column_read_as_text_decodes_as_the_field_would():
    sealed = json.dumps(seal([{"name": "张三", "mobile": Sensitive("13812345678")}]))
    assert unseal_text(sealed) == [{"name": "张三", "mobile": "13812345678"}]
    for value in (
        "12.5",
        "",
        'a "quoted" \\ text',
        "张三",
        {"answer": True, "note": "说明"},
        3,
        None,
        [1, "2"],
    ):
        assert unseal_text(json.dumps(value)) == value
    # As SQLite keeps them (\uXXXX), as PostgreSQL prints jsonb (plain, spaced), with whitespace around.
    for text in ('"\\u5f20\\u4e09"', '"张三"', '{"a": [1, "二"]}', ' "12.5" ', "[1, 2] ", "\ttrue", "-0.0"):
        assert unseal_text(text) == json.loads(text)
    for broken in ('"unterminated', "[1, 2", '"a" "b', ""):
        with pytest.raises(json.JSONDecodeError):
            unseal_text(broken)
    assert unseal_text(None) is None
    token = json.dumps(seal(Sensitive("a@example.cn")))
    assert unseal_text(token) == "a@example.cn" and isinstance(unseal_text(token), Sensitive)
