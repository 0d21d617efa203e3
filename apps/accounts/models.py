from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.core.validators import validate_start_payload, validate_timezone

# Users' local midnight (daily quotas, reminders) falls in Moscow until they say otherwise.
DEFAULT_USER_TIMEZONE = "Europe/Moscow"


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")


class TelegramUser(TimeStampedModel):
    """A person who talks to the bot, known by their Telegram id."""

    telegram_id = models.BigIntegerField(_("Telegram id"), unique=True)
    username = models.CharField(_("username"), max_length=32, blank=True)
    first_name = models.CharField(_("first name"), max_length=64, blank=True)
    last_name = models.CharField(_("last name"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.RUSSIAN)
    timezone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_USER_TIMEZONE, validators=[validate_timezone]
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    has_blocked_bot = models.BooleanField(
        _("blocked the bot"), default=False, help_text=_("Telegram refused delivery: the user blocked the bot.")
    )
    blocked_bot_at = models.DateTimeField(_("blocked the bot at"), null=True, blank=True)
    is_beta_tester = models.BooleanField(
        _("beta tester"), default=False, help_text=_("Sees modules and personas that are open to beta testers only.")
    )
    acquisition_code = models.CharField(
        _("acquisition code"),
        max_length=64,
        blank=True,
        db_index=True,
        validators=[validate_start_payload],
        help_text=_("The deep-link payload of the user's first /start: the channel that brought them."),
    )
    acquired_at = models.DateTimeField(_("first touch"), null=True, blank=True)
    remembers_health = models.BooleanField(
        _("may remember health facts"),
        default=False,
        help_text=_("The user allowed the bot to remember what they say about their health."),
    )

    class Meta:
        verbose_name = _("Telegram user")
        verbose_name_plural = _("Telegram users")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"@{self.username}" if self.username else (self.full_name or str(self.telegram_id))

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)
