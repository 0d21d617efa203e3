"""Renewals through the real SDK against the stub YooKassa: charge, failure with grace and retries, expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.billing.models import Payment, Plan, Subscription
from apps.billing.selectors import entitlement_get
from apps.billing.services.renewals import renewals_due, subscription_renew
from apps.billing.services.subscriptions import subscriptions_expire_due
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def ending_soon(*, hours=12, method="pm-saved-1", auto_renew=True):
    now = timezone.now()
    return Subscription.objects.create(
        user=TelegramUserFactory(),
        plan=Plan.objects.get(code="pro-month"),
        current_period_start=now - timedelta(days=30),
        current_period_end=now + timedelta(hours=hours),
        auto_renew=auto_renew,
        payment_method_id=method,
    )


def test_only_renewing_subscriptions_near_their_end_are_due(yookassa):
    due = ending_soon(hours=12)
    ending_soon(hours=72)  # not yet
    ending_soon(hours=12, auto_renew=False)  # the user turned renewals off
    ending_soon(hours=12, method="")  # nothing saved to charge

    assert renewals_due() == [due.pk]


def test_a_successful_charge_extends_by_the_plans_period(yookassa):
    subscription = ending_soon()
    end = subscription.current_period_end

    assert subscription_renew(subscription_id=subscription.pk) == "renewed"

    subscription.refresh_from_db()
    assert subscription.current_period_end.month == (end + timedelta(days=31)).month
    assert subscription.current_period_end > end + timedelta(days=27)
    payment = Payment.objects.get(subscription=subscription, kind="renewal")
    assert (payment.status, payment.amount) == ("succeeded", subscription.plan.price)
    charge = yookassa.requests_to("POST", "/payments")[-1]
    assert charge.body["payment_method_id"] == "pm-saved-1"
    assert charge.headers["idempotence-key"] == str(payment.idempotence_key)
    assert renewals_due() == []  # nothing more to do for this period


def test_a_declined_charge_means_past_due_with_a_grace_period_and_a_later_retry(yookassa, settings):
    settings.BILLING_GRACE_DAYS = 3
    yookassa.saved_charge_status, yookassa.saved_charge_reason = "canceled", "insufficient_funds"
    subscription = ending_soon()

    assert subscription_renew(subscription_id=subscription.pk) == "failed"

    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert subscription.grace_until == subscription.current_period_end + timedelta(days=3)
    assert subscription.next_renewal_at > timezone.now() + timedelta(hours=5)
    assert Payment.objects.get(subscription=subscription).failure_reason == "insufficient_funds"
    assert renewals_due() == []  # the retry waits for its time
    assert subscription.pk in renewals_due(at=subscription.next_renewal_at)
    after_end = subscription.current_period_end + timedelta(hours=1)
    assert entitlement_get(user_id=subscription.user_id, at=after_end).has_pro  # grace keeps access


def test_a_retry_that_succeeds_restores_the_subscription(yookassa):
    yookassa.saved_charge_status = "canceled"
    subscription = ending_soon()
    subscription_renew(subscription_id=subscription.pk)
    yookassa.saved_charge_status = "succeeded"

    assert subscription_renew(subscription_id=subscription.pk, at=timezone.now() + timedelta(hours=7)) == "renewed"

    subscription.refresh_from_db()
    assert (subscription.status, subscription.grace_until, subscription.renewal_attempts) == ("active", None, 0)


def test_when_grace_runs_out_the_subscription_expires_to_the_free_tier(yookassa):
    yookassa.saved_charge_status = "canceled"
    subscription = ending_soon()
    subscription_renew(subscription_id=subscription.pk)
    subscription.refresh_from_db()
    after_grace = subscription.grace_until + timedelta(minutes=1)

    assert subscriptions_expire_due(at=after_grace) == 1

    assert Subscription.objects.get(pk=subscription.pk).status == "expired"
    assert not entitlement_get(user_id=subscription.user_id, at=after_grace).has_pro


def test_an_unreachable_api_retries_later_with_the_same_key(yookassa):
    subscription = ending_soon()
    yookassa.fail_next(500)

    assert subscription_renew(subscription_id=subscription.pk) == "unreachable"

    first_key = str(Payment.objects.get(subscription=subscription).idempotence_key)
    assert subscription_renew(subscription_id=subscription.pk, at=timezone.now() + timedelta(hours=2)) == "renewed"
    assert Payment.objects.filter(subscription=subscription).count() == 1
    assert yookassa.requests_to("POST", "/payments")[-1].headers["idempotence-key"] == first_key


def test_a_subscription_not_due_is_skipped(yookassa):
    subscription = ending_soon(hours=100)

    assert subscription_renew(subscription_id=subscription.pk) == "skipped"
    assert not Payment.objects.exists()
