"""A change of a security setting (from the environment, at the next deployment) is in the audit trail."""

from __future__ import annotations

from django.core.management import call_command

from audit.models import Event
from audit.settings_watch import settings_changes_record


def test_the_first_run_records_a_baseline_and_an_unchanged_run_nothing(db):
    first = settings_changes_record()
    assert first is not None and "基线" in first.summary
    assert first.data["values"]["SESSION_IDLE_SECONDS"] == 1800
    assert settings_changes_record() is None
    assert Event.objects.filter(action="settings.change").count() == 1


def test_a_changed_value_is_recorded_with_before_and_after(db, settings):
    settings_changes_record()
    settings.LOGIN_FAILURES_PER_ADDRESS = 50
    event = settings_changes_record()
    assert event is not None and event.data["changed"] == ["LOGIN_FAILURES_PER_ADDRESS"]
    assert event.data["before"] == {"LOGIN_FAILURES_PER_ADDRESS": 20}
    assert event.data["values"]["LOGIN_FAILURES_PER_ADDRESS"] == 50
    assert "LOGIN_FAILURES_PER_ADDRESS" in event.summary


def test_a_changed_secret_shows_only_as_a_fingerprint(db, settings):
    settings_changes_record()
    settings.AUDIT_HMAC_KEY = "another-audit-key-that-is-long-enough-1234"
    event = settings_changes_record()
    assert event is not None and event.data["changed"] == ["AUDIT_HMAC_KEY"]
    assert "another-audit-key" not in str(event.data)
    assert event.data["values"]["AUDIT_HMAC_KEY"].startswith("sha256:")


def test_a_rotation_shows_the_old_key_among_the_fallbacks_as_a_fingerprint(db, settings):
    settings_changes_record()
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-key-after-a-planned-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    event = settings_changes_record()
    assert event is not None and event.data["changed"] == ["SECRET_KEY", "SECRET_KEY_FALLBACKS"]
    assert event.data["before"]["SECRET_KEY_FALLBACKS"] == []
    assert event.data["values"]["SECRET_KEY_FALLBACKS"] == [event.data["before"]["SECRET_KEY"]]
    assert old not in str(event.data) and "the-new-secret" not in str(event.data)


def test_migrate_records_the_settings(db, settings):
    settings.AUDIT_RECORD_SETTINGS_ON_MIGRATE = True
    call_command("migrate", "audit", verbosity=0)
    assert Event.objects.filter(action="settings.change").exists()
