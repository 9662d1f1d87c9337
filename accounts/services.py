"""Account state changes: passwords (and, below, role grants). Each one is recorded in the audit trail."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from audit.services import event_record


@transaction.atomic
def password_change(*, user: User, password: str) -> None:
    """The user sets their own new password (already validated by the form); temporary no more."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    event_record(actor=user, action="account.password_changed", summary="修改本人密码", target=user)
