"""The production stack on loopback, for the deadline-day benchmark: production settings except
that the benchmark speaks plain HTTP to 127.0.0.1, so nothing redirects to HTTPS or marks cookies
secure. Never used to serve anyone."""

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
