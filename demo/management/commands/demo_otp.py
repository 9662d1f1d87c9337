"""`manage.py demo_otp USERNAME`: the current second-factor code of a demo account (demo only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import demo_totp_key


class Command(BaseCommand):
    help = "显示演示账号当前的两步验证码（仅限演示环境，代替手机验证器）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="演示账号用户名，如 demo_ministry")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        if not settings.DEBUG:
            raise CommandError("只能在演示环境（DJANGO_DEBUG=true）中使用。")
        # Only a device still holding the published demo secret: a real secret is never shown.
        device = TOTPDevice.objects.filter(
            user__username=username, confirmed=True, key=demo_totp_key(username)
        ).first()
        if device is None:
            raise CommandError(f"{username} 不是使用演示密钥的演示账号。")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        totp.time = time.time()
        left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}（{left} 秒内有效，每个验证码只能使用一次）")
