"""`audit_purge` keeps at least 180 days: younger records are refused, older ones go and the rest of
the chain still verifies."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit.models import AppendOnlyError, Event
from audit.services import chain_verify_full, event_record


@pytest.fixture
def aged_trail(db, ministry, settings, tmp_path):
    settings.AUDIT_ANCHOR_DIR = tmp_path
    now = timezone.now()
    for days in (400, 300, 200, 10, 0):
        with mock.patch("django.utils.timezone.now", return_value=now - dt.timedelta(days=days)):
            event_record(actor=ministry, action="test.aged", summary=f"{days} 天前")
    return now


def test_it_refuses_to_purge_records_younger_than_180_days(aged_trail):
    too_recent = (timezone.localdate() - dt.timedelta(days=100)).isoformat()
    with pytest.raises(CommandError, match="至少保存 180 天"):
        call_command("audit_purge", "--before", too_recent)
    assert Event.objects.filter(action="test.aged").count() == 5


def test_a_shorter_setting_is_raised_to_180_days(aged_trail, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    with pytest.raises(CommandError, match="至少保存 180 天"):
        call_command("audit_purge", "--before", (timezone.localdate() - dt.timedelta(days=60)).isoformat())


def test_it_purges_older_records_and_the_rest_still_verifies(aged_trail):
    out = io.StringIO()
    call_command(
        "audit_purge", "--before", (timezone.localdate() - dt.timedelta(days=250)).isoformat(), stdout=out
    )
    assert "已清除 2 条" in out.getvalue()
    assert sorted(Event.objects.filter(action="test.aged").values_list("summary", flat=True)) == [
        "0 天前",
        "10 天前",
        "200 天前",
    ]
    assert Event.objects.filter(action="audit.purge").exists()
    assert chain_verify_full().ok


def test_it_refuses_to_purge_a_trail_that_does_not_verify(aged_trail):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET summary = '篡改' WHERE summary = '400 天前'")
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("audit_purge", "--before", (timezone.localdate() - dt.timedelta(days=250)).isoformat())


def test_the_application_cannot_delete_or_edit_an_event(aged_trail):
    event = Event.objects.first()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(summary="改")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
