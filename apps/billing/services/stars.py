"""Telegram Stars, the second provider: an invoice in XTR, the pre-checkout check, the successful payment.

Stars purchases do not renew by themselves: the plan's period is bought once (renewing means buying again).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import TelegramUser
from apps.accounts.services import offer_accepted
from apps.analytics.services import event_track
from apps.billing.models import Payment, Plan, Subscription
from apps.billing.services.subscriptions import subscription_apply_payment
from apps.core.exceptions import Conflict, InvalidInput, NotFound

STARS = "XTR"
PAYLOAD_PREFIX = "stars:"


@dataclass(frozen=True)
class StarsInvoice:
    payload: str  # comes back in pre_checkout_query and successful_payment
    title: str
    description: str
    amount: int


@transaction.atomic
def stars_invoice_prepare(*, user_id: int, plan_code: str) -> StarsInvoice:
    user = TelegramUser.objects.select_for_update().get(pk=user_id)
    plan = Plan.objects.filter(code=plan_code, is_active=True, stars_price__isnull=False).first()
    if plan is None:
        raise NotFound(_("This plan is not sold for Stars."), code="plan_not_on_sale")
    if not offer_accepted(user_id=user_id):
        raise Conflict(_("Please accept the public offer before paying."), code="offer_not_accepted")
    payment = Payment(
        user=user,
        plan=plan,
        provider=Payment.Provider.TELEGRAM_STARS,
        amount=plan.stars_price,
        currency=STARS,
        save_payment_method=False,
    )
    payment.full_clean()
    payment.save()
    event_track(
        name="payment_started",
        user_id=user_id,
        properties={"plan": plan.code, "amount": str(plan.stars_price), "provider": "stars"},
        source="bot",
    )
    description = plan.description(user.language) or plan.title(user.language)
    return StarsInvoice(
        payload=f"{PAYLOAD_PREFIX}{payment.pk}",
        title=plan.title(user.language)[:32],
        description=description[:255],
        amount=plan.stars_price,
    )


def stars_pre_checkout_problem(*, payload: str, telegram_id: int, amount: int, currency: str) -> str:
    """Why Telegram must not charge this (shown to the user); "" when it may."""
    payment = _payment_of(payload)
    if payment is None or payment.user.telegram_id != telegram_id:
        return str(_("This invoice is not valid any more — please open /subscribe again."))
    if payment.status != Payment.Status.PENDING:
        return str(_("This invoice has already been paid."))
    if currency != STARS or amount != int(payment.amount) or not payment.plan.is_active:
        return str(_("The price has changed — please open /subscribe again."))
    return ""


@transaction.atomic
def stars_payment_succeeded(
    *, payload: str, telegram_id: int, amount: int, currency: str, charge_id: str
) -> Subscription:
    """Telegram took the Stars: the payment succeeds and PRO is on. The same charge twice applies once."""
    payment = _payment_of(payload, lock=True)
    if payment is None or payment.user.telegram_id != telegram_id:
        raise NotFound(code="stars_payment_not_found")
    if currency != STARS or amount != int(payment.amount):
        raise InvalidInput(code="stars_amount_mismatch")
    if payment.status == Payment.Status.SUCCEEDED:
        if payment.provider_payment_id != charge_id:
            raise Conflict(code="stars_paid_twice")
        return payment.subscription
    payment.status, payment.provider_payment_id, payment.paid_at = Payment.Status.SUCCEEDED, charge_id, timezone.now()
    payment.save(update_fields=["status", "provider_payment_id", "paid_at", "updated_at"])
    return subscription_apply_payment(payment_id=payment.pk)


def _payment_of(payload: str, *, lock: bool = False) -> Payment | None:
    if not payload.startswith(PAYLOAD_PREFIX) or not payload[len(PAYLOAD_PREFIX) :].isdigit():
        return None
    payments = Payment.objects.select_related("user", "plan", "subscription")
    if lock:
        payments = payments.select_for_update(of=("self",))
    return payments.filter(pk=int(payload[len(PAYLOAD_PREFIX) :]), provider=Payment.Provider.TELEGRAM_STARS).first()
