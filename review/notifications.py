"""Telling people: a message inside the system and the same text by e-mail."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import send_mass_mail
from django.urls import reverse

from accounts.models import Role, User
from registry.models import Authority, Base
from review.models import Notification

logger = logging.getLogger(__name__)


def notify_users(*, users: Iterable[User], subject: str, body: str, link: str = "") -> int:
    users = [u for u in users if u.is_active]
    Notification.objects.bulk_create(
        Notification(user=u, subject=subject, body=body, link=link) for u in users
    )
    messages = [(f"【示范基地信息管理系统】{subject}", body, None, [u.email]) for u in users if u.email]
    if messages:
        # Mail is a courtesy copy: a failing mail server must not undo the in-system message or the
        # state change that caused it.
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:
            logger.exception("notification e-mail failed")
    return len(users)


def notify_base_users(*, base: Base, subject: str, body: str, submission=None) -> int:
    link = reverse("review:submit", args=[submission.pk]) if submission is not None else ""
    users = User.objects.filter(role=Role.BASE_FILLER, base=base, is_active=True)
    return notify_users(users=users, subject=subject, body=body, link=link)


def notify_authority_users(*, authority: Authority, subject: str, body: str, link: str = "") -> int:
    users = User.objects.filter(role=Role.AUTHORITY_REVIEWER, authority=authority, is_active=True)
    return notify_users(users=users, subject=subject, body=body, link=link)
