"""The request type of views that require a login."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that passed `@login_required`: its user is a real `User`, never `AnonymousUser`.

    Only a type: views that require a login annotate their request with it (as healthchecks does), so
    `request.user.base_id` type-checks without a cast in every view. Django still builds a plain
    HttpRequest; nothing is instantiated from this class.
    """

    user: User
