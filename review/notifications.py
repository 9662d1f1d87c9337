"""Telling people: a message inside the system and the same text by e-mail, after the change commits.

Services call these functions inside their transaction; the recipients are chosen there (from the
state being committed), but nothing goes out until the transaction commits
(`transaction.on_commit`). So a change that is rolled back tells nobody, a message never announces
a state the database does not hold, and no mail server is waited for while rows are locked. Outside
a transaction (autocommit) the callbacks run at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse

from accounts.models import User, active_fillers, active_reviewers
from registry.models import Authority, Base
from review.models import Notification
from submissions.models import Submission

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【示范基地信息管理系统】"


def _post(user_ids: list[int], subject: str, body: str, link: str) -> None:
    Notification.objects.bulk_create(
        Notification(user_id=pk, subject=subject, body=body, link=link) for pk in user_ids
    )


def _mail(addresses: list[str], subject: str, body: str) -> None:
    # Mail is a courtesy copy: a failing mail server must not undo or hide the in-system message,
    # and the state change that caused it is already committed.
    try:
        send_mass_mail([(SUBJECT_PREFIX + subject, body, None, [a]) for a in addresses], fail_silently=False)
    except Exception:
        logger.exception("notification e-mail failed")


def mail_body(body: str, link: str) -> str:
    """The e-mailed text: the message and the address of the exact page to act on."""
    if not link:
        return body
    return f"{body}\n\n请登录系统处理：{settings.SITE_URL.rstrip('/')}{link}"


def notify_users(*, users: Iterable[User], subject: str, body: str, link: str = "") -> int:
    """Schedule the message for the active users once the current transaction commits.

    Returns how many people will be told. Only ids and addresses are kept for the callback, so a
    later change to the User objects cannot redirect a message.
    """
    recipients = [u for u in users if u.is_active]
    if not recipients:
        return 0
    # robust: the change is committed; a failing insert is logged rather than turned into an error
    # page for an action that did happen.
    transaction.on_commit(partial(_post, [u.pk for u in recipients], subject, body, link), robust=True)
    addresses = [u.email for u in recipients if u.email]
    if addresses:
        transaction.on_commit(partial(_mail, addresses, subject, mail_body(body, link)))
    return len(recipients)


def notify_base_users(
    *, base: Base, subject: str, body: str, submission: Submission | None = None, link: str = ""
) -> int:
    """To the base's fillers; the link defaults to the material's submit page."""
    if not link and submission is not None:
        link = reverse("review:submit", args=[submission.pk])
    users = active_fillers(base)
    return notify_users(users=users, subject=subject, body=body, link=link)


def notify_authority_users(*, authority: Authority, subject: str, body: str, link: str = "") -> int:
    users = active_reviewers(authority)
    return notify_users(users=users, subject=subject, body=body, link=link)


def base_fillers_reach(base: Base) -> tuple[int, int]:
    """(active fillers of the base, of whom without an e-mail address): what a page promising
    e-mail must say before it is sent. Addresses are encrypted at rest, so they are read, not filtered."""
    users = list(active_fillers(base))
    return len(users), sum(1 for u in users if not u.email)
