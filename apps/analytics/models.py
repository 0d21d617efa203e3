from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventSource(models.TextChoices):
    BOT = "bot", _("Bot")
    WEB = "web", _("Web")
    WORKER = "worker", _("Worker")
    ADMIN = "admin", _("Admin")


class Event(models.Model):
    """Something a user did or the system did for them; the raw material of every report.

    Never holds conversation content: analytics.services.event_track refuses text-like properties.
    """

    name = models.CharField(_("name"), max_length=64)
    user = models.ForeignKey(
        "accounts.TelegramUser",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    properties = models.JSONField(_("properties"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=16, choices=EventSource, default=EventSource.WEB)
    # Set once PostHog accepted the event (apps.analytics.posthog); empty: not sent yet.
    forwarded_at = models.DateTimeField(_("forwarded to PostHog at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["name", "occurred_at"], name="event_name_time_idx"),
            models.Index(fields=["user", "occurred_at"], name="event_user_time_idx"),
            # Only the backlog: "not yet forwarded, oldest first" stays cheap however many events were sent.
            models.Index(
                fields=["occurred_at", "id"], name="event_unforwarded_idx", condition=Q(forwarded_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.occurred_at:%Y-%m-%d %H:%M:%S}"
