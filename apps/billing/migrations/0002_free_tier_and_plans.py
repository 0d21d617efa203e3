from decimal import Decimal

from django.db import migrations

PLANS = (
    # code, title ru, title en, price, stars, months, order
    ("pro-month", "PRO на месяц", "PRO for a month", Decimal("399"), 250, 1, 1),
    ("pro-quarter", "PRO на 3 месяца", "PRO for 3 months", Decimal("999"), 600, 3, 2),
    ("pro-year", "PRO на год", "PRO for a year", Decimal("2990"), 1800, 12, 3),
)


def create_defaults(apps, schema_editor):
    apps.get_model("billing", "FreeTier").objects.get_or_create(pk=1)
    plan = apps.get_model("billing", "Plan")
    for code, title_ru, title_en, price, stars, months, order in PLANS:
        plan.objects.get_or_create(
            code=code,
            defaults={
                "title_ru": title_ru,
                "title_en": title_en,
                "description_ru": "Без лимита сообщений, 20 фото в день, PRO-персонажи и 18+ после подтверждения возраста.",
                "description_en": "Unlimited messages, 20 photos a day, PRO personas and 18+ after age confirmation.",
                "price": price,
                "stars_price": stars,
                "period_months": months,
                "photos_per_day": 20,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
