from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from apps.core import crypto  # noqa: F401  (connects the settings-change receiver)
