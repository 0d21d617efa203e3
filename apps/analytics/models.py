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


def validate_funnel_steps(value) -> None:
    """Steps are [{"event": "...", "min_count": 1, "label": "..."}, ...]: at least two, the first a plain event."""
    from django.core.exceptions import ValidationError

    from apps.analytics.reports.funnel import RETURNED_NEXT_DAY

    if not isinstance(value, list) or len(value) < 2:
        raise ValidationError(_("A funnel needs at least two steps."))
    for number, step in enumerate(value, start=1):
        if not isinstance(step, dict) or not isinstance(step.get("event"), str) or not step["event"].strip():
            raise ValidationError(_("Step %(number)d needs an event name.") % {"number": number})
        count = step.get("min_count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValidationError(_("Step %(number)d: min_count must be a whole number ≥ 1.") % {"number": number})
        if step["event"] == RETURNED_NEXT_DAY and (number == 1 or count != 1):
            raise ValidationError(_("“Returned next day” can only be a later step, counted once."))
    if value[0].get("min_count", 1) != 1:
        raise ValidationError(_("The first step is counted once: users enter the funnel there."))


class FunnelDefinition(models.Model):
    """A funnel marketing watches on the dashboard, edited in the admin."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    steps = models.JSONField(
        _("steps"),
        validators=[validate_funnel_steps],
        help_text=_(
            'A list like [{"event": "bot_start", "label": "Started"}, {"event": "message_sent", "min_count": 10}]; '
            '"$returned_next_day" is the step "came back on a later day".'
        ),
    )
    window_days = models.PositiveSmallIntegerField(_("window, days"), default=30)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("on the dashboard"), default=True)

    class Meta:
        verbose_name = _("funnel")
        verbose_name_plural = _("funnels")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ReportSnapshot(models.Model):
    """A dashboard panel computed ahead by Celery (apps.analytics.snapshots) for a preset range, in one
    language: the dashboard shows it instead of recomputing while it is fresh."""

    panel = models.CharField(_("panel"), max_length=64)
    signature = models.CharField(_("definition signature"), max_length=64, blank=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    channel = models.CharField(_("channel"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8)
    table = models.JSONField(_("table"))  # {"header": [...], "rows": [[...]]}, decimals tagged
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"))

    class Meta:
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "date_from", "date_to", "channel", "language"], name="report_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} {self.date_from}…{self.date_to} {self.language}"
