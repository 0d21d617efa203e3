"""The referral program: a personal link per user, who invited whom, and the reward for it."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class ReferralProgram(TimeStampedModel):
    """The program's settings (one row)."""

    class Reward(models.TextChoices):
        BONUS_MESSAGES = "bonus_messages", _("Bonus messages")
        PRO_DAYS = "pro_days", _("PRO days")

    is_active = models.BooleanField(_("active"), default=True)
    reward_kind = models.CharField(_("reward"), max_length=32, choices=Reward, default=Reward.BONUS_MESSAGES)
    reward_amount = models.PositiveIntegerField(
        _("reward amount"), default=30, validators=[MinValueValidator(1)], help_text=_("Messages or days.")
    )

    class Meta:
        verbose_name = _("referral program")
        verbose_name_plural = _("referral program")

    def __str__(self) -> str:
        return str(_("Referral program"))

    def clean(self) -> None:
        super().clean()
        limit = MAX_REWARD.get(self.reward_kind)
        if limit and self.reward_amount and self.reward_amount > limit:
            raise ValidationError({"reward_amount": _("At most %(limit)d for this reward.") % {"limit": limit}})


# Within what billing can give in one go (apps.billing.services.bonuses); a larger reward is surely a typo.
MAX_REWARD = {ReferralProgram.Reward.BONUS_MESSAGES: 10_000, ReferralProgram.Reward.PRO_DAYS: 365}


class ReferralCode(TimeStampedModel):
    """A user's personal invitation code; the start payload is the code itself (it starts with "ref-")."""

    user = models.OneToOneField(
        "accounts.TelegramUser", verbose_name=_("user"), on_delete=models.CASCADE, related_name="referral_code"
    )
    code = models.CharField(_("code"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")

    def __str__(self) -> str:
        return self.code


class Referral(TimeStampedModel):
    """A new user who first came through someone's personal link."""

    referrer = models.ForeignKey(
        "accounts.TelegramUser", verbose_name=_("referrer"), on_delete=models.CASCADE, related_name="referrals_made"
    )
    referee = models.OneToOneField(
        "accounts.TelegramUser", verbose_name=_("invited user"), on_delete=models.CASCADE, related_name="referred_by"
    )
    activated_at = models.DateTimeField(
        _("first message at"),
        null=True,
        blank=True,
        help_text=_("When the invited user first wrote to a persona: the moment the reward is decided."),
    )
    rewarded_at = models.DateTimeField(_("rewarded at"), null=True, blank=True)
    reward_kind = models.CharField(_("reward"), max_length=32, choices=ReferralProgram.Reward, blank=True)
    reward_amount = models.PositiveIntegerField(_("reward amount"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(referrer=models.F("referee")),
                name="referral_not_self",
                violation_error_message=_("Nobody can invite themselves."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referee_id}"
