"""Billing's part of erasing a user: payment records stay (the law keeps them), what identifies the person goes."""

from django.db import transaction
from django.utils import timezone

from apps.billing.models import BonusBalance, DailyUsage, Payment, Subscription
from apps.billing.selectors import LIVE_STATUSES
from apps.billing.services.subscriptions import subscription_auto_renew_off

ERASURE_CANCEL_REASON = "data erased"


@transaction.atomic
def billing_erase(*, user_id: int) -> dict[str, int]:
    """Stop renewals and forget how to charge the user; drop their usage counters and bonus balance.

    Subscriptions, payments and refunds stay as accounting records of the pseudonymous user. A paid period is
    not refunded here: support refunds from the payment, which stays refundable. Receipts lose the customer's
    e-mail (the fiscal receipt itself was already sent to the tax service by YooKassa)."""
    if Subscription.objects.filter(user_id=user_id, status__in=LIVE_STATUSES, auto_renew=True).exists():
        subscription_auto_renew_off(user_id=user_id, reason=ERASURE_CANCEL_REASON)
    now = timezone.now()
    # A saved payment method is a way to charge the person's card: nobody may use it any more.
    Subscription.objects.filter(user_id=user_id).exclude(payment_method_id="").update(
        payment_method_id="", auto_renew=False, updated_at=now
    )
    receipts = 0
    for payment in Payment.objects.select_for_update().filter(user_id=user_id, receipt__has_key="customer"):
        payment.receipt = {key: value for key, value in payment.receipt.items() if key != "customer"}
        payment.save(update_fields=["receipt", "updated_at"])
        receipts += 1
    _total, usage = DailyUsage.objects.filter(user_id=user_id).delete()
    _total, bonus = BonusBalance.objects.filter(user_id=user_id).delete()
    return {
        "daily_usage": usage.get(DailyUsage._meta.label, 0),
        "bonus_balances": bonus.get(BonusBalance._meta.label, 0),
        "receipt_emails": receipts,
    }
