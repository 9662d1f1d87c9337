"""`manage.py encrypt_contacts`: (re-)encrypt every stored phone and e-mail under the current
FIELD_ENCRYPTION_KEY and FIELD_ENCRYPTION_ALGORITHM: the user table, the submissions' contact cells
and their history. Run it after a key rotation (old key in FIELD_ENCRYPTION_OLD_KEYS) or a switch to
SM4; afterwards the old key may be removed. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from audit.services import event_record
from definitions.models import Definition
from submissions.models import Value, ValueChange
from submissions.sensitive import contacts_seal_existing


class Command(BaseCommand):
    help = "用当前密钥和算法重新加密全部联系电话和电子邮箱（用户表与填报材料的联系信息）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            users = 0
            for pk, phone, email in User.objects.values_list("pk", "phone", "email").iterator(chunk_size=500):
                User.objects.filter(pk=pk).update(phone=phone, email=email)
                users += 1
            cells = contacts_seal_existing(
                value_model=Value, change_model=ValueChange, definition_model=Definition
            )
            event_record(
                actor=None,
                action="settings.reencrypt",
                summary=f"重新加密联系电话和电子邮箱：用户 {users} 个，填报记录 {cells} 条",
                data={"users": users, "cells": cells},
            )
        self.stdout.write(self.style.SUCCESS(f"已重新加密：用户 {users} 个，填报记录 {cells} 条。"))
