from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from accounts.sessions import on_user_logged_in


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.sessions.stamp_login")
