from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps.core import crypto  # noqa: F401  (connects the settings-change receiver)
        from apps.core.roles import staff_roles_sync_after_migrate

        # Once per migrate, after the last app's migrations: every model's permissions exist by then.
        last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(staff_roles_sync_after_migrate, sender=last_app, dispatch_uid="staff_roles_sync")
