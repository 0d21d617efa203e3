"""Plans, limits and the subscription in the bot (the purchase itself: test_purchase.py)."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.analytics.models import Event
from apps.billing.models import FreeTier, Plan, Subscription
from tests.bots.telegram.steps import ANNA, buttons, consented, eventually, talking_to_support

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def _subscribe(telegram_id: int, *, auto_renew: bool = True) -> Subscription:
    from apps.accounts.models import TelegramUser

    user = await TelegramUser.objects.aget(telegram_id=telegram_id)
    now = timezone.now()
    return await Subscription.objects.acreate(
        user=user,
        plan=await Plan.objects.aget(code="pro-month"),
        current_period_start=now,
        current_period_end=now + timedelta(days=30),
        auto_renew=auto_renew,
        payment_method_id="pm-1" if auto_renew else "",
    )


async def test_over_the_daily_limit_the_user_sees_the_plans(running_bot):
    await FreeTier.objects.aupdate_or_create(pk=1, defaults={"messages_per_day": 1})
    sent = await talking_to_support(running_bot)
    running_bot.user_sends("Привет", user_id=ANNA)
    await running_bot.wait_for_messages(ANNA, sent + 1)

    running_bot.user_sends("Ещё одно", user_id=ANNA)

    paywall = (await running_bot.wait_for_messages(ANNA, sent + 2))[-1]
    assert "сообщения закончились" in paywall["text"]
    assert "plan:pro-month:yk" in buttons(paywall)
    await eventually(Event.objects.filter(name="paywall_shown", properties__reason="message_quota").aexists)


async def test_subscribe_lists_the_plans_with_prices(running_bot):
    await consented(running_bot)

    running_bot.user_sends("/subscribe", user_id=ANNA)

    plans = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    assert "399 ₽" in plans["text"]
    assert "2 990 ₽" in plans["text"]
    assert buttons(plans) == [
        "plan:pro-month:yk", "plan:pro-month:stars", "plan:pro-quarter:yk", "plan:pro-quarter:stars",
        "plan:pro-year:yk", "plan:pro-year:stars",
    ]  # fmt: skip


async def test_a_plan_pressed_while_payments_are_off_says_so(running_bot, settings):
    settings.YOOKASSA_SHOP_ID = ""
    await consented(running_bot)
    running_bot.user_sends("/subscribe", user_id=ANNA)
    plans = (await running_bot.wait_for_messages(ANNA, 3))[-1]

    running_bot.user_presses("plan:pro-month:yk", user_id=ANNA, message_id=plans["message_id"])

    async def alerted():
        return any(m == "answerCallbackQuery" and "недоступна" in (p.get("text") or "") for m, p in running_bot.calls)

    await eventually(alerted)


async def test_subscription_shows_the_free_plan_with_messages_left(running_bot):
    await FreeTier.objects.aupdate_or_create(pk=1, defaults={"messages_per_day": 30})
    await consented(running_bot)

    running_bot.user_sends("/subscription", user_id=ANNA)

    assert "30" in (await running_bot.wait_for_messages(ANNA, 3))[-1]["text"]


async def test_a_subscriber_sees_the_date_and_can_turn_auto_renew_off(running_bot):
    await consented(running_bot)
    subscription = await _subscribe(ANNA)

    running_bot.user_sends("/subscription", user_id=ANNA)
    status = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    assert timezone.localtime(subscription.current_period_end).strftime("%d.%m.%Y") in status["text"]
    running_bot.user_presses("renewoff:0", user_id=ANNA, message_id=status["message_id"])
    question = (await running_bot.wait_for_messages(ANNA, 4))[-1]
    running_bot.user_presses("renewoff:1", user_id=ANNA, message_id=question["message_id"])
    done = (await running_bot.wait_for_messages(ANNA, 5))[-1]

    assert "выключено" in done["text"].lower()
    refreshed = await Subscription.objects.aget(pk=subscription.pk)
    assert (refreshed.auto_renew, refreshed.status) == (False, "active")


async def test_a_subscriber_opens_a_pro_persona(running_bot):
    from apps.personas.models import Module
    from tests.factories import PersonaFactory

    partner = await Module.objects.aget(code="partner")
    vera = await sync_to_async(PersonaFactory)(name="Вера", modules=[partner], is_pro=True, first_message="Я Вера.")
    await consented(running_bot)
    await _subscribe(ANNA)
    menu = running_bot.messages_to(ANNA)[-1]

    running_bot.user_presses("module:partner", user_id=ANNA, message_id=menu["message_id"])
    card = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    assert f"card:partner:1:{vera.pk}:choose" in buttons(card)
    running_bot.user_presses(f"card:partner:1:{vera.pk}:choose", user_id=ANNA, message_id=card["message_id"])

    assert (await running_bot.wait_for_messages(ANNA, 4))[-1]["text"] == "Я Вера."
