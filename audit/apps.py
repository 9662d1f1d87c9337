from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        # Imported here: the module loads the audit models.
        from audit.settings_watch import on_post_migrate

        # Each deployment runs migrate: a changed security setting is recorded then.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="audit.settings_watch")
