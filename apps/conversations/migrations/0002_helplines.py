from django.db import migrations

HELPLINES = [
    ("Телефон доверия для детей, подростков и их родителей (бесплатно)", "Helpline for children, teenagers and parents (free)", "8-800-2000-122", 10),
    ("Психологическая помощь с городских телефонов в Москве", "Psychological help from Moscow landlines", "051", 20),
    ("Экстренные службы", "Emergency services", "112", 30),
]


def create_helplines(apps, schema_editor):
    helpline_model = apps.get_model("conversations", "Helpline")
    for name_ru, name_en, phone, order in HELPLINES:
        helpline_model.objects.get_or_create(phone=phone, defaults={"name_ru": name_ru, "name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("conversations", "0001_initial")]

    operations = [migrations.RunPython(create_helplines, migrations.RunPython.noop)]
