from django.db import migrations

DEFAULT_STEPS = [
    {"event": "bot_start", "label": "Started the bot"},
    {"event": "consent_accepted", "label": "Accepted the terms"},
    {"event": "module_chosen", "label": "Chose a module"},
    {"event": "persona_chosen", "label": "Chose a persona"},
    {"event": "message_sent", "label": "Sent a message"},
    {"event": "message_sent", "min_count": 10, "label": "Sent 10 messages"},
    {"event": "$returned_next_day", "label": "Returned the next day"},
    {"event": "paywall_shown", "label": "Saw the paywall"},
    {"event": "payment_started", "label": "Started a payment"},
    {"event": "payment_succeeded", "label": "Paid"},
]


def create_default(apps, schema_editor):
    apps.get_model("analytics", "FunnelDefinition").objects.get_or_create(
        name="Main funnel", defaults={"steps": DEFAULT_STEPS, "order": 1}
    )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_funnel_definition")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
