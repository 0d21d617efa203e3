"""Gifts that need no payment: bonus messages and PRO days (the referral program's rewards, say)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.services import event_track
from apps.billing.models import BonusBalance, Plan, Subscription
from apps.billing.selectors import LIVE_STATUSES
from apps.billing.services.subscriptions import subscription_period_add
from apps.core.exceptions import InvalidInput

MAX_GIFT_DAYS = 3660
MAX_BONUS_MESSAGES = 100_000


@transaction.atomic
def bonus_messages_grant(*, user_id: int, amount: int, reason: str) -> int:
    """Add messages to the user's bonus balance; returns the new balance."""
    if not 1 <= amount <= MAX_BONUS_MESSAGES:
        raise InvalidInput(_("Give 1 to 100 000 bonus messages."), code="bad_bonus_amount")
    _ensure_balance(user_id)
    BonusBalance.objects.filter(user_id=user_id).update(messages=F("messages") + amount, updated_at=timezone.now())
    balance = BonusBalance.objects.get(user_id=user_id).messages
    event_track(
        name="bonus_messages_granted", user_id=user_id, properties={"amount": amount, "reason": reason}, source="worker"
    )
    return balance


@transaction.atomic
def subscription_gift_days(*, user_id: int, days: int, reason: str) -> Subscription:
    """N days of PRO without a payment: added to the live subscription's end, or a new gift subscription that
    does not renew (nothing is saved to charge) and simply expires."""
    if not 1 <= days <= MAX_GIFT_DAYS:
        raise InvalidInput(_("Give 1 to 3660 days."), code="bad_days")
    now = timezone.now()
    subscription = (
        Subscription.objects.select_for_update()
        .filter(user_id=user_id, status__in=LIVE_STATUSES)
        .order_by("-current_period_end")
        .first()
    )
    extended = subscription is not None
    if subscription is None:
        subscription = Subscription(
            user_id=user_id, plan=_gift_plan(), current_period_start=now, current_period_end=now, auto_renew=False
        )
    subscription_period_add(subscription, days=days, now=now)
    event_track(
        name="subscription_gifted",
        user_id=user_id,
        properties={"days": days, "reason": reason, "extended": extended},
        source="worker",
    )
    return subscription


def _gift_plan() -> Plan:
    """The shortest PRO plan on sale (any PRO plan when none is on sale) stands for what a gift unlocks."""
    plan = Plan.objects.filter(pro_personas=True).order_by("-is_active", "period_months", "order", "price").first()
    if plan is None:
        raise InvalidInput(_("There is no PRO plan to give."), code="no_pro_plan")
    return plan


def _ensure_balance(user_id: int) -> None:
    if BonusBalance.objects.filter(user_id=user_id).exists():
        return
    try:
        with transaction.atomic():
            BonusBalance.objects.create(user_id=user_id)
    except IntegrityError:
        pass  # created a moment ago by a concurrent grant
