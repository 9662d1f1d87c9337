"""Test settings: fast password hashing, in-memory e-mail."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests never serve collected static files; without this WhiteNoise warns that STATIC_ROOT is missing.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405

# Tasks run at once, in the test's own thread and transaction, on huey's in-memory storage.
HUEY = {**HUEY, "immediate": True}  # noqa: F405

# Tests that move the clock years ahead (deadline days of future campaigns) would otherwise find every
# password expired; the password-age tests set the production 90 days back (accounts/tests/conftest.py).
PASSWORD_MAX_AGE_DAYS = 36500

# The shared tests log in with force_login, which passes no second factor; accounts/tests/test_otp.py
# and the OTP browser test put the production set back with the settings fixture.
OTP_REQUIRED_ROLES = frozenset()

# The test database is migrated once for the whole run; audit/tests/test_settings_watch.py calls the
# settings record itself.
AUDIT_RECORD_SETTINGS_ON_MIGRATE = False

# pytest-django gives each xdist worker a test database of its own by suffixing its name, but leaves
# Django's SQLite engine alone (its test database lives in memory); config.sqlite3 is that engine.
if DATABASES["default"]["ENGINE"] == "config.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")  # noqa: F405
