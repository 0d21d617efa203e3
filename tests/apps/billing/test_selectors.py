"""Entitlements: what a user may do now, and why not."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.billing.models import DailyUsage, FreeTier, Plan, Subscription
from apps.billing.selectors import entitlement_get, user_local_today
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def subscribe(user, *, plan="pro-month", ends_in=timedelta(days=10), status="active", grace=None):
    now = timezone.now()
    return Subscription.objects.create(
        user=user,
        plan=Plan.objects.get(code=plan),
        status=status,
        current_period_start=now - timedelta(days=1),
        current_period_end=now + ends_in,
        grace_until=grace,
    )


def test_a_new_user_is_on_the_free_tier_with_its_limits():
    FreeTier.objects.update_or_create(pk=1, defaults={"messages_per_day": 30, "photos_per_day": 1})

    entitlement = entitlement_get(user_id=TelegramUserFactory().pk)

    assert (entitlement.plan_code, entitlement.has_pro, entitlement.adult_allowed) == ("", False, False)
    assert (entitlement.messages_per_day, entitlement.messages_left, entitlement.photos_per_day) == (30, 30, 1)
    assert entitlement.lock("pro") == "pro_required"


def test_an_active_subscription_gives_pro_and_the_plans_limits():
    user = TelegramUserFactory()
    subscribe(user)

    entitlement = entitlement_get(user_id=user.pk)

    assert (entitlement.plan_code, entitlement.has_pro) == ("pro-month", True)
    assert entitlement.messages_left is None  # unlimited on the shipped plans
    assert entitlement.photos_per_day == 20
    assert entitlement.lock("pro") == ""


def test_adult_talk_needs_both_pro_and_the_age_confirmation():
    user = TelegramUserFactory()
    assert entitlement_get(user_id=user.pk).lock("adult") == "pro_required"

    subscribe(user)
    assert entitlement_get(user_id=user.pk).lock("adult") == "age_confirmation_required"

    user.adult_confirmed_at = timezone.now()
    user.save()
    entitlement = entitlement_get(user_id=user.pk)
    assert entitlement.lock("adult") == ""
    assert entitlement.can_talk_adult


def test_a_plan_without_adult_content_never_allows_it_even_after_confirmation():
    user = TelegramUserFactory(adult_confirmed_at=timezone.now())
    Plan.objects.filter(code="pro-month").update(adult_content=False)
    subscribe(user)

    assert entitlement_get(user_id=user.pk).lock("adult") == "pro_required"


def test_a_subscription_past_its_end_gives_nothing_even_before_the_expiry_job():
    user = TelegramUserFactory()
    subscribe(user, ends_in=timedelta(seconds=-1))

    assert not entitlement_get(user_id=user.pk).has_pro


def test_past_due_keeps_access_within_the_grace_period():
    user = TelegramUserFactory()
    subscribe(user, ends_in=timedelta(hours=-2), status="past_due", grace=timezone.now() + timedelta(days=2))

    entitlement = entitlement_get(user_id=user.pk)

    assert entitlement.has_pro
    assert entitlement.status == "past_due"


def test_messages_left_count_todays_usage_only():
    FreeTier.objects.update_or_create(pk=1, defaults={"messages_per_day": 30})
    user = TelegramUserFactory()
    today = user_local_today(user_id=user.pk)
    DailyUsage.objects.create(user=user, day=today, messages=12)
    DailyUsage.objects.create(user=user, day=today - timedelta(days=1), messages=30)

    assert entitlement_get(user_id=user.pk).messages_left == 18


def test_the_day_follows_the_users_time_zone():
    at = datetime(2026, 3, 9, 22, 30, tzinfo=UTC)  # 01:30 on 10 March in Moscow, 15:30 on 9 March in Denver
    moscow = TelegramUserFactory()
    denver = TelegramUserFactory(timezone="America/Denver")

    assert str(user_local_today(user_id=moscow.pk, at=at)) == "2026-03-10"
    assert str(user_local_today(user_id=denver.pk, at=at)) == "2026-03-09"
