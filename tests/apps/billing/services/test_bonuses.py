"""Gifts without a payment: bonus messages (spent after the day's own limit) and PRO days."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.analytics.models import Event
from apps.billing.models import BonusBalance, FreeTier, Plan, Subscription
from apps.billing.selectors import entitlement_get, user_has_pro
from apps.billing.services.bonuses import bonus_messages_grant, subscription_gift_days
from apps.billing.services.usage import usage_consume
from apps.core.exceptions import InvalidInput
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_a_day():
    FreeTier.objects.update_or_create(pk=1, defaults={"messages_per_day": 2})


def test_granted_messages_add_up_and_are_recorded():
    user = TelegramUserFactory()

    bonus_messages_grant(user_id=user.pk, amount=30, reason="referral")
    balance = bonus_messages_grant(user_id=user.pk, amount=5, reason="support")

    assert balance == 35
    assert BonusBalance.objects.get(user=user).messages == 35
    assert Event.objects.filter(name="bonus_messages_granted", user=user).count() == 2


def test_bonus_messages_are_spent_only_after_the_daily_limit():
    user = TelegramUserFactory()
    bonus_messages_grant(user_id=user.pk, amount=2, reason="referral")

    results = [usage_consume(user_id=user.pk, counter="messages") for _ in range(5)]

    assert results == [True, True, True, True, False]
    assert BonusBalance.objects.get(user=user).messages == 0


def test_the_daily_limit_is_used_first_so_the_bonus_lasts():
    user = TelegramUserFactory()
    bonus_messages_grant(user_id=user.pk, amount=10, reason="referral")

    usage_consume(user_id=user.pk, counter="messages")

    assert BonusBalance.objects.get(user=user).messages == 10


def test_messages_left_include_the_bonus():
    user = TelegramUserFactory()
    bonus_messages_grant(user_id=user.pk, amount=30, reason="referral")
    usage_consume(user_id=user.pk, counter="messages")

    entitlement = entitlement_get(user_id=user.pk)

    assert (entitlement.messages_left, entitlement.bonus_messages) == (31, 30)
    assert entitlement.lock("message") == ""


def test_with_the_day_and_the_bonus_spent_the_user_is_stopped():
    user = TelegramUserFactory()
    bonus_messages_grant(user_id=user.pk, amount=1, reason="referral")
    for _ in range(3):
        usage_consume(user_id=user.pk, counter="messages")

    assert entitlement_get(user_id=user.pk).lock("message") == "message_quota"


@pytest.mark.parametrize("amount", [0, -3, 100_001])
def test_a_senseless_amount_is_refused(amount):
    with pytest.raises(InvalidInput):
        bonus_messages_grant(user_id=TelegramUserFactory().pk, amount=amount, reason="referral")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_messages_never_spend_more_than_the_bonus():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    FreeTier.objects.update_or_create(pk=1, defaults={"messages_per_day": 0})
    user = TelegramUserFactory()
    bonus_messages_grant(user_id=user.pk, amount=3, reason="referral")

    def consume(_):
        from django.db import connections

        try:
            return usage_consume(user_id=user.pk, counter="messages")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(consume, range(12)))

    assert results.count(True) == 3
    assert BonusBalance.objects.get(user=user).messages == 0


# --- PRO days --------------------------------------------------------------------------------------


def test_gift_days_extend_the_live_subscription_without_a_new_one():
    user = TelegramUserFactory()
    end = timezone.now() + timedelta(days=10)
    live = Subscription.objects.create(
        user=user,
        plan=Plan.objects.get(code="pro-year"),
        current_period_start=timezone.now(),
        current_period_end=end,
        payment_method_id="pm-1",
    )

    subscription_gift_days(user_id=user.pk, days=7, reason="referral")

    live.refresh_from_db()
    assert live.current_period_end == end + timedelta(days=7)
    assert (live.plan.code, live.auto_renew) == ("pro-year", True)
    assert Subscription.objects.filter(user=user).count() == 1
    assert Event.objects.get(name="subscription_gifted").properties == {
        "days": 7,
        "reason": "referral",
        "extended": True,
    }


def test_gift_days_without_a_subscription_make_a_gift_that_does_not_renew():
    user = TelegramUserFactory()
    before = timezone.now()

    gift = subscription_gift_days(user_id=user.pk, days=3, reason="referral")

    assert (gift.status, gift.auto_renew, gift.payment_method_id) == ("active", False, "")
    assert gift.plan.pro_personas
    assert before + timedelta(days=3) <= gift.current_period_end <= timezone.now() + timedelta(days=3)
    assert user_has_pro(user_id=user.pk)
    assert not gift.payments.exists()


def test_gift_days_after_an_expired_subscription_start_today():
    user = TelegramUserFactory()
    long_ago = timezone.now() - timedelta(days=60)
    Subscription.objects.create(
        user=user,
        plan=Plan.objects.get(code="pro-month"),
        status="expired",
        current_period_start=long_ago,
        current_period_end=long_ago + timedelta(days=30),
    )

    gift = subscription_gift_days(user_id=user.pk, days=5, reason="referral")

    assert gift.current_period_end > timezone.now() + timedelta(days=4)
    assert Subscription.objects.filter(user=user, status="active").count() == 1


def test_gift_days_out_of_range_are_refused():
    with pytest.raises(InvalidInput):
        subscription_gift_days(user_id=TelegramUserFactory().pk, days=0, reason="referral")
