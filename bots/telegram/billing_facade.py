"""The bot's way to plans, the public offer, payments and the subscription (async wrappers, frozen views)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.utils import translation

from apps.accounts.models import TelegramUser
from apps.accounts.services import offer_accepted, offer_current
from apps.billing import gateway
from apps.billing.selectors import entitlement_get, plans_on_sale
from apps.billing.services.payments import payment_start
from apps.billing.services.stars import stars_invoice_prepare, stars_payment_succeeded, stars_pre_checkout_problem
from apps.billing.services.subscriptions import subscription_auto_renew_off
from bots.telegram.facade import DocumentView, document_view


@dataclass(frozen=True)
class PlanView:
    code: str
    title: str
    description: str
    price: Decimal
    months: int
    stars_price: int | None


@dataclass(frozen=True)
class PaymentView:
    confirmation_url: str
    amount: Decimal
    plan_title: str


def _plans(language: str) -> list[PlanView]:
    return [
        PlanView(
            plan.code,
            plan.title(language),
            plan.description(language),
            plan.price,
            plan.period_months,
            plan.stars_price,
        )
        for plan in plans_on_sale()
    ]


def _offer_missing(user_id: int) -> DocumentView | None:
    """The current public offer when this user has not accepted it yet."""
    offer = offer_current()
    if offer is None or offer_accepted(user_id=user_id):
        return None
    return document_view(offer, TelegramUser.objects.values_list("language", flat=True).get(pk=user_id))


def _start_payment(user_id: int, plan_code: str) -> PaymentView:
    payment = payment_start(user_id=user_id, plan_code=plan_code)
    language = TelegramUser.objects.values_list("language", flat=True).get(pk=user_id)
    return PaymentView(payment.confirmation_url, payment.amount, payment.plan.title(language))


plans = sync_to_async(_plans)
offer_missing = sync_to_async(_offer_missing)
start_payment = sync_to_async(_start_payment)
payments_enabled = gateway.payments_enabled
entitlement = sync_to_async(lambda user_id: entitlement_get(user_id=user_id))
stars_invoice = sync_to_async(lambda user_id, plan_code: stars_invoice_prepare(user_id=user_id, plan_code=plan_code))


def _stars_check(payload: str, telegram_id: int, amount: int, currency: str, language: str) -> str:
    with translation.override(language):
        return stars_pre_checkout_problem(payload=payload, telegram_id=telegram_id, amount=amount, currency=currency)


def _stars_paid(payload: str, telegram_id: int, amount: int, currency: str, charge_id: str) -> datetime:
    subscription = stars_payment_succeeded(
        payload=payload, telegram_id=telegram_id, amount=amount, currency=currency, charge_id=charge_id
    )
    return subscription.current_period_end


stars_check = sync_to_async(_stars_check)
stars_paid = sync_to_async(_stars_paid)
auto_renew_off = sync_to_async(lambda user_id: subscription_auto_renew_off(user_id=user_id))
