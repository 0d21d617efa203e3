"""Renewals: saved payment methods are charged before the period ends; failures get a grace period and
retries with backoff; the expiry job downgrades what was not paid."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.analytics.services import event_track
from apps.billing import gateway
from apps.billing.models import Payment, Subscription
from apps.billing.services.payments import payment_receipt
from apps.billing.services.subscriptions import subscription_apply_payment
from apps.core.exceptions import ApplicationError, Forbidden, ServiceUnavailable
from apps.core.queue import task_enqueue_on_commit
from apps.core.telegram import telegram_send_message

logger = logging.getLogger(__name__)
RETRY_AFTER = (timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))  # after the 1st, 2nd, 3rd+ failure
RETRY_WHEN_UNREACHABLE = timedelta(hours=1)


def renewals_due(*, at: datetime | None = None) -> list[int]:
    """Subscriptions to charge now: renewing ones near their end, and past-due ones whose retry time came."""
    at = at or timezone.now()
    horizon = at + timedelta(hours=settings.BILLING_RENEW_BEFORE_HOURS)
    retry_due = Q(next_renewal_at__isnull=True) | Q(next_renewal_at__lte=at)
    active = Q(status=Subscription.Status.ACTIVE, current_period_end__lte=horizon)
    past_due = Q(status=Subscription.Status.PAST_DUE, grace_until__gt=at)
    return list(
        Subscription.objects.filter(active | past_due, retry_due, auto_renew=True)
        .exclude(payment_method_id="")
        .values_list("pk", flat=True)
    )


def subscription_renew(*, subscription_id: int, at: datetime | None = None) -> str:
    """One renewal attempt. The charge carries a key stored with its Payment row, so a retry after a timeout
    can never charge twice. Returns what happened: renewed, failed, pending, unreachable or skipped."""
    at = at or timezone.now()
    payment = _renewal_payment(subscription_id, at)
    if payment is None:
        return "skipped"
    try:
        charged = gateway.payment_charge_saved(
            amount=payment.amount,
            currency=payment.currency,
            description=f"Sputnik PRO: {payment.plan.code}",
            idempotence_key=str(payment.idempotence_key),
            payment_method_id=payment.payment_method_id,
            receipt=payment.receipt or None,
            metadata={"payment_id": payment.pk},
        )
    except ServiceUnavailable:
        Subscription.objects.filter(pk=subscription_id).update(next_renewal_at=at + RETRY_WHEN_UNREACHABLE)
        return "unreachable"
    except ApplicationError as error:  # the API refused the request itself (a removed method, say)
        logger.warning("renewal of subscription %s refused: %s", subscription_id, error.code)
        return _renewal_failed(payment.pk, "", error.code, at)
    if charged.status == Payment.Status.SUCCEEDED:
        return _renewal_succeeded(payment.pk, charged.id, at)
    if charged.status == Payment.Status.CANCELED:
        return _renewal_failed(payment.pk, charged.id, charged.cancellation_reason, at)
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=charged.id, status=charged.status)
    return "pending"  # the notification finishes it


@transaction.atomic
def _renewal_payment(subscription_id: int, at: datetime) -> Payment | None:
    subscription = Subscription.objects.select_for_update().select_related("plan").get(pk=subscription_id)
    if subscription.pk not in renewals_due(at=at):
        return None
    period = subscription.current_period_end
    existing = Payment.objects.filter(
        subscription=subscription,
        kind=Payment.Kind.RENEWAL,
        status=Payment.Status.PENDING,
        created_at__gte=period - timedelta(days=60),
    ).first()  # a pending attempt for this period (a timeout last time): retried with the same key
    if existing is not None:
        return existing
    plan = subscription.plan
    payment = Payment(
        user_id=subscription.user_id,
        plan=plan,
        subscription=subscription,
        kind=Payment.Kind.RENEWAL,
        amount=plan.price,
        currency="RUB",
        payment_method_id=subscription.payment_method_id,
        save_payment_method=False,
    )
    payment.receipt = payment_receipt(payment=payment)
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def _renewal_succeeded(payment_id: int, provider_id: str, at: datetime) -> str:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    payment.status, payment.provider_payment_id, payment.paid_at = Payment.Status.SUCCEEDED, provider_id, at
    payment.save(update_fields=["status", "provider_payment_id", "paid_at", "updated_at"])
    subscription_apply_payment(payment_id=payment.pk, at=at)
    _notify_on_commit(payment.pk, "renewed")
    return "renewed"


@transaction.atomic
def _renewal_failed(payment_id: int, provider_id: str, reason: str, at: datetime) -> str:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    payment.status = Payment.Status.CANCELED
    payment.provider_payment_id = provider_id or None
    payment.failure_reason = (reason or "")[:64]
    payment.save(update_fields=["status", "provider_payment_id", "failure_reason", "updated_at"])
    subscription = Subscription.objects.select_for_update().get(pk=payment.subscription_id)
    subscription.status = Subscription.Status.PAST_DUE
    subscription.renewal_attempts += 1
    if subscription.grace_until is None:
        subscription.grace_until = subscription.current_period_end + timedelta(days=settings.BILLING_GRACE_DAYS)
    delay = RETRY_AFTER[min(subscription.renewal_attempts, len(RETRY_AFTER)) - 1]
    subscription.next_renewal_at = at + delay
    subscription.save()
    event_track(
        name="renewal_failed",
        user_id=subscription.user_id,
        properties={"attempt": subscription.renewal_attempts, "reason": payment.failure_reason or None},
        source="worker",
    )
    if subscription.renewal_attempts == 1:
        _notify_on_commit(payment.pk, "renewal_failed")  # once: retries stay quiet
    return "failed"


def _notify_on_commit(payment_id: int, what: str) -> None:
    from apps.billing.tasks import subscription_notify  # tasks import services

    task_enqueue_on_commit(subscription_notify, payment_id, what)


def renewal_failed_notify(*, payment_id: int) -> bool:
    """Tell the user their renewal did not go through, that access stays for the grace period, and how to fix it."""
    payment = Payment.objects.select_related("user", "subscription").get(pk=payment_id)
    subscription, user = payment.subscription, payment.user
    if subscription is None or subscription.status != Subscription.Status.PAST_DUE or not settings.TELEGRAM_BOT_TOKEN:
        return False
    until = timezone.localtime(subscription.grace_until).strftime("%d.%m.%Y")
    with translation.override(user.language):
        text = gettext(
            "I couldn't renew your PRO: the payment did not go through. PRO stays until {date}, and I'll try again. "
            "To pay another way: /subscribe"
        ).format(date=until)
    try:
        telegram_send_message(chat_id=user.telegram_id, text=text)
    except Forbidden:
        return False
    return True
