from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_admin_audit"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeferredTask",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="task")),
                ("args", models.JSONField(blank=True, default=list, verbose_name="arguments")),
                ("deferred_at", models.DateTimeField(auto_now_add=True, verbose_name="deferred at")),
            ],
            options={
                "verbose_name": "deferred task",
                "verbose_name_plural": "deferred tasks",
                "ordering": ["id"],
            },
        ),
    ]
