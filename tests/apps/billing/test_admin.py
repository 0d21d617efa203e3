"""The billing admin: pages render; extend, cancel and refund go through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.billing.models import Payment, Plan, Refund, Subscription
from apps.billing.services.payments import payment_start
from apps.billing.services.subscriptions import subscription_apply_payment
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription():
    now = timezone.now()
    return Subscription.objects.create(
        user=TelegramUserFactory(telegram_id=777001),
        plan=Plan.objects.get(code="pro-month"),
        current_period_start=now,
        current_period_end=now + timedelta(days=10),
    )


@pytest.mark.parametrize(
    "name",
    ["plan", "freetier", "subscription", "payment", "refund", "dailyusage", "bonusbalance"],
    ids=lambda name: name,
)
def test_every_billing_list_renders(admin_client, name):
    assert admin_client.get(reverse(f"admin:billing_{name}_changelist")).status_code == 200


def test_subscriptions_are_found_by_telegram_id(admin_client, subscription):
    page = admin_client.get(reverse("admin:billing_subscription_changelist"), {"q": "777001"})

    assert subscription.user.username in page.content.decode()


def test_support_extends_a_subscription_by_days(admin_client, subscription):
    end = subscription.current_period_end
    url = reverse("admin:billing_subscription_extend", args=[subscription.pk])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"days": "5"})

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.current_period_end == end + timedelta(days=5)


def test_a_silly_number_of_days_is_shown_as_an_error(admin_client, subscription):
    response = admin_client.post(reverse("admin:billing_subscription_extend", args=[subscription.pk]), {"days": "0"})

    assert response.status_code == 200
    assert Subscription.objects.get(pk=subscription.pk).current_period_end == subscription.current_period_end


def test_support_cancels_a_subscription_at_once(admin_client, subscription):
    admin_client.post(reverse("admin:billing_subscription_cancel_now", args=[subscription.pk]))

    assert Subscription.objects.get(pk=subscription.pk).status == "canceled"


def test_a_partial_refund_from_the_payment_page(admin_client, yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    yookassa.set_status(payment.provider_payment_id, "succeeded", payment_method_saved=True)
    Payment.objects.filter(pk=payment.pk).update(status="succeeded", paid_at=timezone.now())
    subscription_apply_payment(payment_id=payment.pk)
    url = reverse("admin:billing_payment_refund", args=[payment.pk])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"amount": "100.00", "reason": "support case"})

    assert response.status_code == 302
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount, refund.reason) == (Decimal("100.00"), "support case")


def test_refunding_more_than_was_paid_shows_the_reason(admin_client, yookassa, buyer):
    payment = payment_start(user_id=buyer.pk, plan_code="pro-month")
    yookassa.set_status(payment.provider_payment_id, "succeeded")
    Payment.objects.filter(pk=payment.pk).update(status="succeeded", paid_at=timezone.now())

    response = admin_client.post(reverse("admin:billing_payment_refund", args=[payment.pk]), {"amount": "5000"})

    assert response.status_code == 200
    assert not Refund.objects.exists()


def test_payments_export_as_csv_without_names(admin_client, yookassa, buyer):
    payment_start(user_id=buyer.pk, plan_code="pro-month")

    response = admin_client.post(reverse("admin:billing_payment_export"), {"format": "0", "resource": "0"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "399" in content
    assert str(buyer.telegram_id) in content
    assert buyer.first_name not in content
