"""Subscriptions: a paid payment activates or extends once; cancelling keeps the paid period; expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from apps.analytics.models import Event
from apps.billing.models import Payment, Plan, Subscription
from apps.billing.selectors import entitlement_get
from apps.billing.services.subscriptions import (
    subscription_apply_payment,
    subscription_auto_renew_off,
    subscription_cancel_now,
    subscription_extend_days,
    subscriptions_expire_due,
)
from apps.core.exceptions import InvalidInput, NotFound
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def paid(user, plan_code="pro-month", method="pm-1"):
    plan = Plan.objects.get(code=plan_code)
    return Payment.objects.create(
        user=user, plan=plan, amount=plan.price, status="succeeded", paid_at=timezone.now(), payment_method_id=method
    )


def test_the_first_payment_starts_a_subscription_for_the_plans_period():
    user = TelegramUserFactory()
    payment = paid(user, "pro-quarter")
    before = timezone.now()

    subscription = subscription_apply_payment(payment_id=payment.pk)

    assert subscription.status == "active"
    assert subscription.auto_renew
    assert subscription.payment_method_id == "pm-1"
    expected = before + relativedelta(months=3)
    assert abs(subscription.current_period_end - expected) < timedelta(seconds=5)
    assert entitlement_get(user_id=user.pk).has_pro
    event = Event.objects.get(name="payment_succeeded", user=user)
    assert event.properties["amount"] == "999.00"


def test_applying_the_same_payment_again_extends_once():
    user = TelegramUserFactory()
    payment = paid(user)

    first = subscription_apply_payment(payment_id=payment.pk)
    for _ in range(9):
        again = subscription_apply_payment(payment_id=payment.pk)

    assert again.current_period_end == first.current_period_end
    assert Subscription.objects.filter(user=user).count() == 1
    assert Event.objects.filter(name="payment_succeeded", user=user).count() == 1


def test_a_second_payment_extends_from_the_end_of_the_paid_period():
    user = TelegramUserFactory()
    first = subscription_apply_payment(payment_id=paid(user).pk)
    end = first.current_period_end

    second = subscription_apply_payment(payment_id=paid(user).pk)

    assert second.pk == first.pk
    assert second.current_period_end == end + relativedelta(months=1)


def test_a_payment_that_did_not_succeed_is_never_applied():
    payment = paid(TelegramUserFactory())
    Payment.objects.filter(pk=payment.pk).update(status="pending")

    with pytest.raises(InvalidInput):
        subscription_apply_payment(payment_id=payment.pk)


def test_without_a_saved_method_there_is_no_auto_renew():
    subscription = subscription_apply_payment(payment_id=paid(TelegramUserFactory(), method="").pk)

    assert not subscription.auto_renew


def test_turning_auto_renew_off_keeps_access_to_the_end_of_the_period():
    user = TelegramUserFactory()
    subscription_apply_payment(payment_id=paid(user).pk)

    subscription = subscription_auto_renew_off(user_id=user.pk, reason="too expensive")

    assert not subscription.auto_renew
    assert subscription.status == "active"
    assert entitlement_get(user_id=user.pk).has_pro


def test_turning_auto_renew_off_without_a_subscription_is_not_found():
    with pytest.raises(NotFound):
        subscription_auto_renew_off(user_id=TelegramUserFactory().pk)


def test_expiry_downgrades_only_what_will_not_be_renewed():
    user_off, user_renewing, user_grace = TelegramUserFactory(), TelegramUserFactory(), TelegramUserFactory()
    for user in (user_off, user_renewing, user_grace):
        subscription_apply_payment(payment_id=paid(user).pk)
    subscription_auto_renew_off(user_id=user_off.pk)
    Subscription.objects.filter(user=user_grace).update(
        status="past_due", grace_until=timezone.now() + relativedelta(months=1, days=2)
    )
    later = timezone.now() + relativedelta(months=1, hours=1)

    assert subscriptions_expire_due(at=later) == 1

    statuses = {s.user_id: s.status for s in Subscription.objects.all()}
    assert statuses == {user_off.pk: "expired", user_renewing.pk: "active", user_grace.pk: "past_due"}
    assert not entitlement_get(user_id=user_off.pk, at=later).has_pro


def test_support_extends_by_days_and_revives_an_expired_subscription():
    user = TelegramUserFactory()
    subscription = subscription_apply_payment(payment_id=paid(user).pk)
    Subscription.objects.filter(pk=subscription.pk).update(
        status="expired", current_period_end=timezone.now() - timedelta(days=3)
    )

    extended = subscription_extend_days(subscription_id=subscription.pk, days=7, actor="support@sputnik")

    assert extended.status == "active"
    assert abs(extended.current_period_end - (timezone.now() + timedelta(days=7))) < timedelta(seconds=5)
    assert Event.objects.get(name="subscription_extended").properties == {"days": 7, "actor": "support@sputnik"}


def test_support_cannot_extend_by_a_silly_number_of_days():
    subscription = subscription_apply_payment(payment_id=paid(TelegramUserFactory()).pk)

    with pytest.raises(InvalidInput):
        subscription_extend_days(subscription_id=subscription.pk, days=0, actor="support")


def test_cancel_now_ends_access_at_once():
    user = TelegramUserFactory()
    subscription = subscription_apply_payment(payment_id=paid(user).pk)

    subscription_cancel_now(subscription_id=subscription.pk, actor="support", reason="refunded")

    assert not entitlement_get(user_id=user.pk).has_pro
    assert Subscription.objects.get(pk=subscription.pk).status == "canceled"
    assert Decimal(Payment.objects.get(user=user).amount) == Decimal("399")
