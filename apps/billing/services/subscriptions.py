"""Subscriptions: activation and extension by a paid payment (idempotent), cancelling, support actions, expiry."""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.analytics.services import event_track
from apps.billing.models import Payment, Subscription
from apps.billing.selectors import LIVE_STATUSES
from apps.core.exceptions import InvalidInput, NotFound


@transaction.atomic
def subscription_apply_payment(*, payment_id: int, at: datetime | None = None) -> Subscription:
    """Give the user what a succeeded payment bought: a new subscription, or the live one extended by the
    plan's period (from its end, so paying early loses nothing). Applying the same payment again changes
    nothing: a notification delivered ten times extends the subscription once."""
    at = at or timezone.now()
    payment = Payment.objects.select_for_update().select_related("plan").get(pk=payment_id)
    if payment.status != Payment.Status.SUCCEEDED:
        raise InvalidInput(code="payment_not_succeeded")
    if payment.applied_at is not None:
        return payment.subscription
    plan = payment.plan
    subscription = (
        Subscription.objects.select_for_update()
        .filter(user_id=payment.user_id, status__in=LIVE_STATUSES)
        .order_by("-current_period_end")
        .first()
    )
    renewed = subscription is not None
    if subscription is None:
        subscription = Subscription(user_id=payment.user_id, plan=plan, current_period_start=at, current_period_end=at)
    start = max(at, subscription.current_period_end)
    subscription.plan = plan
    subscription.current_period_start = start if renewed else at
    subscription.current_period_end = start + relativedelta(months=plan.period_months)
    subscription.status = Subscription.Status.ACTIVE
    subscription.grace_until = None
    subscription.renewal_attempts = 0
    subscription.next_renewal_at = None
    if payment.payment_method_id:
        subscription.payment_method_id = payment.payment_method_id
        subscription.auto_renew = True
    elif not renewed:
        subscription.auto_renew = False  # nothing saved to charge later
    subscription.full_clean()
    subscription.save()
    payment.subscription = subscription
    payment.applied_at = at
    payment.save(update_fields=["subscription", "applied_at", "updated_at"])
    event_track(
        name="payment_succeeded",
        user_id=payment.user_id,
        properties={"plan": plan.code, "amount": str(payment.amount), "currency": payment.currency,
                    "kind": payment.kind, "provider": payment.provider, "renewed": renewed},
        source="worker",
    )  # fmt: skip
    return subscription


@transaction.atomic
def subscription_auto_renew_off(*, user_id: int, reason: str = "") -> Subscription:
    """The user stops renewals; access lasts to the end of the paid period."""
    subscription = Subscription.objects.select_for_update().filter(user_id=user_id, status__in=LIVE_STATUSES).first()
    if subscription is None:
        raise NotFound(_("You have no active subscription."), code="no_subscription")
    if subscription.auto_renew:
        subscription.auto_renew = False
        subscription.canceled_at = timezone.now()
        subscription.cancel_reason = reason[:200]
        subscription.save(update_fields=["auto_renew", "canceled_at", "cancel_reason", "updated_at"])
        event_track(name="subscription_auto_renew_off", user_id=user_id, source="bot")
    return subscription


@transaction.atomic
def subscription_extend_days(*, subscription_id: int, days: int, actor: str) -> Subscription:
    """Support: add days to a subscription (an expired one comes back to life from today)."""
    if not 1 <= days <= 3660:
        raise InvalidInput(_("Extend by 1 to 3660 days."), code="bad_days")
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    now = timezone.now()
    if subscription.status not in LIVE_STATUSES:
        live = Subscription.objects.filter(user_id=subscription.user_id, status__in=LIVE_STATUSES).exists()
        if live:
            raise InvalidInput(_("The user has another live subscription: extend that one."), code="other_live")
        subscription.current_period_start = now
        subscription.current_period_end = now
    subscription_period_add(subscription, days=days, now=now)
    event_track(
        name="subscription_extended",
        user_id=subscription.user_id,
        properties={"days": days, "actor": actor},
        source="admin",
    )
    return subscription


def subscription_period_add(subscription: Subscription, *, days: int, now) -> None:
    """Add days to the paid period (from now when it already ended) and make the subscription active again;
    the caller holds the row's lock."""
    subscription.current_period_end = max(subscription.current_period_end, now) + timedelta(days=days)
    subscription.status = Subscription.Status.ACTIVE
    subscription.grace_until = None
    subscription.full_clean()
    subscription.save()


@transaction.atomic
def subscription_cancel_now(*, subscription_id: int, actor: str, reason: str = "") -> Subscription:
    """Support: end a subscription at once (after a full refund, say)."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    if subscription.status in LIVE_STATUSES:
        now = timezone.now()
        subscription.status = Subscription.Status.CANCELED
        subscription.auto_renew = False
        subscription.canceled_at = now
        subscription.current_period_end = min(subscription.current_period_end, now)
        subscription.grace_until = None
        subscription.cancel_reason = (reason or f"canceled by {actor}")[:200]
        subscription.save()
        event_track(
            name="subscription_canceled", user_id=subscription.user_id, properties={"actor": actor}, source="admin"
        )
    return subscription


@transaction.atomic
def subscriptions_expire_due(*, at: datetime | None = None) -> int:
    """Move live subscriptions past their period (and grace) to expired: the user is back on the free tier."""
    at = at or timezone.now()
    due = Subscription.objects.select_for_update(skip_locked=True).filter(
        status__in=LIVE_STATUSES, current_period_end__lte=at
    )
    expired = 0
    for subscription in due:
        if subscription.grace_until and subscription.grace_until > at:
            continue
        if subscription.auto_renew and subscription.payment_method_id and subscription.status == "active":
            continue  # the renewal job charges it first; a failure moves it to past due with a grace period
        subscription.status = Subscription.Status.EXPIRED
        subscription.save(update_fields=["status", "updated_at"])
        event_track(name="subscription_expired", user_id=subscription.user_id, source="worker")
        expired += 1
    return expired
