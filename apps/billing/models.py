"""Plans, the free tier, subscriptions, payments, refunds and daily usage counters."""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import TelegramUser
from apps.core.models import TimeStampedModel


class Plan(TimeStampedModel):
    """A PRO plan users buy: its price, period and what it unlocks."""

    class Period(models.IntegerChoices):
        MONTH = 1, _("1 month")
        QUARTER = 3, _("3 months")
        YEAR = 12, _("1 year")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=64)
    title_en = models.CharField(_("title (English)"), max_length=64)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    price = models.DecimalField(_("price, RUB"), max_digits=10, decimal_places=2, validators=[MinValueValidator(1)])
    stars_price = models.PositiveIntegerField(
        _("price in Telegram Stars"), null=True, blank=True, help_text=_("Empty: not sold for Stars.")
    )
    period_months = models.PositiveSmallIntegerField(_("period"), choices=Period, default=Period.MONTH)
    pro_personas = models.BooleanField(_("PRO personas"), default=True)
    adult_content = models.BooleanField(_("18+ conversations"), default=True, help_text=_("After age confirmation."))
    messages_per_day = models.PositiveIntegerField(
        _("messages a day"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    photos_per_day = models.PositiveIntegerField(
        _("photos a day"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["order", "price"]

    def __str__(self) -> str:
        return f"{self.title_ru} — {self.price} ₽"

    def title(self, language: str) -> str:
        return self.title_ru if language == "ru" else self.title_en

    def description(self, language: str) -> str:
        return self.description_ru if language == "ru" else self.description_en


class FreeTier(models.Model):
    """The limits of users without a subscription: one row, edited in the admin."""

    messages_per_day = models.PositiveIntegerField(_("messages a day"), default=30)
    photos_per_day = models.PositiveIntegerField(_("photos a day"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("free tier")
        verbose_name_plural = _("free tier")

    def __str__(self) -> str:
        return str(_("Free tier"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # a single row
        super().save(*args, **kwargs)


class Subscription(TimeStampedModel):
    """A user's PRO subscription. Cancelling stops renewals; access lasts to the end of the paid period."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAST_DUE = "past_due", _("past due")
        CANCELED = "canceled", _("canceled")
        EXPIRED = "expired", _("expired")

    user = models.ForeignKey(
        TelegramUser, verbose_name=_("user"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE, db_index=True)
    current_period_start = models.DateTimeField(_("period start"))
    current_period_end = models.DateTimeField(_("period end"), db_index=True)
    auto_renew = models.BooleanField(_("auto-renew"), default=True)
    payment_method_id = models.CharField(_("saved payment method"), max_length=64, blank=True)
    grace_until = models.DateTimeField(_("grace period until"), null=True, blank=True)
    renewal_attempts = models.PositiveSmallIntegerField(_("failed renewal attempts"), default=0)
    next_renewal_at = models.DateTimeField(_("next renewal attempt"), null=True, blank=True, db_index=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    canceled_at = models.DateTimeField(_("canceled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status__in=["active", "past_due"]), name="subscription_one_live_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.plan.code} ({self.status})"


class Payment(TimeStampedModel):
    """One charge: the first purchase or a renewal, through YooKassa or Telegram Stars."""

    class Provider(models.TextChoices):
        YOOKASSA = "yookassa", _("YooKassa")
        TELEGRAM_STARS = "stars", _("Telegram Stars")

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("purchase")
        RENEWAL = "renewal", _("renewal")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        WAITING_FOR_CAPTURE = "waiting_for_capture", _("waiting for capture")
        SUCCEEDED = "succeeded", _("succeeded")
        CANCELED = "canceled", _("canceled")

    user = models.ForeignKey(TelegramUser, verbose_name=_("user"), on_delete=models.PROTECT, related_name="payments")
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="payments")
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    provider = models.CharField(_("provider"), max_length=16, choices=Provider, default=Provider.YOOKASSA)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.PURCHASE)
    status = models.CharField(_("status"), max_length=24, choices=Status, default=Status.PENDING, db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    refunded_amount = models.DecimalField(_("refunded"), max_digits=10, decimal_places=2, default=0)
    provider_payment_id = models.CharField(_("provider payment id"), max_length=64, unique=True, null=True, blank=True)
    idempotence_key = models.UUIDField(_("idempotence key"), default=uuid.uuid4, unique=True, editable=False)
    confirmation_url = models.URLField(_("confirmation URL"), max_length=500, blank=True)
    save_payment_method = models.BooleanField(_("save payment method"), default=True)
    payment_method_id = models.CharField(_("payment method"), max_length=64, blank=True)
    receipt = models.JSONField(_("receipt"), default=dict, blank=True)
    notifications = models.JSONField(_("notification log"), default=list, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    applied_at = models.DateTimeField(
        _("applied at"), null=True, blank=True, help_text=_("When the subscription was extended for this payment.")
    )
    congratulated_at = models.DateTimeField(
        _("user told at"), null=True, blank=True, help_text=_("When the user was told in Telegram that PRO is on.")
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency} ({self.status})"


class Refund(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        CANCELED = "canceled", _("canceled")

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0.01)])
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    provider_refund_id = models.CharField(_("provider refund id"), max_length=64, unique=True, null=True, blank=True)
    idempotence_key = models.UUIDField(_("idempotence key"), default=uuid.uuid4, unique=True, editable=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.amount} ({self.status})"


class DailyUsage(models.Model):
    """Messages a user sent on one local day: counted atomically, reset by the date changing. (Photos are counted
    from their deliveries in apps.conversations.)"""

    user = models.ForeignKey(TelegramUser, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    messages = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        verbose_name = _("daily usage")
        verbose_name_plural = _("daily usage")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="daily_usage_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.messages}"


class BonusBalance(models.Model):
    """Messages a user was given (a referral reward, say): spent only once the day's own limit is used up,
    and kept until spent."""

    user = models.OneToOneField(
        TelegramUser, verbose_name=_("user"), on_delete=models.CASCADE, related_name="bonus_balance"
    )
    messages = models.PositiveIntegerField(_("bonus messages"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bonus balance")
        verbose_name_plural = _("bonus balances")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.messages}"
