from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.fields import EncryptedTextField
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
    adult_confirmed_at = models.DateTimeField(
        _("confirmed 18+ at"), null=True, blank=True, help_text=_("When the user confirmed being 18 or older.")
    )
    channel_joined_at = models.DateTimeField(
        _("joined the channel at"),
        null=True,
        blank=True,
        help_text=_("When the bot first saw the user in the required info channel."),
    )
    remembers_health = models.BooleanField(
        _("may remember health facts"),
        default=False,
        help_text=_("The user allowed the bot to remember what they say about their health."),
    )
    erased_at = models.DateTimeField(
        _("data erased at"),
        null=True,
        blank=True,
        help_text=_("The person's data was erased; this row only keeps payment records attached to nobody."),
    )

    class Meta:
        verbose_name = _("Telegram user")
        verbose_name_plural = _("Telegram users")
        ordering = ["-created_at"]
        permissions = [
            ("export_user_data", _("Can export a user's data")),
            ("erase_user_data", _("Can erase a user's data")),
        ]

    def __str__(self) -> str:
        return f"@{self.username}" if self.username else (self.full_name or str(self.telegram_id))

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class LegalDocument(TimeStampedModel):
    """A versioned text users accept: the privacy policy, the terms of use, later the public offer.

    Publishing a new version of a kind asks every user to accept again.
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("Privacy policy")
        TERMS = "terms", _("Terms of use")
        OFFER = "offer", _("Public offer")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    version = models.PositiveIntegerField(_("version"))
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_ru = models.TextField(_("text (Russian)"))
    body_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("Empty: a draft. Users are asked to accept the newest published version."),
    )

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="legal_document_kind_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Consent(models.Model):
    user = models.ForeignKey(TelegramUser, verbose_name=_("user"), on_delete=models.CASCADE, related_name="consents")
    document = models.ForeignKey(LegalDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="consent_user_document")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.document_id}"


class ProcessedUpdate(models.Model):
    """Telegram update ids already handled: a redelivered update is answered once."""

    update_id = models.BigIntegerField(_("update id"), unique=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("processed update")
        verbose_name_plural = _("processed updates")

    def __str__(self) -> str:
        return str(self.update_id)


class Feedback(TimeStampedModel):
    """What a user wrote to the team with /feedback (stored encrypted: it may be personal)."""

    user = models.ForeignKey(TelegramUser, verbose_name=_("user"), on_delete=models.CASCADE, related_name="feedback")
    text = EncryptedTextField(_("text"))
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.RUSSIAN)
    is_resolved = models.BooleanField(_("handled"), default=False)
    team_note = models.TextField(_("team note"), blank=True, help_text=_("Visible to the team only."))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user_id}"


class DataErasure(models.Model):
    """The record that a person's data was destroyed: when, by whom, why and how much of each kind.

    Never personal data: the user is the pseudonymous row that erasure leaves behind."""

    user = models.ForeignKey(
        TelegramUser,
        verbose_name=_("pseudonymous user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="erasures",
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now, db_index=True)
    actor = models.CharField(
        _("by"), max_length=150, help_text=_("“user” (from the bot), “retention” or the staff member's login.")
    )
    reason = models.CharField(
        _("reason"), max_length=200, blank=True, help_text=_("Without personal data, e.g. “request by e-mail #123”.")
    )
    removed = models.JSONField(_("removed"), default=dict, blank=True, help_text=_("How many rows of each kind."))

    class Meta:
        verbose_name = _("data erasure")
        verbose_name_plural = _("data erasures")
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"#{self.user_id} {self.erased_at:%Y-%m-%d %H:%M} ({self.actor})"
