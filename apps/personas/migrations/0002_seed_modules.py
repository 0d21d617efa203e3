from django.db import migrations


def create_modules(apps, schema_editor):
    from apps.personas.module_defaults import MODULES

    module_model = apps.get_model("personas", "Module")
    for fields in MODULES:
        module_model.objects.get_or_create(code=fields["code"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("personas", "0001_initial")]

    operations = [migrations.RunPython(create_modules, migrations.RunPython.noop)]
