"""Telegram Stars: the invoice, the pre-checkout check and the payment applied once."""

import pytest

from apps.accounts.services import consent_accept, offer_current
from apps.billing.models import Payment
from apps.billing.selectors import entitlement_get
from apps.billing.services.stars import stars_invoice_prepare, stars_payment_succeeded, stars_pre_checkout_problem
from apps.core.exceptions import Conflict, InvalidInput
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    user = TelegramUserFactory()
    consent_accept(user_id=user.pk, document_ids=[offer_current().pk])
    return user


def test_the_invoice_is_in_stars_at_the_plans_price(user):
    invoice = stars_invoice_prepare(user_id=user.pk, plan_code="pro-month")

    payment = Payment.objects.get()
    assert (invoice.amount, payment.amount, payment.currency, payment.provider) == (250, 250, "XTR", "stars")
    assert invoice.payload == f"stars:{payment.pk}"


def test_no_invoice_before_the_offer_is_accepted():
    with pytest.raises(Conflict):
        stars_invoice_prepare(user_id=TelegramUserFactory().pk, plan_code="pro-month")


def test_pre_checkout_accepts_the_right_user_and_amount_only(user):
    invoice = stars_invoice_prepare(user_id=user.pk, plan_code="pro-month")

    assert (
        stars_pre_checkout_problem(payload=invoice.payload, telegram_id=user.telegram_id, amount=250, currency="XTR")
        == ""
    )
    assert stars_pre_checkout_problem(payload=invoice.payload, telegram_id=1, amount=250, currency="XTR")
    assert stars_pre_checkout_problem(payload=invoice.payload, telegram_id=user.telegram_id, amount=1, currency="XTR")
    assert stars_pre_checkout_problem(payload="stars:nope", telegram_id=user.telegram_id, amount=250, currency="XTR")


def test_the_same_charge_twice_applies_once(user):
    invoice = stars_invoice_prepare(user_id=user.pk, plan_code="pro-month")
    paid = {"payload": invoice.payload, "telegram_id": user.telegram_id, "amount": 250, "currency": "XTR"}

    first = stars_payment_succeeded(**paid, charge_id="charge-1")
    again = stars_payment_succeeded(**paid, charge_id="charge-1")

    assert first.current_period_end == again.current_period_end
    assert entitlement_get(user_id=user.pk).has_pro
    assert not entitlement_get(user_id=user.pk).auto_renew  # Stars do not renew by themselves


def test_a_second_charge_for_a_paid_invoice_is_a_conflict(user):
    invoice = stars_invoice_prepare(user_id=user.pk, plan_code="pro-month")
    paid = {"payload": invoice.payload, "telegram_id": user.telegram_id, "amount": 250, "currency": "XTR"}
    stars_payment_succeeded(**paid, charge_id="charge-1")

    with pytest.raises(Conflict):
        stars_payment_succeeded(**paid, charge_id="charge-2")


def test_a_wrong_amount_is_refused(user):
    invoice = stars_invoice_prepare(user_id=user.pk, plan_code="pro-month")

    with pytest.raises(InvalidInput):
        stars_payment_succeeded(
            payload=invoice.payload, telegram_id=user.telegram_id, amount=1, currency="XTR", charge_id="c"
        )
