"""The bank of acquisition hypotheses, the deep links that test them, and what they cost."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.core.validators import validate_start_payload

# Start payloads beginning with this belong to the referral program (apps.growth.models.referrals).
REFERRAL_PREFIX = "ref-"


class AcquisitionChannel(models.TextChoices):
    TELEGRAM_ADS = "telegram_ads", _("Telegram Ads")
    CHANNEL_POSTS = "channel_posts", _("Posts in channels")
    INFLUENCERS = "influencers", _("Influencers")
    SEO = "seo", _("SEO")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class SuccessMetric(models.TextChoices):
    """What decides a hypothesis; rates are fractions (0.25 = 25 %), money in rubles."""

    ACTIVATION = "activation", _("Activation (first message), share")
    RETENTION_D7 = "retention_d7", _("D7 retention, share")
    PAID_CONVERSION = "paid_conversion", _("Paid conversion, share")
    CAC = "cac", _("CAC (spend per paying user), at most")
    ROI = "roi", _("ROI ((revenue − spend) / spend), at least")


def score_validators():
    return [MinValueValidator(1), MaxValueValidator(10)]


class Hypothesis(TimeStampedModel):
    """An idea for bringing users, tested by its links and kept or dropped by its numbers."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        VALIDATED = "validated", _("Validated")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=32, choices=AcquisitionChannel, default=AcquisitionChannel.OTHER
    )
    target_segment = models.CharField(_("target segment"), max_length=200, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), default=5, validators=score_validators())
    confidence = models.PositiveSmallIntegerField(_("confidence"), default=5, validators=score_validators())
    ease = models.PositiveSmallIntegerField(_("ease"), default=5, validators=score_validators())
    ice_score = models.GeneratedField(
        expression=F("impact") * F("confidence") * F("ease"),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
        verbose_name=_("ICE"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.IDEA, db_index=True)
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hypotheses",
    )
    budget = models.DecimalField(
        _("budget, ₽"), max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    success_metric = models.CharField(
        _("success metric"), max_length=32, choices=SuccessMetric, default=SuccessMetric.PAID_CONVERSION
    )
    success_threshold = models.DecimalField(
        _("threshold"),
        max_digits=12,
        decimal_places=4,
        default=Decimal("0.05"),
        help_text=_("Shares as fractions (0.05 = 5 %), CAC in rubles, ROI as a fraction (0.2 = +20 %)."),
    )
    min_users = models.PositiveIntegerField(
        _("users needed for a verdict"),
        default=100,
        validators=[MinValueValidator(1)],
        help_text=_("Below this many acquired users the verdict is “not enough data”."),
    )
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        verbose_name = _("hypothesis")
        verbose_name_plural = _("hypotheses")
        ordering = ["-ice_score", "-created_at"]

    def __str__(self) -> str:
        return self.title


class AcquisitionLink(TimeStampedModel):
    """A deep link `t.me/<bot>?start=<code>`: every user who first arrives through it is counted here."""

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[validate_start_payload],
        help_text=_("The start payload: 1 to 64 Latin letters, digits, '_' or '-'."),
    )
    hypothesis = models.ForeignKey(
        Hypothesis,
        verbose_name=_("hypothesis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
    )
    channel = models.CharField(
        _("channel"), max_length=32, choices=AcquisitionChannel, default=AcquisitionChannel.OTHER
    )
    placement = models.CharField(
        _("placement"),
        max_length=200,
        blank=True,
        help_text=_("Where the link is published: a channel, a post, an ad."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("acquisition link")
        verbose_name_plural = _("acquisition links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        super().clean()
        if self.code and self.code.lower().startswith(REFERRAL_PREFIX):
            raise ValidationError(
                {
                    "code": _("Codes starting with “%(prefix)s” belong to the referral program.")
                    % {"prefix": REFERRAL_PREFIX}
                }
            )


class Spend(TimeStampedModel):
    """Money spent on a hypothesis (optionally on one of its links), on a day."""

    hypothesis = models.ForeignKey(
        Hypothesis, verbose_name=_("hypothesis"), on_delete=models.CASCADE, related_name="spends"
    )
    link = models.ForeignKey(
        AcquisitionLink, verbose_name=_("link"), null=True, blank=True, on_delete=models.SET_NULL, related_name="spends"
    )
    amount = models.DecimalField(_("amount, ₽"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    spent_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("spend")
        verbose_name_plural = _("spends")
        ordering = ["-spent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.amount} ₽ · {self.spent_on}"

    def clean(self) -> None:
        super().clean()
        if self.link_id and self.hypothesis_id and self.link.hypothesis_id != self.hypothesis_id:
            raise ValidationError({"link": _("This link tests another hypothesis.")})
