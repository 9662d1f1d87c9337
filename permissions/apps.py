from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "权限"

    def ready(self) -> None:
        # Imported here, not at module level: the app registry must be ready before the checks
        # (which import domain models) load. This is the one wiring point of the port.
        from lib import authz
        from permissions.checks import ANSWERS

        authz.register(ANSWERS)
