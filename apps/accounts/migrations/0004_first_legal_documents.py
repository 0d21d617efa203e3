from django.db import migrations
from django.utils import timezone


def publish_first_versions(apps, schema_editor):
    from apps.accounts.legal_defaults import PRIVACY_EN, PRIVACY_RU, TERMS_EN, TERMS_RU

    document = apps.get_model("accounts", "LegalDocument")
    for kind, title_ru, title_en, body_ru, body_en in (
        ("privacy", "Политика конфиденциальности", "Privacy policy", PRIVACY_RU, PRIVACY_EN),
        ("terms", "Условия использования", "Terms of use", TERMS_RU, TERMS_EN),
    ):
        document.objects.get_or_create(
            kind=kind,
            version=1,
            defaults={
                "title_ru": title_ru,
                "title_en": title_en,
                "body_ru": body_ru,
                "body_en": body_en,
                "published_at": timezone.now(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_processedupdate_legaldocument_consent")]

    operations = [migrations.RunPython(publish_first_versions, migrations.RunPython.noop)]
