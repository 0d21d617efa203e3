from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "Load each app's demo data (the dotted path in its AppConfig.demo_loader). "
        "Loaders are idempotent: running this again changes nothing that is already there."
    )

    def handle(self, *args, **options) -> None:
        loaders = [
            (config.label, config.demo_loader)
            for config in apps.get_app_configs()
            if getattr(config, "demo_loader", None)
        ]
        if not loaders:
            self.stdout.write("No app ships demo data yet.")
        for label, dotted_path in loaders:
            summary = import_string(dotted_path)()
            self.stdout.write(f"  {label}: {summary or 'up to date'}")
