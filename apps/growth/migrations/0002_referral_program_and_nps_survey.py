"""The referral program's settings row (on, 30 bonus messages) and an NPS survey the owner switches on;
Referral.activated_at (the invited user's first message, when the reward is decided)."""

from django.db import migrations, models


def create_program_and_survey(apps, schema_editor):
    ReferralProgram = apps.get_model("growth", "ReferralProgram")
    Survey = apps.get_model("growth", "Survey")
    if not ReferralProgram.objects.exists():
        ReferralProgram.objects.create(is_active=True, reward_kind="bonus_messages", reward_amount=30)
    Survey.objects.get_or_create(
        title="NPS",
        defaults={
            "question_ru": "Насколько вероятно, что вы порекомендуете Спутник другу?",
            "question_en": "How likely are you to recommend Sputnik to a friend?",
            "follow_up_ru": "Что сделало бы его лучше?",
            "follow_up_en": "What would make it better?",
            "send_after_days": 7,
            "is_active": False,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("growth", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="activated_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the invited user first wrote to a persona: the moment the reward is decided.",
                null=True,
                verbose_name="first message at",
            ),
        ),
        migrations.RunPython(create_program_and_survey, migrations.RunPython.noop),
    ]
