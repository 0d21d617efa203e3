"""Buying PRO in the bot: plans → the public offer → the YooKassa link → the webhook → congratulations."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from apps.analytics.models import Event
from apps.billing.models import Payment
from apps.billing.selectors import entitlement_get
from tests.apps.billing.conftest import YOOKASSA_IP, yookassa  # noqa: F401 - the stub YooKassa fixture
from tests.bots.telegram.steps import ANNA, buttons, consented, eventually

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _url_buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["url"] for row in rows for button in row if button.get("url")]


async def test_the_whole_purchase_from_subscribe_to_congratulations(running_bot, yookassa, settings):  # noqa: F811
    settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_URL = running_bot.token, running_bot.base_url
    await consented(running_bot)

    running_bot.user_sends("/subscribe", user_id=ANNA)
    plans = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    running_bot.user_presses("plan:pro-month:yk", user_id=ANNA, message_id=plans["message_id"])
    offer = (await running_bot.wait_for_messages(ANNA, 4))[-1]
    assert "Публичная оферта" in offer["text"]
    running_bot.user_presses(buttons(offer)[0], user_id=ANNA, message_id=offer["message_id"])
    pay = (await running_bot.wait_for_messages(ANNA, 5))[-1]

    [url] = _url_buttons(pay)
    assert url.startswith("https://yoomoney.ru/checkout/")
    assert "399 ₽" in pay["text"]
    payment = await Payment.objects.select_related("user").aget()
    assert await Event.objects.filter(name="consent_accepted", properties__kind="offer").aexists()

    yookassa.set_status(payment.provider_payment_id, "succeeded", payment_method_saved=True)
    body = yookassa.notification("payment.succeeded", payment.provider_payment_id)
    response = await sync_to_async(Client().post)(
        "/api/billing/yookassa/webhook", data=body, content_type="application/json", REMOTE_ADDR=YOOKASSA_IP
    )

    assert response.status_code == 200
    congratulation = (await running_bot.wait_for_messages(ANNA, 6))[-1]
    assert "PRO" in congratulation["text"]
    entitlement = await sync_to_async(entitlement_get)(user_id=payment.user_id)
    assert entitlement.has_pro
    assert entitlement.auto_renew


async def test_pressing_pay_twice_gives_the_same_payment(running_bot, yookassa):  # noqa: F811
    await consented(running_bot)
    running_bot.user_sends("/subscribe", user_id=ANNA)
    plans = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    running_bot.user_presses("plan:pro-month:yk", user_id=ANNA, message_id=plans["message_id"])
    offer = (await running_bot.wait_for_messages(ANNA, 4))[-1]
    running_bot.user_presses(buttons(offer)[0], user_id=ANNA, message_id=offer["message_id"])
    first = (await running_bot.wait_for_messages(ANNA, 5))[-1]

    running_bot.user_presses("plan:pro-month:yk", user_id=ANNA, message_id=plans["message_id"])  # offer accepted now
    second = (await running_bot.wait_for_messages(ANNA, 6))[-1]

    assert _url_buttons(first) == _url_buttons(second)
    assert await Payment.objects.acount() == 1
    await eventually(Event.objects.filter(name="payment_started").aexists)


async def test_paying_with_telegram_stars_turns_pro_on(running_bot):
    import asyncio

    await consented(running_bot)
    running_bot.user_sends("/subscribe", user_id=ANNA)
    plans = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    assert "plan:pro-month:stars" in buttons(plans)
    running_bot.user_presses("plan:pro-month:stars", user_id=ANNA, message_id=plans["message_id"])
    offer = (await running_bot.wait_for_messages(ANNA, 4))[-1]
    running_bot.user_presses(buttons(offer)[0], user_id=ANNA, message_id=offer["message_id"])
    invoice = (await running_bot.wait_for_messages(ANNA, 5))[-1]
    assert invoice["invoice"]["total_amount"] == 250

    answer = await asyncio.to_thread(running_bot.user_pays_invoice, invoice["message_id"], user_id=ANNA)

    assert answer["ok"] is True
    thanks = (await running_bot.wait_for_messages(ANNA, 6))[-1]
    assert "PRO" in thanks["text"]
    payment = await Payment.objects.aget()
    assert (payment.provider, payment.status, payment.currency) == ("stars", "succeeded", "XTR")
    assert payment.provider_payment_id.startswith("stars-charge-")
    assert (await sync_to_async(entitlement_get)(user_id=payment.user_id)).has_pro


async def test_a_stars_invoice_paid_once_cannot_be_paid_again(running_bot):
    import asyncio

    await consented(running_bot)
    running_bot.user_sends("/subscribe", user_id=ANNA)
    plans = (await running_bot.wait_for_messages(ANNA, 3))[-1]
    running_bot.user_presses("plan:pro-month:stars", user_id=ANNA, message_id=plans["message_id"])
    offer = (await running_bot.wait_for_messages(ANNA, 4))[-1]
    running_bot.user_presses(buttons(offer)[0], user_id=ANNA, message_id=offer["message_id"])
    invoice = (await running_bot.wait_for_messages(ANNA, 5))[-1]
    await asyncio.to_thread(running_bot.user_pays_invoice, invoice["message_id"], user_id=ANNA)
    await running_bot.wait_for_messages(ANNA, 6)

    again = await asyncio.to_thread(running_bot.user_pays_invoice, invoice["message_id"], user_id=ANNA)

    assert again["ok"] is False
    assert "оплачен" in again["error_message"]
    assert await Payment.objects.filter(status="succeeded").acount() == 1
