from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts.sessions import on_user_logged_in


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.sessions.stamp_login")
        # Imported here: axes' signals, accounts.lockout and accounts.otp load models, so the registry must be ready.
        from axes.signals import user_locked_out

        from accounts import auth_events
        from accounts.lockout import on_user_locked_out
        from accounts.otp import on_user_logged_in as otp_on_user_logged_in

        user_locked_out.connect(on_user_locked_out, dispatch_uid="accounts.lockout.audit")
        # Whether the new session owes a second factor is decided once, at login.
        user_logged_in.connect(otp_on_user_logged_in, dispatch_uid="accounts.otp.stamp_login")
        user_logged_in.connect(auth_events.on_user_logged_in, dispatch_uid="accounts.auth_events.login")
        user_login_failed.connect(
            auth_events.on_user_login_failed, dispatch_uid="accounts.auth_events.failed"
        )
        user_logged_out.connect(auth_events.on_user_logged_out, dispatch_uid="accounts.auth_events.logout")
