from django.db import migrations
from django.utils import timezone


def publish_offer(apps, schema_editor):
    from apps.accounts.legal_defaults import OFFER_EN, OFFER_RU

    apps.get_model("accounts", "LegalDocument").objects.get_or_create(
        kind="offer",
        version=1,
        defaults={
            "title_ru": "Публичная оферта",
            "title_en": "Public offer",
            "body_ru": OFFER_RU,
            "body_en": OFFER_EN,
            "published_at": timezone.now(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_channel_joined_feedback")]

    operations = [migrations.RunPython(publish_offer, migrations.RunPython.noop)]
