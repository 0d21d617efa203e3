from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonasConfig(AppConfig):
    name = "apps.personas"
    label = "personas"
    verbose_name = _("Persona library")
    demo_loader = "apps.personas.demo.demo_library_load"
