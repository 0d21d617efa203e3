"""What a user may do now: one entitlement the dialogue engine and the bot both read."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.utils import timezone

from apps.accounts.models import DEFAULT_USER_TIMEZONE, TelegramUser
from apps.billing.models import BonusBalance, DailyUsage, FreeTier, Payment, Plan, Subscription

LIVE_STATUSES = (Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE)


@dataclass(frozen=True)
class Entitlement:
    """None for a limit or what is left means unlimited."""

    plan_code: str  # "" on the free tier
    status: str  # the subscription's status, "" on the free tier
    has_pro: bool  # PRO personas and photos
    adult_allowed: bool  # the plan allows 18+ (the age confirmation is checked separately)
    adult_confirmed: bool
    messages_per_day: int | None
    photos_per_day: int | None
    messages_left: int | None  # today's own + bonus; photos left: apps.conversations.photos.photos_left_today
    period_end: datetime | None
    auto_renew: bool
    grace_until: datetime | None
    bonus_messages: int = 0  # given messages, spent after the day's own limit (included in messages_left)

    @property
    def can_talk_adult(self) -> bool:
        return self.adult_allowed and self.adult_confirmed

    def lock(self, action: str) -> str:
        """Why `action` ("message", "pro", "adult") is not possible now; "" when it is."""
        if action == "message" and self.messages_left == 0:
            return "message_quota"
        if action in ("pro", "adult") and not self.has_pro:
            return "pro_required"
        if action == "adult" and not self.adult_allowed:
            return "pro_required"
        if action == "adult" and not self.adult_confirmed:
            return "age_confirmation_required"
        return ""


def free_tier() -> FreeTier:
    tier, _created = FreeTier.objects.get_or_create(pk=1)
    return tier


def subscription_live(*, user_id: int, at: datetime | None = None) -> Subscription | None:
    """The subscription giving access now: active or past due, within its period or its grace period."""
    at = at or timezone.now()
    return (
        Subscription.objects.select_related("plan")
        .filter(user_id=user_id, status__in=LIVE_STATUSES)
        .filter(Q(current_period_end__gt=at) | Q(grace_until__gt=at))
        .first()
    )


def plans_on_sale() -> list[Plan]:
    return list(Plan.objects.filter(is_active=True).order_by("order", "price"))


def user_local_today(*, user_id: int, at: datetime | None = None) -> date:
    """The user's calendar day: daily limits reset at their local midnight (Moscow unless they said otherwise)."""
    return (at or timezone.now()).astimezone(_user_zone(user_id)).date()


def user_local_midnight(*, user_id: int, at: datetime | None = None) -> datetime:
    zone = _user_zone(user_id)
    return datetime.combine((at or timezone.now()).astimezone(zone).date(), time.min, tzinfo=zone)


def user_has_pro(*, user_id: int) -> bool:
    """PRO now: the cheap part of entitlement_get, for every update the bot handles."""
    subscription = subscription_live(user_id=user_id)
    return bool(subscription and subscription.plan.pro_personas)


def _user_zone(user_id: int) -> ZoneInfo:
    zone_name = TelegramUser.objects.filter(pk=user_id).values_list("timezone", flat=True).first()
    return ZoneInfo(zone_name or DEFAULT_USER_TIMEZONE)


def entitlement_get(*, user_id: int, at: datetime | None = None) -> Entitlement:
    user = TelegramUser.objects.get(pk=user_id)
    subscription = subscription_live(user_id=user_id, at=at)
    if subscription is not None:
        plan = subscription.plan
        messages_limit, photos_limit = plan.messages_per_day, plan.photos_per_day
    else:
        tier = free_tier()
        messages_limit, photos_limit = tier.messages_per_day, tier.photos_per_day
    usage = DailyUsage.objects.filter(user_id=user_id, day=user_local_today(user_id=user_id, at=at)).first()
    used_messages = usage.messages if usage else 0
    bonus = bonus_messages_left(user_id=user_id)
    return Entitlement(
        plan_code=subscription.plan.code if subscription else "",
        status=subscription.status if subscription else "",
        has_pro=bool(subscription and subscription.plan.pro_personas),
        adult_allowed=bool(subscription and subscription.plan.adult_content),
        adult_confirmed=user.adult_confirmed_at is not None,
        messages_per_day=messages_limit,
        photos_per_day=photos_limit,
        messages_left=None if messages_limit is None else max(0, messages_limit - used_messages) + bonus,
        period_end=subscription.current_period_end if subscription else None,
        auto_renew=bool(subscription and subscription.auto_renew),
        grace_until=subscription.grace_until if subscription else None,
        bonus_messages=bonus,
    )


def bonus_messages_left(*, user_id: int) -> int:
    return BonusBalance.objects.filter(user_id=user_id).values_list("messages", flat=True).first() or 0


def revenue_since(*, since: datetime) -> Decimal:
    """Roubles taken since a moment (succeeded payments, refunds subtracted); Stars are not roubles."""
    totals = Payment.objects.filter(status=Payment.Status.SUCCEEDED, currency="RUB", paid_at__gte=since).aggregate(
        paid=Sum("amount"), refunded=Sum("refunded_amount")
    )
    return (totals["paid"] or Decimal(0)) - (totals["refunded"] or Decimal(0))


def paying_share(*, since: datetime) -> tuple[int, int]:
    """(users who arrived since then, how many of them have paid)."""
    arrived = TelegramUser.objects.filter(created_at__gte=since)
    payers = arrived.filter(payments__status=Payment.Status.SUCCEEDED).distinct().count()
    return arrived.count(), payers


def users_with_live_subscription(*, at: datetime | None = None):
    """Ids of users whose subscription still gives access (a subquery: retention never erases a payer)."""
    at = at or timezone.now()
    return (
        Subscription.objects.filter(status__in=LIVE_STATUSES)
        .filter(Q(current_period_end__gt=at) | Q(grace_until__gt=at))
        .values("user_id")
    )


def billing_export(*, user_id: int) -> dict:
    """The user's subscriptions, payments with their refunds, and counters, for their data export.

    No provider ids, keys, saved payment methods or notification logs: those are the shop's records."""
    subscriptions = [
        {
            "plan": subscription.plan.code,
            "status": subscription.status,
            "period_start": subscription.current_period_start.isoformat(),
            "period_end": subscription.current_period_end.isoformat(),
            "auto_renew": subscription.auto_renew,
            "canceled_at": subscription.canceled_at.isoformat() if subscription.canceled_at else None,
        }
        for subscription in Subscription.objects.filter(user_id=user_id).select_related("plan").order_by("id")
    ]
    payments = [
        {
            "plan": payment.plan.code,
            "provider": payment.provider,
            "kind": payment.kind,
            "status": payment.status,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "refunded_amount": str(payment.refunded_amount),
            "created_at": payment.created_at.isoformat(),
            "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
            "receipt_email": (payment.receipt or {}).get("customer", {}).get("email"),
            "refunds": [
                {"amount": str(refund.amount), "status": refund.status, "at": refund.created_at.isoformat()}
                for refund in payment.refunds.all()
            ],
        }
        for payment in Payment.objects.filter(user_id=user_id)
        .select_related("plan")
        .prefetch_related("refunds")
        .order_by("id")
    ]
    usage = [
        {"day": day.isoformat(), "messages": messages}
        for day, messages in DailyUsage.objects.filter(user_id=user_id).order_by("day").values_list("day", "messages")
    ]
    return {
        "subscriptions": subscriptions,
        "payments": payments,
        "bonus_messages": bonus_messages_left(user_id=user_id),
        "daily_usage": usage,
    }
