"""Password rules on the server: length, three of four classes, not the username, not common, not reused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import PasswordHistory
from accounts.passwords import character_classes, password_expired
from conftest import PASSWORD


def refusal(password: str, user=None) -> str:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return "；".join(caught.value.messages)


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abcdefgh", 1), ("abcdEFGH", 2), ("abcdEF12", 3), ("abCD12!#", 4), ("密码abc123", 3)],
)
def test_it_counts_character_classes(password, classes):
    assert character_classes(password) == classes


class TestComposition:
    def test_it_refuses_a_single_class_password(self, db):
        assert "至少 3 类" in refusal("qwertzuiopasdf")

    def test_it_refuses_two_classes(self, db):
        assert "至少 3 类" in refusal("qwertzuiop1234")

    def test_it_accepts_three_classes(self, db):
        validate_password("Qwertz-uiopas")

    def test_it_refuses_a_short_password(self, db):
        assert "至少须 10 个字符" in refusal("Ab1!xyz")

    def test_it_refuses_a_common_password(self, db):
        assert "常见" in refusal("Password123")


class TestUsername:
    def test_it_refuses_the_username_inside_the_password(self, filler):
        assert "不得包含用户名" in refusal("Filler#2024x", filler)


class TestHistory:
    def test_it_records_each_new_password(self, filler):
        assert PasswordHistory.objects.filter(user=filler).count() == 1
        filler.set_password("Second-Pass-22")
        filler.save(update_fields=["password"])
        assert PasswordHistory.objects.filter(user=filler).count() == 2

    def test_it_refuses_the_current_password(self, filler):
        assert "最近 5 次" in refusal(PASSWORD, filler)

    def test_it_refuses_each_of_the_last_five(self, filler):
        used = [PASSWORD] + [f"Rotation-{n}-Xy" for n in range(4)]
        for password in used[1:]:
            filler.set_password(password)
            filler.save(update_fields=["password"])
        for password in used:
            assert "最近 5 次" in refusal(password, filler)

    def test_the_sixth_oldest_may_come_back(self, filler):
        for n in range(5):
            filler.set_password(f"Rotation-{n}-Xy")
            filler.save(update_fields=["password"])
        assert PasswordHistory.objects.filter(user=filler).count() == 5
        validate_password(PASSWORD, filler)


class TestMaximumAge:
    def test_a_new_password_is_dated(self, filler):
        assert filler.password_changed_at is not None
        assert not password_expired(filler, timezone.now())

    def test_it_expires_after_ninety_days(self, filler):
        changed = filler.password_changed_at
        assert not password_expired(filler, changed + dt.timedelta(days=89, hours=23))
        assert password_expired(filler, changed + dt.timedelta(days=90))

    def test_an_undated_password_counts_from_account_creation(self, filler):
        filler.password_changed_at = None
        filler.date_joined = timezone.now() - dt.timedelta(days=91)
        assert password_expired(filler, timezone.now())
