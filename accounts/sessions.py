"""Session lifetime: 30 minutes idle, 12 hours absolute, counted from the login stamped here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

AUTH_AT = "sfjd_auth_at"
SEEN_AT = "sfjd_seen_at"
# The last-request time is rewritten at most this often, so a burst of requests (autosave) does not
# write the session row on each one; the idle limit is honoured to within this many seconds.
SEEN_RESOLUTION = 60


def session_stamp_login(request: HttpRequest) -> None:
    """Stamp the login time into the (new, rotated) session; called on Django's user_logged_in."""
    now = timezone.now().timestamp()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Django's login() and the test client's force_login both send this after cycling the session
    # key, so every authenticated session carries its login time.
    if request is not None and hasattr(request, "session"):
        session_stamp_login(request)


def session_expired(request: HttpRequest) -> str | None:
    """Why the session is over ("idle" or "absolute"), or None; refreshes the last-request time."""
    session = request.session
    now = timezone.now().timestamp()
    auth_at = session.get(AUTH_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(auth_at, int | float) or not isinstance(seen_at, int | float):
        # A session made before these stamps existed: start counting now.
        session[AUTH_AT] = session[SEEN_AT] = now
        return None
    if now - auth_at > settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    if now - seen_at > settings.SESSION_IDLE_SECONDS:
        return "idle"
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return None
